using System.Globalization;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Ventures;

/// <summary>One rule of eligibility, checked and explained.</summary>
public sealed record ScreeningCheck(string Rule, bool Passed, string Reason);

/// <summary>
/// An application's eligibility: the automatic checks, then a reviewer's confirmation or overturning.
/// <see cref="Eligible"/> is the decision in force: the reviewer's when there is one. A result no reviewer decided by
/// the screening deadline stands as checked; the round counts those (<see cref="StageClock.ScreeningUnconfirmed"/>).
/// </summary>
public sealed record ScreeningResult(
    bool Eligible,
    List<ScreeningCheck> Checks,
    DateTimeOffset CheckedAt,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null,
    bool Overturned = false,
    string? Note = null)
{
    public bool AutomaticallyEligible => Checks.All(c => c.Passed);

    public bool Confirmed => DecidedBy is not null;
}

/// <summary>The round's eligibility rules as a pure function of the application and its organization.</summary>
public static class Screening
{
    public const string ValidCreditCode = "valid-credit-code";
    public const string NotDebarred = "not-debarred";
    public const string FoundedLongEnough = "founded-long-enough";
    public const string ServesDistrict = "serves-district";
    public const string AmountInRange = "amount-in-range";

    public static List<ScreeningCheck> Check(Round round, Application application, Organization? organization)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(application);
        var closingDay = District.Today(round.ClosesAt);
        var checks = new List<ScreeningCheck>();
        if (organization is null)
        {
            checks.Add(new(ValidCreditCode, false, "The organization is not in the bureau's register."));
            return checks;
        }

        checks.Add(CreditCode.Check(organization.CreditCode) is { } why
            ? new(ValidCreditCode, false, $"Credit code {organization.CreditCode} is not valid: {why}")
            : new(ValidCreditCode, true, $"Credit code {organization.CreditCode} is valid."));

        checks.Add(organization.IsDebarred(closingDay)
            ? new(NotDebarred, false, $"The organization is debarred until {organization.DebarredUntil:yyyy-MM-dd}.")
            : new(NotDebarred, true, "The organization is not debarred."));

        var months = round.Eligibility.MinMonthsSinceFounding;
        var oldEnough = organization.FoundedOn.AddMonths(months) <= closingDay;
        checks.Add(new(FoundedLongEnough, oldEnough, oldEnough
            ? $"Founded {organization.FoundedOn:yyyy-MM-dd}: at least {months} months before the round closed."
            : $"Founded {organization.FoundedOn:yyyy-MM-dd}: less than the {months} months the round requires by {closingDay:yyyy-MM-dd}."));

        if (round.Eligibility.MustServeDistrict)
        {
            var street = organization.Address.Street;
            var inDistrict = Geography.Streets.Contains(street);
            checks.Add(new(ServesDistrict, inDistrict, inDistrict
                ? $"Based in {street}, in the district."
                : $"Based in {street}, which is not a street or town of the district."));
        }

        var amount = application.Content.AmountRequested;
        var inRange = amount >= round.MinGrant && amount <= round.MaxGrant;
        var range = string.Create(CultureInfo.InvariantCulture, $"{round.MinGrant:0.##}–{round.MaxGrant:0.##} CNY");
        var requested = amount.ToString("0.##", CultureInfo.InvariantCulture);
        checks.Add(new(AmountInRange, inRange, inRange
            ? $"Requests {requested} CNY, within {range}."
            : $"Requests {requested} CNY, outside the round's {range}."));
        return checks;
    }
}

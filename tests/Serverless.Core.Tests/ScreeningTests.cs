using CsCheck;
using Serverless.Core.Common;
using Serverless.Core.Organizations;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>
/// The automatic eligibility checks of screening. The round closes at 17:00 UTC on 31 March, which is already
/// 1 April in the district (UTC+8): every rule that counts days counts from 1 April.
/// </summary>
public sealed class ScreeningTests
{
    private const string ValidCode = "52230102000000019D";

    private static readonly DateTimeOffset ClosesAt = new(2026, 3, 31, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_district_closing_day_is_the_day_after_the_utc_date_of_this_deadline()
    {
        Assert.Equal(new DateOnly(2026, 4, 1), District.Today(ClosesAt));
    }

    [Fact]
    public void An_organization_that_meets_every_rule_passes_every_check_with_its_reason()
    {
        var checks = Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization());

        Assert.Equal(
            [
                new ScreeningCheck(Screening.ValidCreditCode, true, $"Credit code {ValidCode} is valid."),
                new ScreeningCheck(Screening.NotDebarred, true, "The organization is not debarred."),
                new ScreeningCheck(Screening.FoundedLongEnough, true, "Founded 2020-05-01: at least 12 months before the round closed."),
                new ScreeningCheck(Screening.ServesDistrict, true, "Based in 安静街道, in the district."),
                new ScreeningCheck(Screening.AmountInRange, true, "Requests 80000 CNY, within 20000–100000 CNY."),
            ],
            checks);
    }

    [Fact]
    public void An_organization_not_in_the_register_fails_a_single_credit_code_check()
    {
        var checks = Screening.Check(ClosedRound(), ApplicationFor(80_000m), organization: null);

        var only = Assert.Single(checks);
        Assert.Equal(new ScreeningCheck(Screening.ValidCreditCode, false, "The organization is not in the bureau's register."), only);
    }

    [Fact]
    public void A_mistyped_credit_code_fails_its_check_and_says_why()
    {
        var checks = Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { CreditCode = "52230102000000019E" });

        Assert.Equal(
            new ScreeningCheck(Screening.ValidCreditCode, false,
                "Credit code 52230102000000019E is not valid: The check character (the 18th) does not match: the code is mistyped."),
            Find(checks, Screening.ValidCreditCode));
        Assert.All(checks.Where(c => c.Rule != Screening.ValidCreditCode), c => Assert.True(c.Passed, c.Reason));
    }

    [Fact]
    public void A_credit_code_of_the_wrong_length_fails_its_check()
    {
        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { CreditCode = "5223010200000001" }), Screening.ValidCreditCode);

        Assert.False(check.Passed);
        Assert.Equal("Credit code 5223010200000001 is not valid: A unified social credit code has 18 characters.", check.Reason);
    }

    [Theory]
    [InlineData("2026-04-01")] // the closing day in the district
    [InlineData("2026-04-02")]
    [InlineData("2029-03-31")]
    public void An_organization_debarred_until_the_closing_day_or_later_fails(string until)
    {
        var debarredUntil = DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture);

        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { DebarredUntil = debarredUntil }), Screening.NotDebarred);

        Assert.Equal(new ScreeningCheck(Screening.NotDebarred, false, $"The organization is debarred until {until}."), check);
    }

    [Theory]
    [InlineData("2026-03-31")] // the day before the district's closing day, though the deadline's UTC date
    [InlineData("2023-01-01")]
    public void An_organization_whose_debarment_ended_before_the_closing_day_passes(string until)
    {
        var debarredUntil = DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture);

        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { DebarredUntil = debarredUntil }), Screening.NotDebarred);

        Assert.Equal(new ScreeningCheck(Screening.NotDebarred, true, "The organization is not debarred."), check);
    }

    [Fact]
    public void An_organization_founded_exactly_the_required_months_before_the_closing_day_passes()
    {
        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { FoundedOn = new DateOnly(2025, 4, 1) }), Screening.FoundedLongEnough);

        Assert.Equal(new ScreeningCheck(Screening.FoundedLongEnough, true, "Founded 2025-04-01: at least 12 months before the round closed."), check);
    }

    [Fact]
    public void An_organization_founded_one_day_later_fails_and_names_the_closing_day()
    {
        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), RegisteredOrganization() with { FoundedOn = new DateOnly(2025, 4, 2) }), Screening.FoundedLongEnough);

        Assert.Equal(
            new ScreeningCheck(Screening.FoundedLongEnough, false, "Founded 2025-04-02: less than the 12 months the round requires by 2026-04-01."),
            check);
    }

    [Fact]
    public void The_founding_rule_counts_the_months_the_round_sets()
    {
        var round = ClosedRound() with { Eligibility = new EligibilityRules(MinMonthsSinceFounding: 24) };

        var twoYears = Find(Screening.Check(round, ApplicationFor(80_000m), RegisteredOrganization() with { FoundedOn = new DateOnly(2024, 4, 1) }), Screening.FoundedLongEnough);
        var lessThanTwo = Find(Screening.Check(round, ApplicationFor(80_000m), RegisteredOrganization() with { FoundedOn = new DateOnly(2024, 4, 2) }), Screening.FoundedLongEnough);

        Assert.True(twoYears.Passed, twoYears.Reason);
        Assert.Equal("Founded 2024-04-02: less than the 24 months the round requires by 2026-04-01.", lessThanTwo.Reason);
        Assert.False(lessThanTwo.Passed);
    }

    [Fact]
    public void An_organization_based_outside_the_district_fails_serves_district()
    {
        var organization = RegisteredOrganization() with { Address = new Address("中央大街街道", "西十二道街社区", null) };

        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), organization), Screening.ServesDistrict);

        Assert.Equal(new ScreeningCheck(Screening.ServesDistrict, false, "Based in 中央大街街道, which is not a street or town of the district."), check);
    }

    [Fact]
    public void Every_street_and_town_of_the_district_serves_it()
    {
        Assert.All(Geography.Streets, street =>
        {
            var organization = RegisteredOrganization() with { Address = new Address(street, "某社区", null) };
            Assert.True(Find(Screening.Check(ClosedRound(), ApplicationFor(80_000m), organization), Screening.ServesDistrict).Passed, street);
        });
    }

    [Fact]
    public void A_round_that_does_not_require_serving_the_district_has_no_such_check()
    {
        var round = ClosedRound() with { Eligibility = new EligibilityRules(MustServeDistrict: false) };
        var organization = RegisteredOrganization() with { Address = new Address("中央大街街道", "西十二道街社区", null) };

        var checks = Screening.Check(round, ApplicationFor(80_000m), organization);

        Assert.DoesNotContain(checks, c => c.Rule == Screening.ServesDistrict);
        Assert.Equal([Screening.ValidCreditCode, Screening.NotDebarred, Screening.FoundedLongEnough, Screening.AmountInRange], checks.Select(c => c.Rule));
        Assert.All(checks, c => Assert.True(c.Passed, c.Reason));
    }

    [Theory]
    [InlineData("19999.99", "Requests 19999.99 CNY, outside the round's 20000–100000 CNY.")]
    [InlineData("100000.01", "Requests 100000.01 CNY, outside the round's 20000–100000 CNY.")]
    [InlineData("0", "Requests 0 CNY, outside the round's 20000–100000 CNY.")]
    public void An_amount_outside_the_grant_range_fails(string amount, string reason)
    {
        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(Money(amount)), RegisteredOrganization()), Screening.AmountInRange);

        Assert.Equal(new ScreeningCheck(Screening.AmountInRange, false, reason), check);
    }

    [Theory]
    [InlineData("20000", "Requests 20000 CNY, within 20000–100000 CNY.")]
    [InlineData("100000", "Requests 100000 CNY, within 20000–100000 CNY.")]
    [InlineData("55555.5", "Requests 55555.5 CNY, within 20000–100000 CNY.")]
    public void An_amount_within_the_grant_range_bounds_included_passes(string amount, string reason)
    {
        var check = Find(Screening.Check(ClosedRound(), ApplicationFor(Money(amount)), RegisteredOrganization()), Screening.AmountInRange);

        Assert.Equal(new ScreeningCheck(Screening.AmountInRange, true, reason), check);
    }

    [Fact]
    public void The_amount_check_passes_exactly_when_the_request_lies_between_the_minimum_and_maximum_grant()
    {
        Gen.Int[0, 15_000_000].Select(cents => cents / 100m).Sample(amount =>
        {
            var check = Find(Screening.Check(ClosedRound(), ApplicationFor(amount), RegisteredOrganization()), Screening.AmountInRange);
            return check.Passed == (amount >= 20_000m && amount <= 100_000m);
        });
    }

    [Fact]
    public void Several_failures_are_all_reported_together()
    {
        var organization = RegisteredOrganization() with
        {
            DebarredUntil = new DateOnly(2027, 1, 1),
            FoundedOn = new DateOnly(2026, 1, 1),
            Address = new Address("中央大街街道", "西十二道街社区", null),
        };

        var checks = Screening.Check(ClosedRound(), ApplicationFor(150_000m), organization);

        Assert.Equal(
            [Screening.NotDebarred, Screening.FoundedLongEnough, Screening.ServesDistrict, Screening.AmountInRange],
            checks.Where(c => !c.Passed).Select(c => c.Rule));
    }

    private static ScreeningCheck Find(List<ScreeningCheck> checks, string rule) => Assert.Single(checks, c => c.Rule == rule);

    private static decimal Money(string amount) => decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

    private static Round ClosedRound() => new(
        Id: "round-screening",
        Title: "2026 spring venture round",
        ProgrammeAreas: [ProgrammeArea.ElderlyCare],
        Budget: 1_000_000m,
        MinGrant: 20_000m,
        MaxGrant: 100_000m,
        OpensAt: new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero),
        ClosesAt: ClosesAt,
        Rubric: [new Criterion("need", "Community need", 100, 10)],
        ReviewersPerApplication: 3,
        Eligibility: new EligibilityRules(),
        Periods: new StagePeriods(),
        BlindReview: false,
        AllowPartialFunding: false,
        Status: RoundStatus.Closed,
        CreatedAt: new DateTimeOffset(2026, 2, 20, 8, 0, 0, TimeSpan.Zero),
        CreatedBy: "officer-1");

    private static Organization RegisteredOrganization() => new(
        Id: "org-1",
        Name: "安静社区养老服务中心",
        CreditCode: ValidCode,
        FoundedOn: new DateOnly(2020, 5, 1),
        Address: new Address("安静街道", "安静社区", "安静街12号"),
        Contact: new Contact("王芳", "13800138000", null),
        ServiceAreas: [ProgrammeArea.ElderlyCare],
        RegisteredAt: new DateTimeOffset(2024, 1, 10, 2, 0, 0, TimeSpan.Zero));

    private static Application ApplicationFor(decimal amountRequested) => new(
        Id: "app-1",
        RoundId: "round-screening",
        OrganizationId: "org-1",
        OrganizationName: "安静社区养老服务中心",
        Content: new ApplicationContent(
            ProjectTitle: "Companions for elders living alone",
            Summary: "Weekly home visits and phone check-ins for 空巢老人.",
            ProgrammeArea: ProgrammeArea.ElderlyCare,
            BeneficiaryGroup: "空巢老人",
            BeneficiaryCount: 120,
            CommunitiesServed: ["安静社区"],
            BudgetLines: [new BudgetLine("Visits", amountRequested)],
            AmountRequested: amountRequested,
            MatchingFunds: 0m,
            Milestones: [new Milestone("Final report", new DateOnly(2026, 12, 15), null)]),
        Status: ApplicationStatus.Submitted,
        SubmittedAt: new DateTimeOffset(2026, 3, 20, 2, 0, 0, TimeSpan.Zero),
        UpdatedAt: new DateTimeOffset(2026, 3, 20, 2, 0, 0, TimeSpan.Zero),
        Version: 1);
}

using System.Globalization;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>The admin's definition of a round, as posted.</summary>
public sealed record RoundForm(
    string? Title,
    List<ProgrammeArea>? ProgrammeAreas,
    decimal? Budget,
    decimal? MinGrant,
    decimal? MaxGrant,
    DateTimeOffset? OpensAt,
    DateTimeOffset? ClosesAt,
    List<CriterionForm>? Rubric,
    int? ReviewersPerApplication,
    EligibilityRules? Eligibility,
    StagePeriods? Periods,
    bool? BlindReview,
    bool? AllowPartialFunding,
    List<PanelMemberForm>? Panel = null,
    AggregationMethod? Aggregation = null,
    MatchingBonus? MatchingBonus = null,
    List<TranchePlan>? Tranches = null,
    int? DebarmentYears = null)
{
    public Round Validate(string id, Caller creator, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(creator);
        var v = new Validation();
        var title = v.Text("title", Title, 200, 2);
        v.Count("programmeAreas", ProgrammeAreas, 1, 7);
        Required(v, "budget", Budget);
        Required(v, "minGrant", MinGrant);
        Required(v, "maxGrant", MaxGrant);
        Required(v, "opensAt", OpensAt);
        Required(v, "closesAt", ClosesAt);
        if (Budget is { } budget)
        {
            v.Money("budget", budget, 0.01m);
        }

        if (MinGrant is { } minimum)
        {
            v.Money("minGrant", minimum, 0.01m);
        }

        if (MaxGrant is { } maximum)
        {
            v.Money("maxGrant", maximum, 0.01m);
        }

        if (MinGrant is { } min && MaxGrant is { } max)
        {
            if (min > max)
            {
                v.Add("maxGrant", "Must not be below the minimum grant.");
            }

            if (Budget is { } b && max > b)
            {
                v.Add("maxGrant", "Must not exceed the budget.");
            }
        }

        if (OpensAt is { } opens && ClosesAt is { } closes && closes <= opens)
        {
            v.Add("closesAt", "Must be after opensAt.");
        }

        v.Count("rubric", Rubric, 1, 20);
        var rubric = new List<Criterion>();
        for (var i = 0; i < (Rubric?.Count ?? 0); i++)
        {
            var c = Rubric![i];
            var field = $"rubric[{i}]";
            var cid = v.Text($"{field}.id", c.Id, 40);
            if (cid.Length > 0 && !cid.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            {
                v.Add($"{field}.id", "Letters, digits, '-' and '_' only.");
            }

            var name = v.Text($"{field}.name", c.Name, 100);
            v.Range($"{field}.weight", c.Weight ?? 0, 1, 100);
            v.Range($"{field}.maxPoints", c.MaxPoints ?? 0, 1, 100);
            rubric.Add(new Criterion(cid, name, c.Weight ?? 0, c.MaxPoints ?? 0));
        }

        if (rubric.Count > 0 && rubric.Sum(c => c.Weight) != 100)
        {
            v.Add("rubric", $"The weights must add up to 100; they add up to {rubric.Sum(c => c.Weight)}.");
        }

        if (rubric.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != rubric.Count)
        {
            v.Add("rubric", "Criterion ids must be unique.");
        }

        v.Range("reviewersPerApplication", ReviewersPerApplication ?? 3, 1, 15);
        var eligibility = Eligibility ?? new EligibilityRules();
        v.Range("eligibility.minMonthsSinceFounding", eligibility.MinMonthsSinceFounding, 0, 600);
        var periods = Periods ?? new StagePeriods();
        v.Duration("periods.screening", periods.Screening);
        v.Duration("periods.review", periods.Review);
        v.Duration("periods.publicity", periods.Publicity);
        v.Duration("periods.committee", periods.Committee);
        var panel = new List<PanelMember>();
        for (var i = 0; i < (Panel?.Count ?? 0); i++)
        {
            var p = Panel![i];
            var reviewerId = v.PrincipalId($"panel[{i}].reviewerId", p.ReviewerId);
            var name = v.Text($"panel[{i}].name", p.Name, 50);
            v.Count($"panel[{i}].memberOf", p.MemberOf ?? [], 0, 50);
            v.Count($"panel[{i}].declaredConflicts", p.DeclaredConflicts ?? [], 0, 50);
            panel.Add(new PanelMember(reviewerId, name, p.MemberOf ?? [], p.DeclaredConflicts ?? []));
        }

        if (panel.Select(p => p.ReviewerId).Distinct(StringComparer.Ordinal).Count() != panel.Count)
        {
            v.Add("panel", "A reviewer can sit on the panel once.");
        }

        if (Panel is not null && panel.Count < (ReviewersPerApplication ?? 3))
        {
            v.Add("panel", $"The panel needs at least {ReviewersPerApplication ?? 3} reviewers, one per review of an application.");
        }

        v.Duration("periods.signing", periods.Signing);
        v.Duration("periods.reportGrace", periods.ReportGrace);
        if (Tranches is { } tranches)
        {
            v.Count("tranches", tranches, 1, 6);
            if (tranches.Sum(t => t.Percent) != 100 || tranches.Any(t => t.Percent <= 0))
            {
                v.Add("tranches", "Each tranche has a positive share and the shares add up to 100.");
            }

            for (var i = 0; i < tranches.Count; i++)
            {
                v.Text($"tranches[{i}].name", tranches[i].Name, 50);
                if (i == 0 && tranches[i].ReportDueAfter is not null)
                {
                    v.Add($"tranches[{i}].reportDueAfter", "The first tranche is paid on signing, without a report.");
                }
                else if (i > 0)
                {
                    v.Duration($"tranches[{i}].reportDueAfter", tranches[i].ReportDueAfter);
                }
            }
        }

        v.Range("debarmentYears", DebarmentYears ?? 3, 0, 10);
        if (MatchingBonus is { } bonus && (bonus.PointsPerTenPercent < 0 || bonus.MaxPoints < 0 || bonus.MaxPoints > 20))
        {
            v.Add("matchingBonus", "Bonus points are not negative, and at most 20 in all.");
        }

        v.ThrowIfAny();

        return new Round(id, title, ProgrammeAreas!.Distinct().ToList(), Budget!.Value, MinGrant!.Value, MaxGrant!.Value,
            OpensAt!.Value.ToUniversalTime(), ClosesAt!.Value.ToUniversalTime(), rubric, ReviewersPerApplication ?? 3,
            eligibility, periods, BlindReview ?? false, AllowPartialFunding ?? false, RoundStatus.Draft, now,
            creator.Id!, Panel: panel, Aggregation: Aggregation ?? AggregationMethod.TrimmedMean, MatchingBonus: MatchingBonus,
            Tranches: Tranches, DebarmentYears: DebarmentYears ?? 3);
    }

    private static void Required<T>(Validation v, string field, T? value) where T : struct
    {
        if (value is null)
        {
            v.Add(field, "Required.");
        }
    }
}

public sealed record CriterionForm(string? Id, string? Name, int? Weight, int? MaxPoints);

/// <summary>A reviewer on the round's panel, with the organizations they belong to or declared a conflict with.</summary>
public sealed record PanelMemberForm(string? ReviewerId, string? Name, [property: IdValue] List<string>? MemberOf, [property: IdValue] List<string>? DeclaredConflicts);

/// <summary>A round as a caller sees it, with its live counts and what its workflow is doing.</summary>
public sealed record RoundView(
    string Id,
    string Title,
    RoundStatus Status,
    bool AcceptingApplications,
    List<ProgrammeArea> ProgrammeAreas,
    decimal Budget,
    decimal MinGrant,
    decimal MaxGrant,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    List<Criterion> Rubric,
    int ReviewersPerApplication,
    EligibilityRules Eligibility,
    StagePeriods Periods,
    bool BlindReview,
    bool AllowPartialFunding,
    AggregationMethod Aggregation,
    MatchingBonus? MatchingBonus,
    int PanelSize,
    List<PanelMember>? Panel,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? ClosedAt,
    string? ClosedBy,
    int? ApplicationsReceived,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    StageClock? Stages,
    ApplicationCounts? Applications,
    RoundProgress? Progress)
{
    /// <summary>The panel's names and conflicts are the bureau's: others see only its size.</summary>
    public static RoundView Of(Round r, DateTimeOffset now, ApplicationCounts? counts, Caller? caller = null, RoundProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        var admin = caller?.IsIn(Role.Admin) == true;
        return new(r.Id, r.Title, r.Status, r.AcceptsApplications(now), r.ProgrammeAreas, r.Budget, r.MinGrant, r.MaxGrant,
            r.OpensAt, r.ClosesAt, r.Rubric, r.ReviewersPerApplication, r.Eligibility, r.Periods, r.BlindReview,
            r.AllowPartialFunding, r.Aggregation, r.MatchingBonus, r.Reviewers.Count, admin ? r.Panel : null, r.CreatedAt,
            r.PublishedAt, r.ClosedAt, r.ClosedBy, r.ApplicationsReceived, r.CancelledAt, r.CancellationReason, r.Clock, counts, progress);
    }
}

public sealed record ApplicationCounts(int Submitted, int Withdrawn);

public sealed record RoundSummary(
    string Id,
    string Title,
    RoundStatus Status,
    bool AcceptingApplications,
    List<ProgrammeArea> ProgrammeAreas,
    decimal Budget,
    DateTimeOffset OpensAt,
    DateTimeOffset ClosesAt,
    int? ApplicationsReceived)
{
    public static RoundSummary Of(Round r, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.Title, r.Status, r.AcceptsApplications(now), r.ProgrammeAreas, r.Budget, r.OpensAt, r.ClosesAt,
            r.ApplicationsReceived);
    }
}

public sealed record CancelForm(string? Reason);

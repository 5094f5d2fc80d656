using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>A venture round and its forms as the bureau and an organization would fill them in, for the pure-logic tests.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset OpensAt = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset ClosesAt = new(2026, 3, 31, 9, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset CreatedAt = new(2026, 2, 20, 8, 0, 0, TimeSpan.Zero);

    public static readonly Caller Admin = new("officer-1", "Programme officer", new HashSet<Role> { Role.Admin });

    public static Round Draft() => new(
        Id: "round-2026-spring",
        Title: "2026 spring venture round",
        ProgrammeAreas: [ProgrammeArea.ElderlyCare, ProgrammeArea.Disability],
        Budget: 1_500_000m,
        MinGrant: 20_000m,
        MaxGrant: 100_000m,
        OpensAt: OpensAt,
        ClosesAt: ClosesAt,
        Rubric: [new Criterion("need", "Community need", 40, 10), new Criterion("design", "Project design", 60, 10)],
        ReviewersPerApplication: 3,
        Eligibility: new EligibilityRules(),
        Periods: new StagePeriods(),
        BlindReview: false,
        AllowPartialFunding: false,
        Status: RoundStatus.Draft,
        CreatedAt: CreatedAt,
        CreatedBy: "officer-1");

    public static Round Open() => Draft() with { Status = RoundStatus.Open, PublishedAt = CreatedAt.AddDays(1) };

    public static RoundForm RoundForm() => new(
        Title: "2026 spring venture round",
        ProgrammeAreas: [ProgrammeArea.ElderlyCare, ProgrammeArea.Disability],
        Budget: 1_500_000m,
        MinGrant: 20_000m,
        MaxGrant: 100_000m,
        OpensAt: new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(8)),
        ClosesAt: new DateTimeOffset(2026, 3, 31, 17, 0, 0, TimeSpan.FromHours(8)),
        Rubric:
        [
            new CriterionForm("need", "Community need", 40, 10),
            new CriterionForm("design", "Project design", 35, 10),
            new CriterionForm("capacity", "Organizational capacity", 25, 10),
        ],
        ReviewersPerApplication: 3,
        Eligibility: null,
        Periods: null,
        BlindReview: null,
        AllowPartialFunding: null);

    /// <summary>80,000 requested plus 20,000 matching, in two budget lines that add up to 100,000.</summary>
    public static ApplicationForm ApplicationForm() => new(
        ProjectTitle: "Companions for elders living alone",
        Summary: "Weekly home visits and phone check-ins for 空巢老人 in three communities.",
        ProgrammeArea: ProgrammeArea.ElderlyCare,
        BeneficiaryGroup: "空巢老人",
        BeneficiaryCount: 120,
        CommunitiesServed: ["安静社区", "新阳社区"],
        BudgetLines: [new BudgetLineForm("Volunteer training", 60_000m), new BudgetLineForm("Visits and transport", 40_000m)],
        AmountRequested: 80_000m,
        MatchingFunds: 20_000m,
        Milestones:
        [
            new MilestoneForm("Volunteers trained", new DateOnly(2026, 5, 1), "Training records"),
            new MilestoneForm("Final report", new DateOnly(2026, 12, 15), null),
        ]);

    /// <summary>The validation problem a call refuses with, asserting it is one.</summary>
    public static IReadOnlyDictionary<string, string[]> FieldErrors(Action act)
    {
        var problem = Assert.Throws<ProblemException>(act).Problem;
        Assert.Equal(400, problem.Status);
        Assert.Equal(ProblemCodes.ValidationFailed, problem.Code);
        Assert.NotNull(problem.Errors);
        return problem.Errors;
    }
}

using System.Xml;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>
/// Stages of a venture round (公益创投): draft → open → closed → screening → review → committee → publicity →
/// awarded (grants then run under their own workflows). Cancelled is possible before awards.
/// </summary>
public enum RoundStatus
{
    Draft,
    Open,
    Closed,
    Screening,
    Review,
    Committee,
    Publicity,
    Awarded,
    Complete,
    Cancelled,
}

/// <summary>A criterion of the scoring rubric: its weight (percent of the total) and the points a reviewer gives.</summary>
public sealed record Criterion(string Id, string Name, int Weight, int MaxPoints);

/// <summary>The round's automatic eligibility rules, checked at screening and confirmed by a reviewer.</summary>
public sealed record EligibilityRules(int MinMonthsSinceFounding = 12, bool MustServeDistrict = true);

/// <summary>Lengths of the later stages, as ISO 8601 durations (P14D in production, PT30S in a demo).</summary>
public sealed record StagePeriods(
    string Screening = "P7D",
    string Review = "P14D",
    string Publicity = "P7D",
    string Committee = "P7D",
    string Signing = "P30D",
    string ReportGrace = "P14D")
{
    public static TimeSpan Parse(string iso) => XmlConvert.ToTimeSpan(iso);
}

/// <summary>A venture round: the call, its money, its rules, and where it stands.</summary>
public sealed record Round(
    string Id,
    string Title,
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
    RoundStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? PublishedAt = null,
    DateTimeOffset? ClosedAt = null,
    string? ClosedBy = null,
    int? ApplicationsReceived = null,
    DateTimeOffset? CancelledAt = null,
    string? CancellationReason = null,
    List<PanelMember>? Panel = null,
    AggregationMethod Aggregation = AggregationMethod.TrimmedMean,
    MatchingBonus? MatchingBonus = null,
    StageClock? Clock = null,
    List<TranchePlan>? Tranches = null,
    int DebarmentYears = 3)
{
    /// <summary>The round's payment plan: 50% on signing, 30% after the mid-term report, 20% after the final evaluation.</summary>
    public static readonly IReadOnlyList<TranchePlan> DefaultTranches =
    [
        new("signing", 50, null),
        new("mid-term report", 30, "P6M"),
        new("final evaluation", 20, "P12M"),
    ];

    public IReadOnlyList<TranchePlan> PaymentPlan => Tranches is { Count: > 0 } plan ? plan : DefaultTranches;

    /// <summary>Where the round's later stages stand: deadlines set as each stage starts.</summary>
    public StageClock Stages => Clock ?? new StageClock();

    public IReadOnlyList<PanelMember> Reviewers => Panel ?? [];

    public bool IsOnPanel(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsIn(Role.Reviewer) && Reviewers.Any(p => p.ReviewerId == caller.Id);
    }

    /// <summary>Moves to a later stage of the workflow; only forward, and never out of cancelled.</summary>
    public Result<Round> Advance(RoundStatus to, StageClock clock)
    {
        if (Status == RoundStatus.Cancelled)
        {
            return Problem.InvalidState("The round was cancelled.");
        }

        // Review follows committee when the committee sends the results back.
        var allowed = to > Status || (Status == RoundStatus.Committee && to == RoundStatus.Review) || to == Status;
        return allowed ? this with { Status = to, Clock = clock } : Problem.InvalidState($"A {Name(Status)} round cannot go back to {Name(to)}.");
    }

    public static string Name(RoundStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Applications may be submitted, edited and withdrawn only inside the window of a published round.</summary>
    public bool AcceptsApplications(DateTimeOffset now) => Status == RoundStatus.Open && now >= OpensAt && now < ClosesAt;

    /// <summary>Draft rounds are the bureau's working copies; nobody else sees them.</summary>
    public bool IsPublic => Status != RoundStatus.Draft;

    public Result<Round> Publish(DateTimeOffset now)
    {
        if (Status != RoundStatus.Draft)
        {
            return Problem.InvalidState($"Only a draft round can be published; this one is {Status.ToString().ToLowerInvariant()}.");
        }

        if (ClosesAt <= now)
        {
            return Problem.DeadlinePassed("The round's closing time has already passed; set a later one before publishing.");
        }

        return this with { Status = RoundStatus.Open, PublishedAt = now };
    }

    /// <summary>Closing is idempotent: closing a closed round is not an error, it changes nothing.</summary>
    public Result<Round> Close(DateTimeOffset now, int applicationsReceived, string by)
    {
        return Status switch
        {
            >= RoundStatus.Closed and < RoundStatus.Cancelled => this,
            RoundStatus.Open when now >= ClosesAt => this with
            {
                Status = RoundStatus.Closed,
                ClosedAt = now,
                ClosedBy = by,
                ApplicationsReceived = applicationsReceived,
            },
            RoundStatus.Open => Problem.InvalidState($"The round closes at {ClosesAt:O}, not before."),
            _ => Problem.InvalidState($"A {Status.ToString().ToLowerInvariant()} round cannot be closed."),
        };
    }

    public Result<Round> Cancel(DateTimeOffset now, string reason)
    {
        return Status switch
        {
            RoundStatus.Cancelled => Problem.InvalidState("The round is already cancelled."),
            RoundStatus.Awarded or RoundStatus.Complete => Problem.InvalidState("Awards are made: the round can no longer be cancelled."),
            _ => this with { Status = RoundStatus.Cancelled, CancelledAt = now, CancellationReason = reason },
        };
    }

    /// <summary>Why an application cannot be submitted, edited or withdrawn now; null when it can.</summary>
    public Problem? RefuseApplicationChange(DateTimeOffset now)
    {
        if (AcceptsApplications(now))
        {
            return null;
        }

        return Status switch
        {
            RoundStatus.Draft => Problem.NotFound("The round"),
            RoundStatus.Cancelled => Problem.InvalidState("The round was cancelled."),
            RoundStatus.Open when now < OpensAt => new Problem(409, ProblemCodes.NotYetOpen, "Not open yet.",
                $"The round accepts applications from {OpensAt:O}."),
            _ => Problem.DeadlinePassed($"The round closed for applications at {ClosesAt:O}; nothing can be submitted, edited or withdrawn after the deadline."),
        };
    }

    public static string Location(string id) => $"/api/rounds/{id}";
}

/// <summary>
/// One tranche of a grant: its share, and for every tranche after the first, when its report is due after
/// signing (ISO 8601). The first is paid on signing; each later one when its report is approved; the last
/// when the final evaluation passes.
/// </summary>
public sealed record TranchePlan(string Name, int Percent, string? ReportDueAfter);

/// <summary>
/// The deadlines of the stages after closing, and what the committee said when it sent results back.
/// <see cref="ScreeningUnconfirmed"/>: how many automatic screening results no reviewer had confirmed or overturned when
/// screening ended; each stands as checked (an application's own result says <c>decidedBy</c> only when a reviewer decided).
/// </summary>
public sealed record StageClock(
    DateTimeOffset? ScreeningEndsAt = null,
    DateTimeOffset? ReviewEndsAt = null,
    int ReviewWave = 0,
    DateTimeOffset? CommitteeFrom = null,
    List<string>? CommitteeRejections = null,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    DateTimeOffset? PublicityEndsAt = null,
    DateTimeOffset? AwardedAt = null,
    string? ReviewShortfall = null,
    bool ReopenedByCommittee = false,
    int? ScreeningUnconfirmed = null);

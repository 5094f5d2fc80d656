using System.Xml;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>
/// Stages of a venture round (公益创投). This slice covers draft → open → closed, and cancelled; the later
/// stages (screening, review, committee, publicity, awarded, grants, complete) follow from closed.
/// </summary>
public enum RoundStatus
{
    Draft,
    Open,
    Closed,
    Cancelled,
}

/// <summary>A criterion of the scoring rubric: its weight (percent of the total) and the points a reviewer gives.</summary>
public sealed record Criterion(string Id, string Name, int Weight, int MaxPoints);

/// <summary>The round's automatic eligibility rules, checked at screening and confirmed by a reviewer.</summary>
public sealed record EligibilityRules(int MinMonthsSinceFounding = 12, bool MustServeDistrict = true);

/// <summary>Lengths of the later stages, as ISO 8601 durations (P14D in production, PT30S in a demo).</summary>
public sealed record StagePeriods(string Screening = "P7D", string Review = "P14D", string Publicity = "P7D")
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
    string? CancellationReason = null)
{
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
            RoundStatus.Closed => this,
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

using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

/// <summary>How the district buys (政府采购方式).</summary>
public enum ProcurementMethod
{
    /// <summary>公开招标</summary>
    OpenTender,

    /// <summary>竞争性磋商</summary>
    CompetitiveConsultation,

    /// <summary>单一来源</summary>
    SingleSource,
}

/// <summary>How bids are compared: 综合评分法 (price weight plus technical criteria) or lowest price.</summary>
public enum EvaluationMethod
{
    ComprehensiveScoring,
    LowestPrice,
}

public enum TenderStatus
{
    Draft,
    Open,
    Opened,
    Cancelled,
}

public enum LotStatus
{
    Open,
    Opened,

    /// <summary>流标: an open tender's lot with fewer than three valid bids at opening.</summary>
    Failed,
}

/// <summary>
/// The event of a failed lot (流标): the lot ends without a supplier, for want of bids at opening or of a
/// qualified bid at evaluation. Its id within the tender is the lot's id, so a lot fails once whichever step
/// finds it; it is stored in the batch of the write that records the failure.
/// </summary>
public static class LotFailure
{
    public const string Type = "Serverless.Procurement.LotFailed";

    /// <summary>Fewer valid bids at opening than the method needs.</summary>
    public const string TooFewBids = "too-few-bids";

    /// <summary>Bids were opened, but none was qualified when the lot was ranked.</summary>
    public const string NoQualifiedBid = "no-qualified-bid";

    /// <summary>The event for <paramref name="lotId"/>, with the number of bids the lot had (submitted, not withdrawn).</summary>
    public static DomainEvent Event(Outbox outbox, string tenderId, string lotId, string reason, int bids)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        return outbox.Event($"/tenders/{tenderId}", Type, lotId, tenderId, new { tenderId, lotId, reason, bids });
    }
}

/// <summary>A KPI target the supplier must deliver (people served, sessions held …).</summary>
public sealed record KpiTarget(string Id, string Name, decimal Target, string Unit);

/// <summary>A lot (标包): its own budget ceiling (最高限价), specification and KPIs.</summary>
public sealed record Lot(string Id, string Title, decimal BudgetCeiling, string Specification, List<KpiTarget> Kpis, LotStatus Status = LotStatus.Open,
    int? ValidBids = null, string? FailureReason = null, string? Decision = null, string? FollowedByTenderId = null);

/// <summary>The bureau's decision on a failed lot: tender it again, or buy it by another method.</summary>
public sealed record FailedLotDecisionForm(string? Decision, ProcurementMethod? Method, DateTimeOffset? EnquiryDeadline, DateTimeOffset? BidDeadline);

public sealed record TechnicalCriterion(string Id, string Name, int MaxPoints);

/// <summary>
/// The tender's clocks as ISO 8601 durations: the abnormally-low-price explanation window after opening, the
/// standstill (质疑期) after an award is published, the time to sign after the standstill, and the grace
/// after a milestone report falls due before the bureau is told.
/// </summary>
public sealed record TenderPeriods(string Explanation = "P3D", string Standstill = "P7D", string Signing = "P30D", string ReportGrace = "P7D")
{
    public static TimeSpan Parse(string iso) => System.Xml.XmlConvert.ToTimeSpan(iso);
}

/// <summary>
/// A contract's payment milestone: its share of the contract value, when its report is due after signing,
/// and what it must deliver: that share of each KPI target of the lot.
/// </summary>
public sealed record MilestonePlan(string Name, int Percent, string DueAfter);

/// <summary>A tender (招标项目) of the district's service procurement.</summary>
public sealed record Tender(
    string Id,
    string Title,
    List<Lot> Lots,
    ProcurementMethod Method,
    EvaluationMethod Evaluation,
    int PriceWeight,
    List<TechnicalCriterion> TechnicalCriteria,
    List<string> Evaluators,
    decimal AbnormalShare,
    TenderPeriods Periods,
    List<MilestonePlan> Milestones,
    int MaxDeductionPercent,
    DateTimeOffset EnquiryDeadline,
    DateTimeOffset BidDeadline,
    TenderStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? PublishedAt = null,
    DateTimeOffset? OpenedAt = null,
    string? OpenedBy = null,
    string? ReplacesTenderId = null)
{
    public static string Location(string id) => $"/api/tenders/{id}";

    public bool IsPublic => Status != TenderStatus.Draft;

    public bool IsEvaluator(Caller caller) => caller is not null && caller.IsIn(Role.Reviewer) && Evaluators.Contains(caller.Id ?? "", StringComparer.Ordinal);

    /// <summary>Bids are accepted, replaced and withdrawn while the tender is open and before its deadline.</summary>
    public Problem? RefuseBidChange(DateTimeOffset now) => Status switch
    {
        TenderStatus.Open when now < BidDeadline => null,
        TenderStatus.Draft => Problem.NotFound("The tender"),
        TenderStatus.Cancelled => Problem.InvalidState("The tender was cancelled."),
        _ => Problem.DeadlinePassed($"Bids closed at {BidDeadline:O}, which is also the opening time."),
    };

    public Result<Tender> Publish(DateTimeOffset now)
    {
        if (Status != TenderStatus.Draft)
        {
            return Problem.InvalidState("Only a draft tender can be published.");
        }

        return BidDeadline <= now
            ? Problem.DeadlinePassed("The bid deadline has already passed; set a later one before publishing.")
            : this with { Status = TenderStatus.Open, PublishedAt = now };
    }
}

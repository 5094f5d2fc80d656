using System.Text.Json;

namespace Serverless.Core.Common;

/// <summary>One event type: its CloudEvents source, when it is raised, and the members its data may carry.</summary>
public sealed record EventType(string Type, string Source, string When, IReadOnlyList<string> Data);

/// <summary>
/// Every domain event the product raises, declared once. The outbox refuses a type that is not here and data
/// with a member not declared here, and a test holds <c>docs/EVENTS.md</c> to this list, so subscribers can
/// trust the catalogue. Data carries ids and figures, never personal data: a subscriber with the right reads
/// the rest through the API.
/// </summary>
public static class EventCatalogue
{
    public static readonly IReadOnlyList<EventType> Types =
    [
        new("Serverless.Ventures.RoundPublished", "/rounds/{roundId}", "the bureau published a round: it is open for applications in its window", ["roundId", "opensAt", "closesAt", "budget"]),
        new("Serverless.Ventures.RoundClosed", "/rounds/{roundId}", "the round's deadline passed and it closed for applications, with the count received", ["roundId", "closedAt", "applications"]),
        new("Serverless.Ventures.ApplicationSubmitted", "/rounds/{roundId}", "an organization's application to the round was stored (a retried submission raises none)", ["roundId", "applicationId", "organizationId", "requested"]),
        new("Serverless.Ventures.ReviewReminder", "/rounds/{roundId}", "a fifth of the review period before its deadline, once per reviewer with reviews outstanding", ["roundId", "reviewerId", "applications", "due"]),
        new("Serverless.Ventures.CommitteeReminder", "/rounds/{roundId}", "the committee has not decided by the end of a decision period", ["roundId", "period"]),
        new("Serverless.Ventures.ResultsPublished", "/rounds/{roundId}", "the committee approved the results; the publicity period starts", ["roundId", "until"]),
        new("Serverless.Ventures.AwardsMade", "/rounds/{roundId}", "publicity ended with no objection open; grants follow", ["roundId", "awards"]),
        new("Serverless.Ventures.RoundCompleted", "/rounds/{roundId}", "every grant of the round has ended", ["roundId"]),
        new("Serverless.Ventures.TrancheReleased", "/grants/{grantId}", "a tranche was paid", ["grantId", "tranche", "amount", "organizationId"]),
        new("Serverless.Ventures.ReportReminder", "/grants/{grantId}", "a tranche's report is due and missing", ["grantId", "tranche", "kind"]),
        new("Serverless.Ventures.ReportOverdueEscalated", "/grants/{grantId}", "a tranche's report is still missing a grace period after its due date", ["grantId", "tranche", "kind"]),
        new("Serverless.Ventures.GrantFailed", "/grants/{grantId}", "the final evaluation failed the grant: tranches withheld, clawback recorded, organization debarred", ["grantId", "organizationId", "clawback", "withheld"]),
        new("Serverless.Procurement.TenderOpened", "/tenders/{tenderId}", "the bid deadline passed and the bids were opened", ["tenderId", "bids", "failedLots"]),
        new("Serverless.Procurement.LotFailed", "/tenders/{tenderId}", "a lot failed (流标): too few bids at opening (reason too-few-bids), or no qualified bid when it was ranked (no-qualified-bid)", ["tenderId", "lotId", "reason", "bids"]),
        new("Serverless.Procurement.LotRanked", "/tenders/{tenderId}", "the bureau closed a lot's evaluation", ["tenderId", "lotId", "recommended", "ranked"]),
        new("Serverless.Procurement.AwardPublished", "/tenders/{tenderId}", "a candidate was offered the award; its standstill starts", ["tenderId", "lotId", "bidId", "organizationId", "standstillEndsAt"]),
        new("Serverless.Procurement.AwardOfferEnded", "/tenders/{tenderId}", "an award offer ended: signed into a contract, withdrawn, disqualified or lapsed", ["tenderId", "lotId", "bidId", "outcome", "reason"]),
        new("Serverless.Procurement.ChallengeLodged", "/tenders/{tenderId}", "a bidder challenged an award during its standstill", ["tenderId", "lotId", "challengeId"]),
        new("Serverless.Procurement.ChallengeRuled", "/tenders/{tenderId}", "the bureau ruled on a challenge", ["tenderId", "lotId", "challengeId", "decision"]),
        new("Serverless.Procurement.ContractDrawn", "/tenders/{tenderId}", "the standstill ended unchallenged: a contract was drawn for signing", ["tenderId", "lotId", "contractId", "signBy"]),
        new("Serverless.Procurement.ContractSigned", "/contracts/{contractId}", "both parties signed; delivery starts", ["contractId", "tenderId", "lotId", "value"]),
        new("Serverless.Procurement.MilestoneReported", "/contracts/{contractId}", "the supplier reported a milestone", ["contractId", "milestone", "version"]),
        new("Serverless.Procurement.MilestoneAccepted", "/contracts/{contractId}", "the bureau accepted a milestone's report", ["contractId", "milestone", "reasons"]),
        new("Serverless.Procurement.MilestoneRejected", "/contracts/{contractId}", "the bureau rejected a milestone's report, with reasons", ["contractId", "milestone", "reasons"]),
        new("Serverless.Procurement.MilestonePaid", "/contracts/{contractId}", "an accepted milestone was paid, less any KPI deduction", ["contractId", "milestone", "gross", "deduction", "net"]),
        new("Serverless.Procurement.MilestoneReportOverdue", "/contracts/{contractId}", "a milestone's report is due and missing", ["contractId", "milestone", "kind"]),
        new("Serverless.Procurement.MilestoneReportEscalated", "/contracts/{contractId}", "a milestone's report is still missing a grace period after its due date", ["contractId", "milestone", "kind"]),
        new("Serverless.Procurement.PerformanceEvaluationDue", "/contracts/{contractId}", "every milestone is paid; the final evaluation is due", ["contractId", "milestone", "kind"]),
        new("Serverless.Procurement.ContractCompleted", "/contracts/{contractId}", "the final evaluation was recorded; the supplier's performance record written", ["contractId", "paid", "score"]),
        new("Serverless.Dispatch.RequestCreated", "/service-requests/{requestId}", "a dispatcher created a service request; its dispatch starts", ["requestId", "tier", "gridId", "deadline"]),
        new("Serverless.Dispatch.OfferMade", "/service-requests/{requestId}", "the request was offered to a matched volunteer, open until it expires", ["requestId", "offerId", "volunteerId", "round", "expiresAt"]),
        new("Serverless.Dispatch.OfferExpired", "/service-requests/{requestId}", "an offer had no answer by its expiry; the next candidate is offered", ["requestId", "offerId", "volunteerId", "round"]),
        new("Serverless.Dispatch.RequestAtRisk", "/service-requests/{requestId}", "nobody accepted by the last quarter of the window; offers continue", ["requestId", "communityId", "deadline", "tier"]),
        new("Serverless.Dispatch.RequestEscalated", "/service-requests/{requestId}", "no candidate left in the street: the community social worker takes over", ["requestId", "communityId", "street", "reason"]),
        new("Serverless.Dispatch.OfferAccepted", "/service-requests/{requestId}", "a volunteer won the request", ["requestId", "volunteerId", "round"]),
        new("Serverless.Dispatch.NoShow", "/service-requests/{requestId}", "the volunteer did not check in by the deadline; the request is dispatched again", ["requestId", "volunteerId"]),
        new("Serverless.Dispatch.RequestUnconfirmed", "/service-requests/{requestId}", "no check-out within the limit: closed unconfirmed", ["requestId", "volunteerId"]),
        new("Serverless.Dispatch.ServiceConfirmed", "/service-requests/{requestId}", "the grid worker confirmed the service; the hours are credited", ["requestId", "volunteerId", "hours", "communityId"]),
        new("Serverless.Dispatch.HoursCredited", "/volunteers/{volunteerId}", "a confirmed service's hours were entered in the ledger: credited to the volunteer, debited to the community", ["volunteerId", "requestId", "transactionId", "hours", "communityId"]),
        new("Serverless.Dispatch.PairingVisitMissed", "/pairings/{pairingId}", "a pairing's period ended without a visit: a reminder to the volunteer", ["pairingId", "volunteerId", "communityId", "period", "dueAt"]),
        new("Serverless.Dispatch.PairingVisitEscalated", "/pairings/{pairingId}", "still no visit a grace period later: the community social worker is told", ["pairingId", "volunteerId", "communityId", "period", "dueAt"]),
    ];

    private static readonly Dictionary<string, EventType> ByType = Types.ToDictionary(t => t.Type, StringComparer.Ordinal);

    public static EventType? Find(string type) => ByType.GetValueOrDefault(type);

    /// <summary>Throws for a type the catalogue does not list, or data with a member it does not declare (a programming error).</summary>
    public static void RequireKnown(string type, string dataJson)
    {
        var known = Find(type) ?? throw new InvalidOperationException($"The event type '{type}' is not in the catalogue (EventCatalogue, docs/EVENTS.md).");
        using var data = JsonDocument.Parse(dataJson);
        if (data.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"The data of '{type}' must be a JSON object.");
        }

        foreach (var member in data.RootElement.EnumerateObject())
        {
            if (!known.Data.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"The data of '{type}' has '{member.Name}', which the catalogue does not declare.");
            }
        }
    }
}

using System.Text.Json.Serialization;
using Azure;
using Microsoft.DurableTask;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Procurement;

public sealed record OpeningOutcome(
    [property: JsonConverter(typeof(JsonStringEnumConverter<TenderStatus>))] TenderStatus Status,
    DateTimeOffset BidDeadline,
    int BidsOpened,
    List<string> FailedLots);

/// <summary>
/// Bid opening (开标) at the deadline: every submitted bid is unsealed (GCM proves it unaltered) and its hash
/// checked against the receipt, and qualified by the automatic checks; prices under the tender's share of
/// their lot's mean qualified price are marked abnormally low, to be explained by a deadline; a lot of an
/// open tender with fewer than three valid bids fails (流标).
/// Idempotent: an opened tender stays opened with its first result.
/// </summary>
public sealed class TenderOpening(TenderStore tenders, BidStore bids, BidSealing sealing, OrganizationStore organizations, Outbox outbox, TimeProvider clock)
{
    public const int MinimumBidsForOpenTender = 3;

    public async Task<OpeningOutcome> OpenAsync(string tenderId, CancellationToken cancellation = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (tender, etag) = await tenders.FindAsync(tenderId, cancellation) ?? throw new InvalidOperationException($"Tender {tenderId} does not exist.");
            var now = clock.GetUtcNow();
            if (tender.Status != TenderStatus.Open || now < tender.BidDeadline)
            {
                return Outcome(tender, (await bids.ListAsync(tenderId, cancellation)).Count(b => b.Opened is not null));
            }

            var opened = 0;
            var today = District.Today(now);
            foreach (var bid in (await bids.ListAsync(tenderId, cancellation)).Where(b => b.Status == BidStatus.Submitted && b.Opened is null))
            {
                var bytes = sealing.Unseal(bid.Sealed);
                if (BidSealing.Hash(bytes) != bid.Sha256)
                {
                    throw new InvalidOperationException($"Bid {bid.Id} does not match its receipt.");
                }

                var found = (await bids.FindAsync(tenderId, bid.Id, cancellation))!.Value;
                var unsealed = found.Bid with { Opened = ApiJson.Deserialize<BidContent>(System.Text.Encoding.UTF8.GetString(bytes)) };
                var qualification = TenderEvaluation.Qualify(unsealed, tender.Lots.First(l => l.Id == bid.LotId),
                    await organizations.FindAsync(bid.OrganizationId, cancellation), today);
                await bids.SaveAsync(unsealed with { Qualification = qualification }, found.ETag, cancellation);
                opened++;
            }

            // Abnormally low prices, per lot, against the mean of its qualified prices at opening.
            var explainBy = now + TenderPeriods.Parse(tender.Periods.Explanation);
            foreach (var lotBids in (await bids.ListAsync(tenderId, cancellation)).Where(b => b.Status == BidStatus.Submitted && b.IsValid).GroupBy(b => b.LotId))
            {
                var (mean, low) = BidEvaluation.FindAbnormallyLow(lotBids.Select(b => (b.Id, b.Opened!.Price)).ToList(), tender.AbnormalShare);
                foreach (var bid in lotBids.Where(b => low.Contains(b.Id) && b.AbnormalPrice is null))
                {
                    var found = (await bids.FindAsync(tenderId, bid.Id, cancellation))!.Value;
                    await bids.SaveAsync(found.Bid with { AbnormalPrice = new AbnormalPrice(mean, tender.AbnormalShare, explainBy) }, found.ETag, cancellation);
                }
            }

            var valid = (await bids.ListAsync(tenderId, cancellation)).Where(b => b.Status == BidStatus.Submitted).ToList();
            var lots = tender.Lots.Select(l =>
            {
                var count = valid.Count(b => b.LotId == l.Id);
                var fails = tender.Method == ProcurementMethod.OpenTender && count < MinimumBidsForOpenTender;
                return l with
                {
                    Status = fails ? LotStatus.Failed : LotStatus.Opened,
                    ValidBids = count,
                    FailureReason = fails ? $"{count} valid bids; an open tender needs at least {MinimumBidsForOpenTender}." : null,
                };
            }).ToList();
            var openedTender = tender with { Status = TenderStatus.Opened, OpenedAt = now, Lots = lots };
            try
            {
                // The opening and its events in one batch: a run that finds the tender opened returns above
                // and raises nothing, so each event is stored once, with the change it announces.
                await tenders.UpdateAsync(openedTender, etag, Events(openedTender, valid.Count), cancellation);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                continue;
            }

            return Outcome(openedTender, opened);
        }
    }

    /// <summary>TenderOpened, and LotFailed for each lot that failed (流标) for want of bids.</summary>
    private List<DomainEvent> Events(Tender opened, int bids)
    {
        var source = $"/tenders/{opened.Id}";
        var failed = opened.Lots.Where(l => l.Status == LotStatus.Failed).ToList();
        List<DomainEvent> events =
        [
            outbox.Event(source, "Serverless.Procurement.TenderOpened", "opened", opened.Id,
                new { tenderId = opened.Id, bids, failedLots = failed.Select(l => l.Id).ToList() }),
        ];
        events.AddRange(failed.Select(l => LotFailure.Event(outbox, opened.Id, l.Id, LotFailure.TooFewBids, l.ValidBids ?? 0)));
        return events;
    }

    private static OpeningOutcome Outcome(Tender tender, int opened) =>
        new(tender.Status, tender.BidDeadline, opened, tender.Lots.Where(l => l.Status == LotStatus.Failed).Select(l => l.Id).ToList());
}

/// <summary>
/// A tender's workflow: waits on a durable timer for the bid deadline (the opening time), raced against an
/// open request, then opens the bids, then rejects abnormally low prices left unexplained at their deadline.
/// Each lot's award and each contract then run workflows of their own.
/// </summary>
public sealed class TenderOrchestration : TaskOrchestrator<string, OpeningOutcome>
{
    public const string OpenRequestedEvent = "OpenRequested";

    private static readonly TaskOptions Retry = DurableSteps.Retry;

    public static string InstanceId(string tenderId) => $"tender-{tenderId}";

    public override async Task<OpeningOutcome> RunAsync(TaskOrchestrationContext context, string tenderId)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Read the deadline through the step itself: a tender not yet due answers with its deadline.
        var outcome = await context.CallActivityAsync<OpeningOutcome>(nameof(OpenTenderActivity), tenderId, Retry);
        for (var i = 0; i < 100 && outcome.Status == TenderStatus.Open; i++)
        {
            context.SetCustomStatus(new Ventures.RoundProgress("open", $"bids sealed until {outcome.BidDeadline:O}"));
            await DurableSteps.WaitAsync<string>(context, outcome.BidDeadline, OpenRequestedEvent);
            outcome = await context.CallActivityAsync<OpeningOutcome>(nameof(OpenTenderActivity), tenderId, Retry);
        }

        if (outcome.Status == TenderStatus.Open)
        {
            Workflows.ContinueAsNew(context, tenderId);
            return outcome;
        }

        var opened = outcome.FailedLots.Count == 0 ? $"{outcome.BidsOpened} bids opened" : $"{outcome.BidsOpened} bids opened; failed lots: {string.Join(", ", outcome.FailedLots)}";

        // Abnormally low prices: at each explanation deadline, the bids still unexplained are rejected.
        var step = await context.CallActivityAsync<ExplanationStep>(nameof(RejectUnexplainedActivity), tenderId, Retry);
        for (var i = 0; i < 100 && step.WaitUntil is { } until; i++)
        {
            context.SetCustomStatus(new Ventures.RoundProgress("evaluation", $"{opened}; abnormally low prices to be explained by {until:O}"));
            await context.CreateTimer(until.UtcDateTime, CancellationToken.None);
            step = await context.CallActivityAsync<ExplanationStep>(nameof(RejectUnexplainedActivity), tenderId, Retry);
        }

        context.SetCustomStatus(new Ventures.RoundProgress("evaluation", opened));
        return outcome;
    }
}

public sealed class OpenTenderActivity(TenderOpening opening) : TaskActivity<string, OpeningOutcome>
{
    public override Task<OpeningOutcome> RunAsync(TaskActivityContext context, string input) => opening.OpenAsync(input);
}

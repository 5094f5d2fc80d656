using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;
using Serverless.Core.Procurement;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// A tender's events are stored with the changes they announce, through the real DevHost: each outbox row
/// sits in the aggregate's own partition of the table whose row changed, is written in that row's batch (or
/// not at all), and a step run again adds no second event.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class ProcurementEventsTests(SharedDevHost devHost)
{
    private const string Evaluator = "reviewer; id=evaluator-1";

    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task A_lot_that_fails_at_opening_and_one_that_fails_at_evaluation_are_each_announced_once_with_their_change()
    {
        // Lot A gets three bids (it opens), lot B one (it fails at opening, 流标).
        var now = DateTimeOffset.UtcNow;
        var tenderId = (await Api.PostAsync("tenders", TenderTests.TenderForm(now.AddSeconds(3), now.AddSeconds(8)), Samples.Admin)).Str("id");
        Assert.Equal("open", (await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin)).Str("status"));
        var bids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var org = await devHost.RegisterOrganizationAsync($"事件投标机构{i + 1}");
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", i < 3 ? TenderTests.BidForm("A", 400_000m + (i * 10_000m)) : TenderTests.BidForm("B", 150_000m),
                Samples.Organization(org));
            Assert.True(receipt.Status == HttpStatusCode.Created, receipt.ToString());
            bids.Add(receipt.Str("bidId"));
        }

        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened");

        // A duplicate opening (a redelivered request) finds the tender opened and adds nothing.
        await devHost.Host.Storage().SendAsync(TenderSweep.OpenQueue, ApiJson.Serialize(new OpenTenderRequest(tenderId)));
        await Poll.UntilAsync(() => Api.GetAsync("queues", Samples.Admin),
            r => r.Body.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == TenderSweep.OpenQueue).GetProperty("waiting").GetInt32() == 0);

        var events = await EventsAsync(tenderId);
        var opened = Assert.Single(events, e => e.Type == "Serverless.Procurement.TenderOpened");
        Assert.Equal(["B"], Data(opened).GetProperty("failedLots").EnumerateArray().Select(l => l.GetString()!).ToArray());
        var failedAtOpening = Assert.Single(events, e => e.Type == LotFailure.Type);
        Assert.Equal(("B", LotFailure.TooFewBids, 1), (Data(failedAtOpening).GetProperty("lotId").GetString(), Data(failedAtOpening).GetProperty("reason").GetString(),
            Data(failedAtOpening).GetProperty("bids").GetInt32()));
        // Both in the tender's batch: the tenders' partition of the Tenders table, not the Outbox table.
        var (tenders, tenderPartition, _) = TenderStore.Locate(tenderId);
        await AssertStoredInAsync(tenders, tenderPartition, opened, failedAtOpening);

        // Lot A: the committee disqualifies every bid, so the ranking finds no qualified bid and the lot fails at evaluation.
        foreach (var bid in bids.Take(3))
        {
            var decided = await Api.PostAsync($"tenders/{tenderId}/bids/{bid}/qualification", new { qualified = false, reason = "服务场地证明材料缺失。" }, Evaluator);
            Assert.True(decided.Status == HttpStatusCode.OK, decided.ToString());
        }

        var ranked = await Api.PostAsync($"tenders/{tenderId}/lots/A/ranking", null, Samples.Admin);
        Assert.True(ranked.Status == HttpStatusCode.OK, ranked.ToString());
        Assert.Equal("failed", ranked.Str("status"));
        // Ranked again: the award exists, its batch is not written again.
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"tenders/{tenderId}/lots/A/ranking", null, Samples.Admin)).Status);

        events = await EventsAsync(tenderId);
        Assert.Single(events, e => e.Type == "Serverless.Procurement.TenderOpened");
        var lotRanked = Assert.Single(events, e => e.Type == "Serverless.Procurement.LotRanked");
        Assert.Equal(0, Data(lotRanked).GetProperty("ranked").GetInt32());
        var failed = events.Where(e => e.Type == LotFailure.Type).ToDictionary(e => Data(e).GetProperty("lotId").GetString()!);
        Assert.Equal(["A", "B"], failed.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal((LotFailure.NoQualifiedBid, 3), (Data(failed["A"]).GetProperty("reason").GetString(), Data(failed["A"]).GetProperty("bids").GetInt32()));
        // With the award's creation: the tender's partition of the Awards table.
        var (awards, awardPartition, _) = AwardStore.Locate(tenderId, "A");
        await AssertStoredInAsync(awards, awardPartition, lotRanked, failed["A"]);

        // The outbox rows beside the documents are never read as documents: the tender list, the awards of the OCDS export.
        var listed = await Api.GetAsync("tenders", Samples.Admin);
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.All(listed.Body.EnumerateArray(), t => Assert.StartsWith("tnd-", t.GetProperty("id").GetString(), StringComparison.Ordinal));
        var ocds = await Api.GetAsync($"tenders/{tenderId}/ocds");
        Assert.Equal(HttpStatusCode.OK, ocds.Status);
        Assert.Empty(Serverless.Tests.Shared.OcdsSchema.Validate(ocds.Text));
    }

    [Fact]
    public async Task A_tender_event_is_stored_with_its_change_or_not_at_all()
    {
        var now = DateTimeOffset.UtcNow;
        var tenderId = (await Api.PostAsync("tenders", TenderTests.TenderForm(now.AddDays(5), now.AddDays(20)), Samples.Admin)).Str("id");
        var storage = devHost.Host.Storage();
        var store = new TenderStore(storage);
        var (draft, etag) = (await store.FindAsync(tenderId))!.Value;
        var stale = new Outbox(storage, TimeProvider.System).Event($"/tenders/{tenderId}", "Serverless.Procurement.TenderOpened", "opened-from-a-stale-read", tenderId,
            new { tenderId, bids = 0, failedLots = Array.Empty<string>() });

        // Published meanwhile: the write from the stale read fails as a whole batch, and its event with it.
        Assert.Equal("open", (await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin)).Str("status"));
        var refused = await Assert.ThrowsAnyAsync<RequestFailedException>(() => store.UpdateAsync(draft with { Status = TenderStatus.Opened }, etag, [stale]));
        Assert.Equal(412, refused.Status);

        var (table, partition, _) = TenderStore.Locate(tenderId);
        var rows = await storage.TableAsync(table);
        Assert.False((await rows.GetEntityIfExistsAsync<TableEntity>(partition, Outbox.RowPrefix + stale.Id)).HasValue);
        Assert.DoesNotContain(await EventsAsync(tenderId), e => e.Id == stale.Id);
        Assert.Equal("open", (await Api.GetAsync($"tenders/{tenderId}")).Str("status"));
    }

    [Fact]
    public async Task A_milestone_payment_and_its_event_are_recorded_once_in_one_batch()
    {
        var storage = devHost.Host.Storage();
        var contracts = new ContractStore(storage);
        var outbox = new Outbox(storage, TimeProvider.System);
        var contractId = Contract.IdFor(Ids.New("tnd", TimeProvider.System), "A", Ids.New("bid", TimeProvider.System));
        var payment = new MilestonePayment(100_000m, 10_000m, 90_000m, ["服务次数 shortfall 10%"], DateTimeOffset.UtcNow);
        DomainEvent Paid(string idWithinSource, decimal net) => outbox.Event($"/contracts/{contractId}", "Serverless.Procurement.MilestonePaid", idWithinSource, contractId,
            new { contractId, milestone = 0, gross = payment.Gross, deduction = payment.Deduction, net });

        var first = Paid("0", payment.Net);
        Assert.True(await contracts.TryRecordPaymentAsync(contractId, 0, payment, [first]));
        // A step run again (here with another event id, to tell the rows apart) finds the payment: nothing more is written.
        var again = Paid("0-again", 1m);
        Assert.False(await contracts.TryRecordPaymentAsync(contractId, 0, payment with { Net = 1m }, [again]));

        Assert.Equal(90_000m, Assert.Single(await contracts.PaymentsAsync(contractId)).Value.Net);
        var events = await outbox.ListAsync($"/contracts/{contractId}");
        Assert.Equal(first.Id, Assert.Single(events).Id);
        var (table, partition, _) = ContractStore.Locate(contractId);
        await AssertStoredInAsync(table, partition, first);
    }

    private async Task<List<DomainEvent>> EventsAsync(string tenderId) =>
        await new Outbox(devHost.Host.Storage(), TimeProvider.System).ListAsync($"/tenders/{tenderId}");

    private static JsonElement Data(DomainEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return data.RootElement.Clone();
    }

    /// <summary>Each event's row is in <paramref name="partition"/> of <paramref name="table"/>, where its change was written, and nowhere else.</summary>
    private async Task AssertStoredInAsync(string table, string partition, params DomainEvent[] events)
    {
        var storage = devHost.Host.Storage();
        foreach (var e in events)
        {
            var (where, row) = Assert.Single(await StoredEvents.WhereAsync(storage, e));
            Assert.Equal((table, partition), (where, row.PartitionKey));
        }
    }
}

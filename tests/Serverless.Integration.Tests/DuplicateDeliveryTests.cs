using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Queue messages delivered more than once, at the very moment the durable timer does the same job: a round's
/// close request and a tender's opening request each arrive three times, and the end state is that of once:
/// one close, one opening, one event, as the audit trails and the outbox show. (Relay messages delivered again:
/// <see cref="EventRelayTests"/>.)
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class DuplicateDeliveryTests(SharedDevHost devHost)
{
    private const int Deliveries = 3;

    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task A_close_request_delivered_three_times_at_the_deadline_closes_the_round_once()
    {
        var now = DateTimeOffset.UtcNow;
        var closesAt = now.AddSeconds(3);
        var created = await Api.PostAsync("rounds", Samples.RoundForm(now.AddMinutes(-1), closesAt), Samples.Admin);
        var roundId = created.Str("id");
        await Api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        var message = ApiJson.Serialize(new CloseRoundRequest(roundId, "sweep"));

        await UntilAsync(closesAt);
        await Task.WhenAll(Enumerable.Range(0, Deliveries).Select(_ => Storage().SendAsync(RoundSweep.CloseQueue, message)));

        var closed = await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}", Samples.Admin), r => r.Str("status") != "open");
        await DrainedAsync(RoundSweep.CloseQueue);
        var trail = (await Api.GetAsync($"audit/rounds/{roundId}", Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
        Assert.Single(Records(trail), r => StatusBecame(r, "closed"));
        Assert.Equal(closed.Str("closedAt"), (await Api.GetAsync($"rounds/{roundId}", Samples.Admin)).Str("closedAt"));
    }

    [Fact]
    public async Task An_opening_request_delivered_three_times_at_the_deadline_opens_the_tender_once()
    {
        var now = DateTimeOffset.UtcNow;
        var deadline = now.AddSeconds(4);
        var tenderId = (await Api.PostAsync("tenders", TenderTests.TenderForm(now.AddSeconds(2), deadline), Samples.Admin)).Str("id");
        await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin);
        var bids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var org = await devHost.RegisterOrganizationAsync($"重复投递机构{i + 1}");
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", TenderTests.BidForm("A", 400_000m + (i * 10_000m)), Samples.Organization(org));
            Assert.True(receipt.Status == HttpStatusCode.Created, receipt.ToString());
            bids.Add(receipt.Str("bidId"));
        }

        var message = ApiJson.Serialize(new OpenTenderRequest(tenderId));
        await UntilAsync(deadline);
        await Task.WhenAll(Enumerable.Range(0, Deliveries).Select(_ => Storage().SendAsync(TenderSweep.OpenQueue, message)));

        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened");
        await DrainedAsync(TenderSweep.OpenQueue);
        var trail = (await Api.GetAsync($"audit/tenders/{tenderId}", Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean());
        Assert.Single(Records(trail), r => StatusBecame(r, "opened"));
        foreach (var bid in bids)
        {
            var bidTrail = (await Api.GetAsync($"audit/bids/{bid}?tender={tenderId}", Samples.Admin)).Body;
            Assert.True(bidTrail.GetProperty("intact").GetBoolean());
            // Opened once: the sealed content was unsealed into the bid by one write only.
            Assert.Single(Records(bidTrail), r => r.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("path").GetString()!.StartsWith("opened", StringComparison.Ordinal)));
        }

        var events = await new Outbox(Storage(), TimeProvider.System).ListAsync($"/tenders/{tenderId}");
        Assert.Single(events, e => e.Type == "Serverless.Procurement.TenderOpened");
    }

    private static IEnumerable<JsonElement> Records(JsonElement trail) => trail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("record"));

    private static bool StatusBecame(JsonElement record, string status) =>
        record.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("path").GetString() == "status" && c.GetProperty("after").GetString() == $"\"{status}\"");

    private static async Task UntilAsync(DateTimeOffset moment)
    {
        var wait = moment - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>Waits until the queue has nothing waiting, so every duplicate has been handled.</summary>
    private async Task DrainedAsync(string queue) =>
        await Poll.UntilAsync(() => Api.GetAsync("queues", Samples.Admin),
            r => r.Body.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == queue).GetProperty("waiting").GetInt32() == 0);

    private Storage Storage() => devHost.Host.Storage();
}

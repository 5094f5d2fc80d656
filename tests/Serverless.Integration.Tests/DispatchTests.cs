using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Integration.Tests.Harness;
using Reply = Serverless.Integration.Tests.Harness.Reply;

namespace Serverless.Integration.Tests;

/// <summary>
/// A DevHost whose dispatch clocks are seconds instead of minutes and hours (windows and offer timeouts are
/// configuration), with 300 volunteers registered over HTTP across one street, plus one lone volunteer in a
/// grid of another street.
/// </summary>
public sealed class DispatchFixture : IAsyncLifetime
{
    /// <summary>A 12349 hotline operator: a dispatcher who serves every community of the district.</summary>
    public static readonly string Dispatcher = "dispatcher; id=grid-worker-1; community=" + string.Join(',', DistrictMap.Shipped.Communities.Keys);

    public DevHostProcess Host { get; private set; } = null!;

    public ApiClient Api => Host.Client;

    public string Street { get; private set; } = "";

    public string CentreGrid { get; private set; } = "";

    public string LoneGrid { get; private set; } = "";

    public string LoneVolunteer { get; private set; } = "";

    public List<string> Volunteers { get; } = [];

    public async Task InitializeAsync()
    {
        Host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
        {
            ["Dispatch__Window__Emergency"] = "PT20S",
            ["Dispatch__Window__Red"] = "PT60S",
            ["Dispatch__Window__Yellow"] = "PT90S",
            ["Dispatch__Window__Blue"] = "PT120S",
            ["Dispatch__OfferTimeout__Emergency"] = "PT30S",
            ["Dispatch__OfferTimeout__Red"] = "PT4S",
            ["Dispatch__OfferTimeout__Yellow"] = "PT4S",
            ["Dispatch__OfferTimeout__Blue"] = "PT4S",
            ["Dispatch__CheckOutWithin"] = "PT8S",
        });
        var map = DistrictMap.Shipped;
        CentreGrid = map.Grids.Keys.Order(StringComparer.Ordinal).First();
        Street = map.StreetOf(CentreGrid);
        var streetGrids = map.Rings(CentreGrid).SelectMany(r => r).ToList();
        LoneGrid = map.Grids.Keys.Order(StringComparer.Ordinal).Last(g => map.StreetOf(g) != Street);
        var random = new Random(20271127);
        var skills = new[] { "companionship", "home-repair", "tutoring", "errands", "cleaning", "nursing" };
        var registrations = Enumerable.Range(0, 300).Select(i =>
        {
            // Everyone keeps company; a third also nurses but without a certification (so never offered nursing).
            var own = new List<string> { "companionship" };
            own.AddRange(skills.Skip(1).Where(_ => random.NextDouble() < 0.3));
            return Form($"志愿者{i:D3}", streetGrids[random.Next(streetGrids.Count)], own.Distinct().ToArray());
        }).ToList();
        foreach (var chunk in registrations.Chunk(20))
        {
            var replies = await Task.WhenAll(chunk.Select(f => Api.PostAsync("volunteers", f, Samples.Admin)));
            foreach (var reply in replies)
            {
                Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
                Volunteers.Add(reply.Str("id"));
            }
        }

        var lone = await Api.PostAsync("volunteers", Form("独行律师", LoneGrid, ["legal-aid"],
            [new { skill = "legal-aid", name = "法律职业资格证", expiresOn = "2030-12-31" }]), Samples.Admin);
        LoneVolunteer = lone.Str("id");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static object Form(string name, string grid, string[] skills, object[]? certifications = null) => new
    {
        name,
        phone = "138" + Math.Abs(name.GetHashCode(StringComparison.Ordinal) % 100_000_000).ToString("D8", CultureInfo.InvariantCulture),
        gridId = grid,
        skills,
        availability = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToLowerInvariant(), from = "00:00", to = "23:59" }).ToArray(),
        weeklyCap = 5,
        certifications = certifications ?? [],
    };

    public static string As(string volunteerId) => $"volunteer; volunteer={volunteerId}";

    public Task<Reply> CreateAsync(string tier, string grid, params string[] skills) =>
        Api.PostAsync("service-requests", new
        {
            beneficiaryId = "res-" + Guid.NewGuid().ToString("N")[..8],
            beneficiaryName = "张大爷",
            vulnerability = "elderly-alone",
            need = "独居老人需要上门陪伴并协助购买药品。",
            skills,
            gridId = grid,
            tier,
            source = "hotline",
        }, Dispatcher);

    /// <summary>The request's open offers of the current round, once there are at least <paramref name="count"/>.</summary>
    public async Task<List<string>> OpenOffersAsync(string requestId, int count, IReadOnlySet<string>? besides = null)
    {
        var reply = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{requestId}", Dispatcher),
            r => Open(r, besides).Count >= count, TimeSpan.FromSeconds(40));
        return Open(reply, besides);
    }

    public static List<string> Open(Reply r, IReadOnlySet<string>? besides = null) =>
        r.Body.GetProperty("request").GetProperty("offers").EnumerateArray()
            .Where(o => o.GetProperty("status").GetString() == "open" && besides?.Contains(o.GetProperty("volunteerId").GetString()!) != true)
            .Select(o => o.GetProperty("volunteerId").GetString()!).ToList();

    public async Task<string> OfferIdAsync(string volunteerId, string requestId)
    {
        var mine = await Api.GetAsync("offers/mine", As(volunteerId));
        return mine.Body.EnumerateArray().Single(o => o.GetProperty("requestId").GetString() == requestId).GetProperty("id").GetString()!;
    }

    public Storage Storage() => Host.Storage();
}

public sealed class DispatchTests(DispatchFixture f) : IClassFixture<DispatchFixture>
{
    private ApiClient Api => f.Api;

    [Fact]
    public async Task A_red_request_cascades_on_decline_and_on_timeout_then_is_served_confirmed_and_credited_once()
    {
        var created = await f.CreateAsync("red", f.CentreGrid, "companionship", "errands");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Str("id");

        // The best candidate declines: the next is offered at once.
        var first = Assert.Single(await f.OpenOffersAsync(id, 1));
        var firstOffer = await f.OfferIdAsync(first, id);
        // An offer is answered only by its volunteer: to anyone else it does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync($"offers/{firstOffer}/decline", null, DispatchFixture.As(f.Volunteers.First(v => v != first)))).Status);
        Assert.Equal("declined", (await Api.PostAsync($"offers/{firstOffer}/decline", null, DispatchFixture.As(first))).Str("status"));
        var second = Assert.Single(await f.OpenOffersAsync(id, 1, new HashSet<string> { first }));

        // The second does not answer within the red tier's offer timeout: the third is offered.
        var third = Assert.Single(await f.OpenOffersAsync(id, 1, new HashSet<string> { first, second }));
        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        var late = await Api.PostAsync($"offers/{Offer.IdFor(id, second, 0)}/accept", null, DispatchFixture.As(second));
        Assert.Equal(HttpStatusCode.Conflict, late.Status);

        var accepted = await Api.PostAsync($"offers/{await f.OfferIdAsync(third, id)}/accept", null, DispatchFixture.As(third));
        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.ToString());
        var view = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", DispatchFixture.Dispatcher), r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted");
        var kinds = view.Body.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToList();
        Assert.Equal(["created", "offered", "declined", "offered", "expired", "offered", "accepted"], kinds.Where(k => k is not "widened").ToArray());
        var offered = view.Body.GetProperty("timeline").EnumerateArray().First(e => e.GetProperty("kind").GetString() == "offered");
        Assert.Contains(offered.GetProperty("details").EnumerateArray(), d => d.GetString()!.Contains("nearness", StringComparison.Ordinal));

        // Served: check in, check out, confirmed by the grid worker; hours credited once, books balanced.
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"service-requests/{id}/check-in", null, DispatchFixture.As(first))).Status);
        Assert.Equal("checked-in", (await Api.PostAsync($"service-requests/{id}/check-in", null, DispatchFixture.As(third))).Str("status"));
        Assert.Equal("checked-out", (await Api.PostAsync($"service-requests/{id}/check-out", null, DispatchFixture.As(third))).Str("status"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"service-requests/{id}/confirm", null, DispatchFixture.As(third))).Status);
        var confirmed = await Api.PostAsync($"service-requests/{id}/confirm", null, DispatchFixture.Dispatcher);
        Assert.Equal(("confirmed", 0.25m), (confirmed.Str("status"), confirmed.Body.GetProperty("hours").GetDecimal()));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"service-requests/{id}/confirm", null, DispatchFixture.Dispatcher)).Status);
        var ledger = new HoursLedger(f.Storage(), TimeProvider.System);
        var request = (await new RequestStore(f.Storage()).FindAsync(id))!.Value.Request;
        Assert.False(await ledger.CreditAsync(request));
        var hours = await Api.GetAsync($"volunteers/{third}/hours", DispatchFixture.As(third));
        Assert.Equal(0.25m, hours.Body.GetProperty("balance").GetDecimal());
        Assert.Single(hours.Body.GetProperty("entries").EnumerateArray());
        var entries = await ledger.EntriesAsync([third]);
        Assert.Equal(2, entries.Count);
        Assert.Equal(0m, entries.Sum(e => e.Hours));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"volunteers/{third}/hours", DispatchFixture.As(first))).Status);

        // Each transition raised its event once, stored in the batch of the change: the request's offers and
        // their answers in the request's partition, the credit in the volunteer's ledger partition.
        var onRequest = await OutboxRowsAsync(TableNames.ServiceRequests, id);
        Assert.Equal([first, second, third], onRequest.Where(e => e.Type == "Serverless.Dispatch.OfferMade").OrderBy(e => e.Time).Select(e => Data(e, "volunteerId")).ToArray());
        Assert.Equal([second], onRequest.Where(e => e.Type == "Serverless.Dispatch.OfferExpired").Select(e => Data(e, "volunteerId")).ToArray());
        Assert.Equal([third], onRequest.Where(e => e.Type == "Serverless.Dispatch.OfferAccepted").Select(e => Data(e, "volunteerId")).ToArray());
        Assert.Single(onRequest, e => e.Type == "Serverless.Dispatch.ServiceConfirmed");
        var credited = Assert.Single(await OutboxRowsAsync(TableNames.Ledger, third));
        Assert.Equal(("Serverless.Dispatch.HoursCredited", $"/volunteers/{third}", id), (credited.Type, credited.Source, Data(credited, "requestId")));
        Assert.Equal(entries[0].TransactionId, Data(credited, "transactionId"));
    }

    /// <summary>The events stored in one partition of one table, as the change's batch wrote them.</summary>
    private Task<List<DomainEvent>> OutboxRowsAsync(string table, string partition) => StoredEvents.InAsync(f.Storage(), table, partition);

    private static string Data(DomainEvent e, string member) => JsonDocument.Parse(e.Data).RootElement.GetProperty(member).ToString();

    [Fact]
    public async Task An_emergency_goes_to_several_at_once_exactly_one_of_two_simultaneous_acceptances_wins_and_a_no_show_is_dispatched_again()
    {
        var id = (await f.CreateAsync("emergency", f.CentreGrid, "companionship")).Str("id");
        var three = await f.OpenOffersAsync(id, 3);
        Assert.Equal(3, three.Count);
        var offers = new List<string>();
        foreach (var v in three)
        {
            offers.Add(await f.OfferIdAsync(v, id));
        }

        var replies = await Task.WhenAll(
            Api.PostAsync($"offers/{offers[0]}/accept", null, DispatchFixture.As(three[0])),
            Api.PostAsync($"offers/{offers[1]}/accept", null, DispatchFixture.As(three[1])));
        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        var loser = Assert.Single(replies, r => r.Status == HttpStatusCode.Conflict);
        Assert.Equal("offer-taken", loser.Code);
        var winner = replies[0].Status == HttpStatusCode.OK ? three[0] : three[1];

        // The rest are stood down and no longer see the offer.
        var accepted = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", DispatchFixture.Dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted" && DispatchFixture.Open(r).Count == 0);
        Assert.Equal(winner, accepted.Body.GetProperty("request").GetProperty("volunteerId").GetString());
        Assert.DoesNotContain((await Api.GetAsync("offers/mine", DispatchFixture.As(three[2]))).Body.EnumerateArray(), o => o.GetProperty("requestId").GetString() == id);
        Assert.Equal((HttpStatusCode.Conflict, "offer-closed"), Of(await Api.PostAsync($"offers/{offers[2]}/accept", null, DispatchFixture.As(three[2]))));

        // The winner never checks in: at the deadline the request goes out again, to others, and is flagged.
        var again = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", DispatchFixture.Dispatcher),
            r => r.Body.GetProperty("request").GetProperty("round").GetInt32() == 1
                && r.Body.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "no-show"), TimeSpan.FromSeconds(45));
        Assert.True(again.Body.GetProperty("request").GetProperty("flagged").GetBoolean());
        var next = await f.OpenOffersAsync(id, 1);
        Assert.DoesNotContain(winner, next);
        Assert.All(next, v => Assert.DoesNotContain(v, three));
    }

    [Fact]
    public async Task A_volunteer_offered_two_requests_cannot_take_both_even_at_the_same_instant_and_an_unclosed_visit_is_flagged()
    {
        var a = (await f.CreateAsync("yellow", f.LoneGrid, "legal-aid")).Str("id");
        var b = (await f.CreateAsync("yellow", f.LoneGrid, "legal-aid")).Str("id");
        await f.OpenOffersAsync(a, 1);
        await f.OpenOffersAsync(b, 1);
        var replies = await Task.WhenAll(
            Api.PostAsync($"offers/{await f.OfferIdAsync(f.LoneVolunteer, a)}/accept", null, DispatchFixture.As(f.LoneVolunteer)),
            Api.PostAsync($"offers/{await f.OfferIdAsync(f.LoneVolunteer, b)}/accept", null, DispatchFixture.As(f.LoneVolunteer)));
        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.Equal("already-booked", Assert.Single(replies, r => r.Status == HttpStatusCode.Conflict).Code);
        var won = replies[0].Status == HttpStatusCode.OK ? a : b;
        var lost = won == a ? b : a;

        // The other request, with nobody else in the street who has the skill, is escalated well before its deadline.
        var escalated = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{lost}", DispatchFixture.Dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "escalated", TimeSpan.FromSeconds(40));
        Assert.True(escalated.Body.GetProperty("request").GetProperty("escalatedAt").GetDateTimeOffset() < escalated.Body.GetProperty("request").GetProperty("deadline").GetDateTimeOffset());
        var steps = escalated.Body.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToList();
        Assert.Equal(3, steps.Count(k => k == "widened"));
        Assert.Equal("escalated", steps[^1]);

        // Checked in but never out: closed unconfirmed and flagged, and the volunteer is free again.
        await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{won}", DispatchFixture.Dispatcher), r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted");
        Assert.Equal("checked-in", (await Api.PostAsync($"service-requests/{won}/check-in", null, DispatchFixture.As(f.LoneVolunteer))).Str("status"));
        var closed = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{won}", DispatchFixture.Dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "unconfirmed", TimeSpan.FromSeconds(40));
        Assert.True(closed.Body.GetProperty("request").GetProperty("flagged").GetBoolean());
        Assert.Null(await new RequestStore(f.Storage()).BookingAsync(f.LoneVolunteer));
    }

    [Fact]
    public async Task An_emergency_nobody_accepts_is_escalated_at_its_warning_point_before_the_deadline()
    {
        var id = (await f.CreateAsync("emergency", f.CentreGrid, "companionship")).Str("id");
        var view = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", DispatchFixture.Dispatcher),
            r => r.Body.GetProperty("request").TryGetProperty("atRiskSince", out var at) && at.ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(40));
        var request = view.Body.GetProperty("request");
        var atRisk = request.GetProperty("atRiskSince").GetDateTimeOffset();
        Assert.True(atRisk < request.GetProperty("deadline").GetDateTimeOffset(), $"at risk {atRisk:O}");
        Assert.True(atRisk >= request.GetProperty("warnAt").GetDateTimeOffset().AddMilliseconds(-100));
        Assert.Contains(view.Body.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "at-risk");
        var events = await new Outbox(f.Storage(), TimeProvider.System).ListAsync($"/service-requests/{id}");
        Assert.Contains(events, e => e.Type == "Serverless.Dispatch.RequestAtRisk");
    }

    [Fact]
    public async Task Volunteers_phones_are_masked_except_to_the_bureau_and_themselves_and_bad_input_is_refused()
    {
        var v = f.Volunteers[0];
        var self = await Api.GetAsync($"volunteers/{v}", DispatchFixture.As(v));
        var dispatcher = await Api.GetAsync($"volunteers/{v}", DispatchFixture.Dispatcher);
        Assert.DoesNotContain("*", self.Str("phone"), StringComparison.Ordinal);
        Assert.Contains("****", dispatcher.Str("phone"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"volunteers/{v}", DispatchFixture.As(f.Volunteers[1]))).Status);

        // An update moves the volunteer in the matching index: a tutoring request in their new grid finds them.
        var map = DistrictMap.Shipped;
        var newGrid = map.Grids.Keys.Order(StringComparer.Ordinal).First(g => map.StreetOf(g) != f.Street && map.StreetOf(g) != map.StreetOf(f.LoneGrid));
        var moved = await Api.PutAsync($"volunteers/{v}", DispatchFixture.Form("搬家的志愿者", newGrid, ["tutoring"]), DispatchFixture.As(v));
        Assert.Equal((HttpStatusCode.OK, newGrid), (moved.Status, moved.Str("gridId")));
        var tutoring = (await f.CreateAsync("yellow", newGrid, "tutoring")).Str("id");
        Assert.Equal([v], await f.OpenOffersAsync(tutoring, 1));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"offers/{await f.OfferIdAsync(v, tutoring)}/decline", null, DispatchFixture.As(v))).Status);
        var suspend = await Api.PutAsync($"volunteers/{v}", new { name = "搬家的志愿者", phone = "13800000000", gridId = newGrid, skills = new[] { "tutoring" }, availability = new[] { new { day = "monday", from = "08:00", to = "18:00" } }, status = "suspended" }, DispatchFixture.As(v));
        Assert.Equal(HttpStatusCode.Forbidden, suspend.Status);

        var bad = await Api.PostAsync("volunteers", new { name = "", phone = "12", gridId = "g9999", skills = Array.Empty<string>(), availability = new[] { new { day = "monday", from = "18:00", to = "09:00" } } }, Samples.Admin);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(bad));
        Assert.Superset(new HashSet<string> { "name", "phone", "gridId", "skills", "availability[0]" }, bad.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet());
        var unknownSkill = await Api.PostAsync("service-requests", new { beneficiaryId = "r1", beneficiaryName = "李奶奶", need = "陪同就医", skills = new[] { "juggling" }, gridId = f.CentreGrid, tier = "red" }, DispatchFixture.Dispatcher);
        Assert.Equal(HttpStatusCode.BadRequest, unknownSkill.Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Api.PostAsync("service-requests", new { }, DispatchFixture.As(v))).Status);
    }

    [Fact]
    public async Task A_blue_request_is_served_credited_once_under_duplicate_deliveries_and_counted_in_the_community_report()
    {
        var id = (await f.CreateAsync("blue", f.CentreGrid, "companionship")).Str("id");
        var volunteer = Assert.Single(await f.OpenOffersAsync(id, 1));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"offers/{await f.OfferIdAsync(volunteer, id)}/accept", null, DispatchFixture.As(volunteer))).Status);
        await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", DispatchFixture.Dispatcher), r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted");
        await Api.PostAsync($"service-requests/{id}/check-in", null, DispatchFixture.As(volunteer));
        await Api.PostAsync($"service-requests/{id}/check-out", null, DispatchFixture.As(volunteer));

        // The same credit delivered five times at once (a retried step, a duplicated message): written once.
        var ledger = new HoursLedger(f.Storage(), TimeProvider.System);
        var request = (await new RequestStore(f.Storage()).FindAsync(id))!.Value.Request;
        var credited = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ledger.CreditAsync(request)));
        Assert.Single(credited, c => c);
        Assert.Equal("confirmed", (await Api.PostAsync($"service-requests/{id}/confirm", null, DispatchFixture.Dispatcher)).Str("status"));
        var entries = await ledger.EntriesAsync([volunteer]);
        Assert.Equal(0m, entries.Sum(e => e.Hours));
        Assert.Equal(0.25m, entries.Where(e => e.Account == volunteer).Sum(e => e.Hours));

        var today = District.Today(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var report = await Api.GetAsync($"reports/volunteering?from={today}&to={today}", DispatchFixture.Dispatcher);
        Assert.Equal(HttpStatusCode.OK, report.Status);
        var community = report.Body.GetProperty("communities").EnumerateArray().Single(c => c.GetProperty("communityId").GetString() == DistrictMap.Shipped.CommunityOf(f.CentreGrid).Id);
        Assert.True(community.GetProperty("confirmed").GetInt32() >= 1);
        Assert.True(community.GetProperty("hours").GetDecimal() >= 0.25m);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(await Api.GetAsync($"reports/volunteering?from={today}&to=2020-01-01", DispatchFixture.Dispatcher)));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"reports/volunteering?from={today}&to={today}", DispatchFixture.As(volunteer))).Status);
    }

    [Fact]
    public async Task A_pairing_that_misses_a_visit_reminds_then_escalates_and_moves_on_period_by_period()
    {
        var volunteer = f.Volunteers[^1];
        var created = await Api.PostAsync("pairings", new { volunteerId = volunteer, beneficiaryId = "res-pair-1", beneficiaryName = "王奶奶", gridId = f.CentreGrid, every = "PT6S", grace = "PT3S" }, DispatchFixture.Dispatcher);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.GetProperty("pairing").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"pairings/{id}/visits", new { notes = "不是我的结对" }, DispatchFixture.As(f.Volunteers[0]))).Status);
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync($"pairings/{id}/visits", new { notes = "上门陪伴聊天，血压正常。" }, DispatchFixture.As(volunteer))).Status);

        // Period 0 was visited; period 1 is not: a reminder at its end, an escalation a grace period later.
        var outbox = new Outbox(f.Storage(), TimeProvider.System);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<DomainEvent> events;
        while (!(events = await outbox.ListAsync($"/pairings/{id}")).Exists(e => e.Type == "Serverless.Dispatch.PairingVisitEscalated"))
        {
            Assert.True(DateTime.UtcNow < deadline, "No escalation of the missed visit.");
            await Task.Delay(300);
        }

        var missed = events.Where(e => e.Type.StartsWith("Serverless.Dispatch.PairingVisit", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Serverless.Dispatch.PairingVisitMissed", "Serverless.Dispatch.PairingVisitEscalated"], missed.Take(2).Select(e => e.Type).ToArray());
        Assert.All(missed.Take(2), e => Assert.Contains("\"period\":1", e.Data, StringComparison.Ordinal));
        // The escalation was stored with the pairing's count, in its partition; the reminder, which changes nothing, on its own.
        Assert.Contains(await OutboxRowsAsync(TableNames.Pairings, id), e => e.Type == "Serverless.Dispatch.PairingVisitEscalated");
        Assert.DoesNotContain(await OutboxRowsAsync(TableNames.Pairings, id), e => e.Type == "Serverless.Dispatch.PairingVisitMissed");
        var pairing = await Poll.UntilAsync(() => Api.GetAsync($"pairings/{id}", DispatchFixture.Dispatcher), r => r.Body.GetProperty("pairing").GetProperty("period").GetInt32() >= 2);
        Assert.True(pairing.Body.GetProperty("pairing").GetProperty("missed").GetInt32() >= 1);
        Assert.Single(pairing.Body.GetProperty("visits").EnumerateArray());
        Assert.Equal("ended", (await Api.PostAsync($"pairings/{id}/end", null, DispatchFixture.Dispatcher)).Body.GetProperty("pairing").GetProperty("status").GetString());
    }

    private static (HttpStatusCode, string?) Of(Harness.Reply reply) => (reply.Status, reply.Code);
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Integration.Tests.Harness;
using Xunit.Abstractions;
using Reply = Serverless.Integration.Tests.Harness.Reply;

namespace Serverless.Integration.Tests;

/// <summary>
/// The DevHost killed (SIGKILL) at seeded random moments and started again, ten times, while a round closes on
/// its timer and is screened, a tender opens on its timer, and service requests are dispatched to volunteers
/// who accept, check in and out as offers reach them. Then: every workflow reaches its end, and nothing
/// acknowledged is lost or done twice: every application, bid and request is there; each request was won by
/// one volunteer, credited once, and its events and audit trail hold each transition once.
/// <c>CRASH_KILLS</c> runs more kill points on demand.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Grid = "g0001";
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("CRASH_KILLS"), out var k) ? k : 10;
    private static readonly string Dispatcher = "dispatcher; id=crash-grid-worker; community=" + DistrictMap.Shipped.FindGrid(Grid)!.CommunityId;
    private DevHostProcess host = null!;
    private volatile bool down;

    private ApiClient Api => host.Client;

    public async Task InitializeAsync() => host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
    {
        ["Dispatch__Window__Blue"] = "PT600S",
        ["Dispatch__OfferTimeout__Blue"] = "PT20S",
        ["Dispatch__CheckOutWithin"] = "PT600S",
        ["Durable__WorkItemQueueVisibilityTimeout"] = "00:00:05",
        ["Durable__ControlQueueVisibilityTimeout"] = "00:00:05",
        ["DevHost__QueueRetryDelay"] = "00:00:00.200",
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Killed_ten_times_while_rounds_close_tenders_open_and_requests_dispatch_nothing_is_lost_or_done_twice()
    {
        // What is acknowledged before the crashes begin.
        var volunteers = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var v = await Api.PostAsync("volunteers", Volunteer($"抗压志愿者{i}"), Samples.Admin);
            Assert.True(v.Status == HttpStatusCode.Created, v.ToString());
            volunteers.Add(v.Str("id"));
        }

        var now = DateTimeOffset.UtcNow;
        var roundId = (await Api.PostAsync("rounds", Samples.RoundForm(now.AddMinutes(-1), now.AddSeconds(12)), Samples.Admin)).Str("id");
        await Api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        var applications = new List<string>();
        var bidders = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var org = (await Api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode(), $"抗压机构{i}"), Samples.Admin)).Str("id");
            bidders.Add(org);
            for (var j = 0; j < 2; j++)
            {
                var application = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(30_000m + (j * 1_000m), $"抗压项目{i}-{j}"), Samples.Organization(org));
                Assert.True(application.Status == HttpStatusCode.Created, application.ToString());
                applications.Add(application.Str("id"));
            }
        }

        var tenderId = (await Api.PostAsync("tenders", TenderTests.TenderForm(now.AddSeconds(8), now.AddSeconds(14)), Samples.Admin)).Str("id");
        await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin);
        var bids = new List<string>();
        foreach (var org in bidders)
        {
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", TenderTests.BidForm("A", 400_000m + (bids.Count * 5_000m)), Samples.Organization(org));
            Assert.True(receipt.Status == HttpStatusCode.Created, receipt.ToString());
            bids.Add(receipt.Str("bidId"));
        }

        var requests = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var request = await Api.PostAsync("service-requests", new
            {
                beneficiaryId = $"res-crash{i:D2}",
                beneficiaryName = "孙奶奶",
                vulnerability = "elderly-alone",
                need = "上门陪伴聊天。",
                skills = new[] { "companionship" },
                gridId = Grid,
                tier = "blue",
                source = "hotline",
            }, Dispatcher);
            Assert.True(request.Status == HttpStatusCode.Created, request.ToString());
            requests.Add(request.Str("id"));
        }

        // Volunteers answer their offers, check in and out, whenever the DevHost is up; the crashes go on meanwhile.
        using var stop = new CancellationTokenSource();
        var agents = VolunteersAsync(volunteers, requests, stop.Token);
        var random = new Random(20271127);
        for (var kill = 1; kill <= Kills; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(800, 3500)));
            down = true;
            await host.KillAsync();
            await host.StartAgainAsync();
            down = false;
            output.WriteLine($"kill {kill}: back in {host.LastStartup.TotalSeconds:F1} s");
        }

        // Every workflow reaches its end.
        await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}", Samples.Admin), r => r.Str("status") is not ("open" or "closed"), TimeSpan.FromSeconds(120));
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened", TimeSpan.FromSeconds(120));
        foreach (var id in requests)
        {
            await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{id}", Dispatcher), r => Status(r) == "checked-out", TimeSpan.FromSeconds(90));
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"service-requests/{id}/confirm", null, Dispatcher)).Status);
        }

        await stop.CancelAsync();
        await agents;

        // Nothing lost.
        var listed = (await Api.GetAsync($"rounds/{roundId}/applications", Samples.Admin)).Body.EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Equal(applications.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var opened = (await Api.GetAsync($"tenders/{tenderId}/bids", Samples.Admin)).Body.EnumerateArray().Select(b => b.GetProperty("id").GetString()).ToList();
        Assert.Equal(bids.Order(StringComparer.Ordinal), opened.Order(StringComparer.Ordinal));

        // Nothing twice.
        var outbox = new Outbox(Storage(), TimeProvider.System);
        var credited = 0m;
        foreach (var id in requests)
        {
            var view = (await Api.GetAsync($"service-requests/{id}", Dispatcher)).Body.GetProperty("request");
            Assert.Equal("confirmed", view.GetProperty("status").GetString());
            var offers = view.GetProperty("offers").EnumerateArray().Select(o => o.GetProperty("offerId").GetString()).ToList();
            Assert.Equal(offers.Count, offers.Distinct().Count());
            credited += view.GetProperty("hours").GetDecimal();
            var events = await outbox.ListAsync($"/service-requests/{id}");
            Assert.Single(events, e => e.Type == "Serverless.Dispatch.RequestCreated");
            Assert.Single(events, e => e.Type == "Serverless.Dispatch.ServiceConfirmed");
            Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
            var trail = (await Api.GetAsync($"audit/service-requests/{id}", Samples.Admin)).Body;
            Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
            Assert.Single(trail.GetProperty("entries").EnumerateArray(), e => e.GetProperty("record").GetProperty("changes").EnumerateArray()
                .Any(c => c.GetProperty("path").GetString() == "status" && c.GetProperty("after").GetString() == "\"confirmed\""));
        }

        var balances = 0m;
        foreach (var v in volunteers)
        {
            var statement = (await Api.GetAsync($"volunteers/{v}/hours", Samples.Admin)).Body;
            var entries = statement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("transactionId").GetString()).ToList();
            Assert.Equal(entries.Count, entries.Distinct().Count());
            balances += statement.GetProperty("balance").GetDecimal();
        }

        Assert.Equal(credited, balances);
        var tenderEvents = await outbox.ListAsync($"/tenders/{tenderId}");
        Assert.Single(tenderEvents, e => e.Type == "Serverless.Procurement.TenderOpened");
    }

    /// <summary>
    /// The volunteers at their phones: accept what is offered, go when the request is theirs, come back. Errors
    /// while the DevHost is down are expected; every action is taken again on the next turn until it shows.
    /// </summary>
    private async Task VolunteersAsync(IReadOnlyList<string> volunteers, IReadOnlyList<string> requests, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(300, stop);
                if (down)
                {
                    continue;
                }

                foreach (var volunteer in volunteers)
                {
                    var self = $"volunteer; volunteer={volunteer}";
                    foreach (var offer in (await Api.GetAsync("offers/mine", self)).Body.EnumerateArray().ToList())
                    {
                        await Api.PostAsync($"offers/{offer.GetProperty("id").GetString()}/accept", null, self);
                    }
                }

                foreach (var requestId in requests)
                {
                    var view = await Api.GetAsync($"service-requests/{requestId}", Dispatcher);
                    var status = Status(view);
                    if (status is "accepted" or "checked-in")
                    {
                        var self = $"volunteer; volunteer={view.Body.GetProperty("request").GetProperty("volunteerId").GetString()}";
                        await Api.PostAsync($"service-requests/{requestId}/{(status == "accepted" ? "check-in" : "check-out")}", null, self);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the DevHost is being killed under this loop: any failure is retried on the next turn
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private static string? Status(Reply reply) =>
        reply.Status == HttpStatusCode.OK && reply.Body.TryGetProperty("request", out var request) ? request.GetProperty("status").GetString() : null;

    private static object Volunteer(string name) => new
    {
        name,
        phone = "13600002222",
        gridId = Grid,
        skills = new[] { "companionship" },
        availability = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToLowerInvariant(), from = "00:00", to = "23:59" }).ToArray(),
        weeklyCap = 10,
    };

    private Storage Storage() => host.Storage();
}

/// <summary>
/// Tests that load the machine hard (a DevHost killed and restarted ten times) run alone, after the others, so
/// the others' seconds-long workflow clocks are not measured on a machine busy restarting processes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}

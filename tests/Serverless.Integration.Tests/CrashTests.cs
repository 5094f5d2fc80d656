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
        await KillAsync(new Random(20271127), 800, 3500, CancellationToken.None);

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

    [Fact]
    public async Task Killed_while_a_round_is_reviewed_ranked_and_awarded_and_a_tender_evaluated_awarded_and_paid_nothing_is_lost_or_done_twice()
    {
        // Acknowledged before the crashes begin: three organizations, a round of four applications that funds two,
        // a tender of one lot with three bids.
        var orgs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            orgs.Add((await Api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode(), $"抗压评审机构{i}"), Samples.Admin)).Str("id"));
        }

        var now = DateTimeOffset.UtcNow;
        var round = await Api.PostAsync("rounds", new
        {
            title = "2027 年度公益创投（抗压）",
            programmeAreas = new[] { "elderly-care" },
            budget = 100_000m,
            minGrant = 20_000m,
            maxGrant = 100_000m,
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddSeconds(10),
            rubric = new object[] { new { id = "need", name = "需求分析", weight = 50, maxPoints = 10 }, new { id = "design", name = "项目设计", weight = 50, maxPoints = 10 } },
            reviewersPerApplication = 2,
            blindReview = false,
            aggregation = "mean",
            periods = new { screening = "PT4S", review = "PT3M", publicity = "PT6S", committee = "PT3M", signing = "PT3M", reportGrace = "PT3M" },
            tranches = new object[] { new { name = "签约", percent = 60 }, new { name = "终期评估", percent = 40, reportDueAfter = "PT10M" } },
            debarmentYears = 3,
            panel = Enumerable.Range(1, 3).Select(i => new { reviewerId = $"crash-expert-{i}", name = $"专家{i}", memberOf = Array.Empty<string>(), declaredConflicts = Array.Empty<string>() }).ToArray(),
        }, Samples.Admin);
        Assert.True(round.Status == HttpStatusCode.Created, round.ToString());
        var roundId = round.Str("id");
        await Api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        var applications = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var application = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(50_000m, $"抗压评审项目{i}"), Samples.Organization(orgs[i % 3]));
            Assert.True(application.Status == HttpStatusCode.Created, application.ToString());
            applications.Add(application.Str("id"));
        }

        var tender = await Api.PostAsync("tenders", new
        {
            title = "2027 年居家养老上门服务采购（抗压）",
            method = "open-tender",
            evaluation = "comprehensive-scoring",
            priceWeight = 20,
            technicalCriteria = new object[] { new { id = "plan", name = "服务方案", maxPoints = 50 }, new { id = "team", name = "人员配备", maxPoints = 30 } },
            evaluators = new[] { "crash-expert-1", "crash-expert-2" },
            enquiryDeadline = now.AddSeconds(3),
            bidDeadline = now.AddSeconds(12),
            periods = new { explanation = "PT8S", standstill = "PT6S", signing = "PT3M", reportGrace = "PT3M" },
            milestones = new object[] { new { name = "中期", percent = 60, dueAfter = "PT10M" }, new { name = "终期", percent = 40, dueAfter = "PT10M" } },
            maxDeductionPercent = 30,
            lots = new object[]
            {
                new { id = "A", title = "抚顺街道居家养老", budgetCeiling = 500_000m, specification = "为 300 名空巢老人提供每周上门服务。", kpis = new[] { new { id = "served", name = "服务人数", target = 300m, unit = "人" } } },
            },
        }, Samples.Admin);
        Assert.True(tender.Status == HttpStatusCode.Created, tender.ToString());
        var tenderId = tender.Str("id");
        await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin);
        var bids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", TenderTests.BidForm("A", 400_000m + (i * 10_000m)), Samples.Organization(orgs[i]));
            Assert.True(receipt.Status == HttpStatusCode.Created, receipt.ToString());
            bids.Add(receipt.Str("bidId"));
        }

        // The people do their part whenever the DevHost answers, while it is killed at seeded random moments.
        using var done = new CancellationTokenSource();
        // Kills 1 to 3 s apart: with reviews and screening no longer quadratic the workflows end in about 20 s,
        // and the test is about crashes landing inside them, five at least.
        var killer = KillAsync(new Random(20271128), 1000, 3000, done.Token);
        var roundPeople = RoundPeopleAsync(roundId);
        var tenderPeople = TenderPeopleAsync(tenderId, bids, orgs);
        await Task.WhenAll(roundPeople, tenderPeople);
        var (grants, contractId) = (await roundPeople, await tenderPeople);
        await done.CancelAsync();
        var kills = await killer;
        output.WriteLine($"{kills} kills while the round was reviewed, ranked and awarded and the tender evaluated, awarded and paid");
        Assert.True(kills >= 5, $"only {kills} kills happened before the workflows ended");

        // Nothing lost.
        var listed = (await Api.GetAsync($"rounds/{roundId}/applications", Samples.Admin)).Body.EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Equal(applications.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var opened = (await Api.GetAsync($"tenders/{tenderId}/bids", Samples.Admin)).Body.EnumerateArray().Select(b => b.GetProperty("id").GetString()).ToList();
        Assert.Equal(bids.Order(StringComparer.Ordinal), opened.Order(StringComparer.Ordinal));

        // Nothing twice: one grant per funded project, each first tranche paid once; one contract, its milestone paid once.
        var funded = (await Api.GetAsync($"rounds/{roundId}/results")).Body.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("funded").GetBoolean()).Select(r => r.GetProperty("applicationId").GetString()).ToList();
        Assert.Equal(2, funded.Count);
        var grantViews = (await Api.GetAsync($"rounds/{roundId}/grants", Samples.Admin)).Body.EnumerateArray().ToList();
        Assert.Equal(funded.Order(StringComparer.Ordinal), grantViews.Select(g => g.GetProperty("applicationId").GetString()).Order(StringComparer.Ordinal));
        var storage = Storage();
        var outbox = new Outbox(storage, TimeProvider.System);
        var grantStore = new Serverless.Core.Ventures.GrantStore(storage);
        foreach (var grant in grants)
        {
            Assert.Equal(1, await grantStore.PaymentCountAsync(grant));
            Assert.Equal(30_000m, (await grantStore.FindAsync(grant))!.Value.Grant.Paid);
            var events = await outbox.ListAsync($"/grants/{grant}");
            Assert.Single(events, e => e.Type == "Serverless.Ventures.TrancheReleased");
            await AssertIntactAsync($"audit/grants/{grant}");
        }

        var roundEvents = await outbox.ListAsync($"/rounds/{roundId}");
        Assert.Single(roundEvents, e => e.Type == "Serverless.Ventures.RoundClosed");
        Assert.Equal(applications.Order(StringComparer.Ordinal), roundEvents.Where(e => e.Type == "Serverless.Ventures.ApplicationSubmitted").Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.Single(roundEvents, e => e.Type == "Serverless.Ventures.ResultsPublished");
        Assert.Single(roundEvents, e => e.Type == "Serverless.Ventures.AwardsMade");
        Assert.Equal(roundEvents.Count, roundEvents.Select(e => e.Id).Distinct().Count());
        await AssertIntactAsync($"audit/rounds/{roundId}");

        var contracts = (await Api.GetAsync($"tenders/{tenderId}/contracts", Samples.Admin)).Body.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal([contractId], contracts);
        var payments = await new Serverless.Core.Procurement.ContractStore(storage).PaymentsAsync(contractId);
        Assert.Equal([0], payments.Keys);
        var tenderEvents = await outbox.ListAsync($"/tenders/{tenderId}");
        foreach (var type in new[] { "TenderOpened", "LotRanked", "AwardPublished", "ContractDrawn" })
        {
            Assert.Single(tenderEvents, e => e.Type == "Serverless.Procurement." + type);
        }

        var contractEvents = await outbox.ListAsync($"/contracts/{contractId}");
        foreach (var type in new[] { "ContractSigned", "MilestoneAccepted", "MilestonePaid" })
        {
            Assert.Single(contractEvents, e => e.Type == "Serverless.Procurement." + type);
        }

        Assert.Equal(tenderEvents.Count + contractEvents.Count, tenderEvents.Concat(contractEvents).Select(e => e.Id).Distinct().Count());
        await AssertIntactAsync($"audit/contracts/{contractId}");
    }

    /// <summary>
    /// Kills and restarts the DevHost at random moments (<paramref name="fromMs"/> to <paramref name="toMs"/> apart)
    /// until told to stop or <see cref="Kills"/> is reached; how many kills.
    /// </summary>
    private async Task<int> KillAsync(Random random, int fromMs, int toMs, CancellationToken stop)
    {
        var kills = 0;
        while (kills < Kills && !stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(fromMs, toMs)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            down = true;
            await host.KillAsync();
            await host.StartAgainAsync();
            down = false;
            kills++;
            output.WriteLine($"kill {kills}: back in {host.LastStartup.TotalSeconds:F1} s");
        }

        return kills;
    }

    /// <summary>Reviewers score what they are assigned, the committee approves, both parties sign each grant; until the first tranches are paid.</summary>
    private async Task<List<string>> RoundPeopleAsync(string roundId)
    {
        await UntilAsync(async api =>
        {
            var status = (await api.GetAsync($"rounds/{roundId}", Samples.Admin)).Str("status");
            if (status == "review")
            {
                for (var i = 1; i <= 3; i++)
                {
                    var reviewer = $"reviewer; id=crash-expert-{i}";
                    foreach (var assignment in (await api.GetAsync("reviews/mine", reviewer)).Body.EnumerateArray()
                        .Where(a => a.GetProperty("roundId").GetString() == roundId && a.GetProperty("status").GetString() == "assigned").ToList())
                    {
                        var app = assignment.GetProperty("applicationId").GetString();
                        var points = 5 + (app!.GetHashCode(StringComparison.Ordinal) & 3);
                        await api.PostAsync($"rounds/{roundId}/applications/{app}/reviews", new { scores = new { need = points, design = points }, comment = "评审意见：方案可行。" }, reviewer);
                    }
                }
            }
            else if (status == "committee")
            {
                await api.PostAsync($"rounds/{roundId}/stages/results/approve", null, "committee; id=crash-committee");
            }

            return status == "awarded";
        }, "the round awarded");

        List<string> grants = [];
        await UntilAsync(async api =>
        {
            var list = (await api.GetAsync($"rounds/{roundId}/grants", Samples.Admin)).Body.EnumerateArray().ToList();
            grants = list.Select(g => g.GetProperty("id").GetString()!).ToList();
            var paid = 0;
            foreach (var grant in list)
            {
                var id = grant.GetProperty("id").GetString()!;
                var org = grant.GetProperty("organizationId").GetString()!;
                if ((await api.GetAsync($"grants/{id}", Samples.Admin)).Body.GetProperty("paid").GetDecimal() > 0)
                {
                    paid++;
                    continue;
                }

                await api.PostAsync($"grants/{id}/sign", null, Samples.Organization(org));
                await api.PostAsync($"grants/{id}/sign", null, Samples.Admin);
            }

            return list.Count == 2 && paid == 2;
        }, "both grants signed and their first tranches paid");
        return grants;
    }

    /// <summary>The evaluators score every bid, the bureau ranks and awards the lot, both sign, the supplier reports and the bureau accepts; until it is paid.</summary>
    private async Task<string> TenderPeopleAsync(string tenderId, List<string> bids, List<string> orgs)
    {
        await UntilAsync(async api => (await api.GetAsync($"tenders/{tenderId}")).Str("status") == "opened", "the tender opened");
        await UntilAsync(async api =>
        {
            foreach (var (bid, index) in bids.Select((b, i) => (b, i)))
            {
                foreach (var expert in new[] { "crash-expert-1", "crash-expert-2" })
                {
                    await api.PostAsync($"tenders/{tenderId}/bids/{bid}/evaluations",
                        new { scores = new Dictionary<string, decimal> { ["plan"] = 40 - (index * 3), ["team"] = 25 - index } }, $"reviewer; id={expert}");
                }
            }

            var ranking = await api.PostAsync($"tenders/{tenderId}/lots/A/ranking", null, Samples.Admin);
            return ranking.Status == HttpStatusCode.OK;
        }, "lot A ranked");
        await UntilAsync(async api =>
        {
            var award = await api.PostAsync($"tenders/{tenderId}/lots/A/award", null, Samples.Admin);
            return award.Status == HttpStatusCode.OK || (await api.GetAsync($"tenders/{tenderId}/lots/A/award")).Status == HttpStatusCode.OK;
        }, "lot A awarded");

        var contractId = string.Empty;
        object report = new { delivered = new Dictionary<string, decimal> { ["served"] = 300m }, evidence = new[] { "服务签到表（扫描件）" }, summary = "本期完成上门服务，详见签到表。" };
        await UntilAsync(async api =>
        {
            var contract = (await api.GetAsync($"tenders/{tenderId}/contracts", Samples.Admin)).Body.EnumerateArray().FirstOrDefault();
            if (contract.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            contractId = contract.GetProperty("id").GetString()!;
            var view = await api.GetAsync($"contracts/{contractId}", Samples.Admin);
            var milestone = view.Body.GetProperty("milestones")[0];
            if (milestone.TryGetProperty("payment", out var payment) && payment.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            var supplier = Samples.Organization(orgs[0]);
            switch (view.Str("status"))
            {
                case "awaiting-signature":
                    await api.PostAsync($"contracts/{contractId}/sign", null, supplier);
                    await api.PostAsync($"contracts/{contractId}/sign", null, Samples.Admin);
                    break;
                case "active":
                    await api.PostAsync($"contracts/{contractId}/milestones/0/report", report, supplier);
                    await api.PostAsync($"contracts/{contractId}/milestones/0/acceptance", new { decision = "accept" }, Samples.Admin);
                    break;
            }

            return false;
        }, "the contract signed and its first milestone paid");
        return contractId;
    }

    /// <summary>Repeats a person's turn until it reports done; a turn the crashes interrupt is taken again.</summary>
    private async Task UntilAsync(Func<ApiClient, Task<bool>> turn, string what)
    {
        var started = DateTime.UtcNow;
        var until = started.AddMinutes(4);
        Exception? last = null;
        while (true)
        {
            if (!down)
            {
                try
                {
                    if (await turn(Api))
                    {
                        output.WriteLine($"{what}: after {(DateTime.UtcNow - started).TotalSeconds:F1} s");
                        return;
                    }
                }
#pragma warning disable CA1031 // the DevHost is being killed under these turns: any failure is retried on the next turn
                catch (Exception e)
#pragma warning restore CA1031
                {
                    last = e;
                }
            }

            Assert.True(DateTime.UtcNow < until, $"Not reached: {what}. Last failure: {last?.Message}");
            await Task.Delay(300);
        }
    }

    private async Task AssertIntactAsync(string path)
    {
        var trail = (await Api.GetAsync(path, Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
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

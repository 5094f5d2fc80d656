using System.Net;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>Each test here has a DevHost of its own, since it kills it or runs it differently.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task A_round_orchestration_completes_after_the_DevHost_is_killed_and_started_again_before_the_deadline()
    {
        // The sweep is off: only the durable timer, resumed by the new process, can close this round. The workflow's
        // first message may be in the killed process's hands: it reappears after the visibility timeout, short here
        // as in CrashTests (the DevHost's default, 2 minutes, outlasts a burst's buffering; README).
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
        {
            ["DevHost__Schedules__CloseOverdueRounds"] = "off",
            ["Durable__ControlQueueVisibilityTimeout"] = "00:00:05",
        });
        var api = host.Client;
        var now = DateTimeOffset.UtcNow;
        var round = await api.PostAsync("rounds", Samples.RoundForm(now.AddMinutes(-1), now.AddSeconds(12)), Samples.Admin);
        var roundId = round.Str("id");
        await api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        var org = await api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode()), Samples.Admin);
        var application = await api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(org.Str("id")));
        Assert.Equal(HttpStatusCode.Created, application.Status);
        Assert.Contains((await api.GetAsync($"rounds/{roundId}/workflow", Samples.Admin)).Str("runtimeStatus"), new[] { "Pending", "Running" });

        await host.KillAsync();
        Assert.True(DateTimeOffset.UtcNow < now.AddSeconds(12), "the DevHost must be down before the deadline for this test to mean anything");
        await host.StartAgainAsync();

        var closed = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Body.TryGetProperty("closedAt", out _), TimeSpan.FromSeconds(60));
        Assert.Equal("timer", closed.Str("closedBy"));
        Assert.Equal(1, closed.Body.GetProperty("applicationsReceived").GetInt32());
        var workflow = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}/workflow", Samples.Admin),
            r => r.Body.GetProperty("customStatus").GetProperty("stage").GetString() == "closed");
        Assert.Equal("Completed", (await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}/workflow", Samples.Admin), r => r.Str("runtimeStatus") == "Completed")).Str("runtimeStatus"));
    }

    [Fact]
    public async Task The_sweep_closes_an_open_round_past_its_deadline_that_has_no_orchestration()
    {
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["DevHost__Schedules__CloseOverdueRounds"] = "*/2 * * * * *" });
        // Arrange the state a crash between publishing and starting the workflow leaves behind: an open
        // round in the table, and no orchestration for it.
        var storage = host.Storage();
        var now = DateTimeOffset.UtcNow;
        var roundId = Ids.New("rnd", TimeProvider.System);
        var orphan = new Round(roundId, "崩溃后遗留的轮次", [ProgrammeArea.ElderlyCare], 100_000m, 10_000m, 50_000m,
            now.AddHours(-2), now.AddSeconds(-5), [new Criterion("need", "需求", 100, 10)], 3, new EligibilityRules(),
            new StagePeriods(), false, false, RoundStatus.Open, now.AddHours(-3), "dev-admin", PublishedAt: now.AddHours(-2));
        Assert.True(await new RoundStore(storage).TryAddAsync(orphan, "arranged"));

        var closed = await Poll.UntilAsync(() => host.Client.GetAsync($"rounds/{roundId}"), r => r.Body.TryGetProperty("closedAt", out _));

        Assert.Equal(0, closed.Body.GetProperty("applicationsReceived").GetInt32());
        await Poll.UntilAsync(() => host.Client.GetAsync($"rounds/{roundId}/workflow", Samples.Admin),
            r => r.Body.GetProperty("customStatus").GetProperty("stage").GetString() == "closed");
    }

    [Fact]
    public async Task The_last_review_submitted_moves_the_round_to_the_committee_with_no_sweep_and_long_before_the_deadline()
    {
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["DevHost__Schedules__WakeReviewedRounds"] = "off" });
        var (roundId, reviewers) = await RoundInReviewAsync(host, "最后一份评审");

        var assignments = new List<(string Reviewer, string Application)>();
        foreach (var reviewer in reviewers)
        {
            var mine = await host.Client.GetAsync("reviews/mine", reviewer);
            assignments.AddRange(mine.Body.EnumerateArray().Where(a => a.GetProperty("roundId").GetString() == roundId).Select(a => (reviewer, a.GetProperty("applicationId").GetString()!)));
        }

        Assert.Equal(2, assignments.Count);
        foreach (var (reviewer, application) in assignments)
        {
            var reply = await host.Client.PostAsync($"rounds/{roundId}/applications/{application}/reviews", new { scores = new { need = 8 }, comment = "需求清楚，方案可行。" }, reviewer);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
        }

        // The review deadline is ten minutes away and no sweep runs: the check the last review asked for wakes the workflow.
        await Poll.UntilAsync(() => host.Client.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_round_whose_last_review_was_stored_without_its_signal_leaves_review_long_before_the_deadline()
    {
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["DevHost__Schedules__WakeReviewedRounds"] = "*/2 * * * * *" });
        var (roundId, _) = await RoundInReviewAsync(host, "评审信号丢失的轮次");

        // What a crash right after storing the last review leaves: every review in, and no check asked for.
        var reviews = new ReviewStore(host.Storage());
        foreach (var review in await reviews.ListAsync(roundId))
        {
            var stored = (await reviews.FindAsync(roundId, review.ApplicationId, review.ReviewerId))!;
            await reviews.UpdateAsync(stored.Review with { Status = ReviewStatus.Submitted, Points = new Dictionary<string, int> { ["need"] = 8 }, SubmittedAt = DateTimeOffset.UtcNow }, stored);
        }

        // The review deadline is ten minutes away; the sweep wakes the workflow, which finds the reviews in.
        await Poll.UntilAsync(() => host.Client.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_reviewer_scoring_every_review_at_once_loses_none_and_the_sheets_keep_their_trails()
    {
        // Twenty applications, two reviewers each: every reviewer has twenty reviews on sixteen sheets, so some share one,
        // and scoring them all at the same moment makes their writes meet on it.
        await using var host = await DevHostProcess.StartAsync();
        var api = host.Client;
        var (roundId, reviewers) = await RoundInReviewAsync(host, "同时评审的轮次", applications: 20);
        var reviewerId = reviewers[0].Split("id=")[1];
        var mine = (await api.GetAsync("reviews/mine", reviewers[0])).Body.EnumerateArray()
            .Where(a => a.GetProperty("roundId").GetString() == roundId).Select(a => a.GetProperty("applicationId").GetString()!).ToList();
        Assert.Equal(20, mine.Count);
        Assert.True(mine.GroupBy(ReviewStore.SheetOf).Any(g => g.Count() > 1), "twenty applications on sixteen sheets share one");

        var replies = await Task.WhenAll(mine.Select((app, i) =>
            api.PostAsync($"rounds/{roundId}/applications/{app}/reviews", new { scores = new { need = 1 + (i % 10) }, comment = "同时提交" }, reviewers[0])));

        Assert.All(replies, r => Assert.True(r.Status == HttpStatusCode.OK, r.ToString()));
        var scored = (await api.GetAsync("reviews/mine", reviewers[0])).Body.EnumerateArray().Where(a => a.GetProperty("roundId").GetString() == roundId).ToList();
        Assert.Equal(20, scored.Count(a => a.GetProperty("status").GetString() == "submitted"));
        Assert.Equal(mine.Select((_, i) => 1 + (i % 10)).Order(),
            mine.Select(app => scored.Single(a => a.GetProperty("applicationId").GetString() == app).GetProperty("points").GetProperty("need").GetInt32()).Order());
        // The check the reviews queued (a second later) finds the second reviewer's entries still open on their sheets:
        // the round stays in review.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal("review", (await api.GetAsync($"rounds/{roundId}")).Str("status"));

        // Each review has its own trail from its scoring; each sheet's trail holds its assignments, untouched by the scoring.
        var review = (await api.GetAsync($"audit/reviews/{mine[0]}?round={roundId}&reviewer={reviewerId}", Samples.Admin)).Body;
        Assert.True(review.GetProperty("intact").GetBoolean(), review.ToString());
        Assert.Equal(1, review.GetProperty("records").GetInt64());
        foreach (var sheet in mine.Select(ReviewStore.SheetOf).Distinct())
        {
            var trail = (await api.GetAsync($"audit/review-sheets/{sheet}?round={roundId}&reviewer={reviewerId}", Samples.Admin)).Body;
            Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
            Assert.Equal(1, trail.GetProperty("records").GetInt64());
        }

        // The second reviewer's last review moves the round on: no sheet has an open entry left.
        foreach (var app in mine)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"rounds/{roundId}/applications/{app}/reviews", new { scores = new { need = 5 }, comment = "逐一评审" }, reviewers[1])).Status);
        }

        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(60));
        var results = (await api.GetAsync($"rounds/{roundId}/results", Samples.Admin)).Body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(20, results.Count);
        Assert.All(results, r => Assert.Equal(2, r.GetProperty("reviewCount").GetInt32()));
    }

    /// <summary>A round of <paramref name="applications"/> applications and a panel of two, in review with ten minutes to its deadline.</summary>
    private static async Task<(string RoundId, string[] Reviewers)> RoundInReviewAsync(DevHostProcess host, string title, int applications = 1)
    {
        var api = host.Client;
        var now = DateTimeOffset.UtcNow;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var org = (await api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode()), Samples.Admin)).Str("id");
        var round = await api.PostAsync("rounds", new
        {
            title,
            programmeAreas = new[] { "elderly-care" },
            budget = 100_000m,
            minGrant = 20_000m,
            maxGrant = 100_000m,
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddSeconds(6),
            rubric = new object[] { new { id = "need", name = "需求分析", weight = 100, maxPoints = 10 } },
            reviewersPerApplication = 2,
            periods = new { screening = "PT3S", review = "PT10M", publicity = "PT10M", committee = "PT10M" },
            panel = Enumerable.Range(1, 2).Select(i => new { reviewerId = $"wake-{tag}-{i}", name = $"专家{i}", memberOf = Array.Empty<string>(), declaredConflicts = Array.Empty<string>() }).ToArray(),
        }, Samples.Admin);
        Assert.True(round.Status == HttpStatusCode.Created, round.ToString());
        var roundId = round.Str("id");
        await api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        for (var i = 0; i < applications; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(title: $"长者助餐暖心行动 {i + 1}"), Samples.Organization(org))).Status);
        }

        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "review", TimeSpan.FromSeconds(40));
        return (roundId, [.. Enumerable.Range(1, 2).Select(i => $"reviewer; id=wake-{tag}-{i}")]);
    }

    [Fact]
    public async Task The_sweep_opens_a_tender_past_its_deadline_that_has_no_workflow()
    {
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["DevHost__Schedules__OpenDueTenders"] = "*/2 * * * * *" });
        var storage = host.Storage();
        var now = DateTimeOffset.UtcNow;
        var tenderId = Ids.New("tnd", TimeProvider.System);
        var orphan = new Tender(tenderId, "崩溃后遗留的采购项目", [new Lot("A", "助餐服务", 100_000m, "为老人提供助餐服务。", [new KpiTarget("meals", "餐次", 1000m, "次")])],
            ProcurementMethod.CompetitiveConsultation, EvaluationMethod.LowestPrice, 100, [], [], 0.8m, new TenderPeriods(),
            [new MilestonePlan("全部", 100, "P90D")], 30, now.AddHours(-3), now.AddSeconds(-5),
            TenderStatus.Open, now.AddHours(-4), "dev-admin", PublishedAt: now.AddHours(-4));
        Assert.True(await new TenderStore(storage).TryAddAsync(orphan));

        var opened = await Poll.UntilAsync(() => host.Client.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened");

        // Competitive consultation has no three-bid rule: an empty lot opens rather than fails.
        Assert.Equal("opened", opened.Body.GetProperty("lots")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_development_sign_in_is_refused_outside_Development()
    {
        await using var host = await DevHostProcess.StartAsync(environment: "Production");

        var reply = await host.Client.GetAsync("me", Samples.Admin);

        Assert.Equal((HttpStatusCode.Forbidden, "dev-sign-in-disabled"), (reply.Status, reply.Code));
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Organizations;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// A whole venture round over real HTTP on a DevHost of its own, with periods of seconds: 12 applications
/// from 8 organizations (one too young to be eligible), 5 reviewers of whom one belongs to an applicant, a
/// blind round, a review missed and reassigned, the committee sending results back once, an objection
/// upheld, a budget that funds exactly some, then six grants of two tranches of which one fails.
/// </summary>
public sealed class VentureRoundTests
{
    private const string Admin = Samples.Admin;
    private const string Committee = "committee; id=committee-chair";

    private static string Reviewer(int i) => $"reviewer; id=expert-{i}";

    [Fact]
    public async Task A_round_runs_from_close_through_screening_review_committee_publicity_and_grants_to_completion()
    {
        await using var host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["DevHost__Schedules__CloseOverdueRounds"] = "off" });
        var api = host.Client;

        // Eight organizations; the eighth was founded last month, so the round's 12-month rule excludes it.
        var orgs = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var form = Samples.OrganizationForm(Samples.NewCreditCode(), $"道里区公益组织{i + 1}号", foundedOn: i == 7 ? DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "2018-05-01");
            orgs.Add((await api.PostAsync("organizations", form, Admin)).Str("id"));
        }

        var now = DateTimeOffset.UtcNow;
        var panel = Enumerable.Range(1, 5).Select(i => new
        {
            reviewerId = $"expert-{i}",
            name = $"专家{i}",
            memberOf = i == 5 ? new[] { orgs[2] } : [],
            declaredConflicts = Array.Empty<string>(),
        }).ToArray();
        var round = await api.PostAsync("rounds", new
        {
            title = "2027 年度公益创投（全流程）",
            programmeAreas = new[] { "elderly-care", "disability" },
            budget = 300_000m,
            minGrant = 20_000m,
            maxGrant = 100_000m,
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddSeconds(20), // eight organizations and twelve applications first, on a busy machine too
            rubric = new object[]
            {
                new { id = "need", name = "需求分析", weight = 40, maxPoints = 10 },
                new { id = "design", name = "项目设计", weight = 60, maxPoints = 10 },
            },
            reviewersPerApplication = 3,
            blindReview = true,
            aggregation = "mean",
            periods = new { screening = "PT6S", review = "PT12S", publicity = "PT8S", committee = "PT30S", signing = "PT30S", reportGrace = "PT30S" },
            tranches = new object[] { new { name = "签约", percent = 60 }, new { name = "终期评估", percent = 40, reportDueAfter = "PT30S" } },
            debarmentYears = 3,
            panel,
        }, Admin);
        Assert.Equal(HttpStatusCode.Created, round.Status);
        var roundId = round.Str("id");
        await api.PostAsync($"rounds/{roundId}/publish", null, Admin);

        // Twelve applications: organizations 1-4 apply twice. Each asks 50,000, so 300,000 funds six.
        var applications = new List<(string Id, string Org)>();
        for (var i = 0; i < 12; i++)
        {
            var org = orgs[i < 8 ? i : i - 8];
            var reply = await api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(50_000m, $"项目{i + 1:D2}"), Samples.Organization(org));
            Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
            applications.Add((reply.Str("id"), org));
        }

        // Screening: automatic results appear; a reviewer confirms one; the rest stand at the deadline.
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "screening", TimeSpan.FromSeconds(40));
        var young = applications.Single(a => a.Org == orgs[7]);
        var youngView = await api.GetAsync($"rounds/{roundId}/applications/{young.Id}", Samples.Organization(orgs[7]));
        var screening = youngView.Body.GetProperty("screening");
        Assert.False(screening.GetProperty("eligible").GetBoolean());
        Assert.Contains(screening.GetProperty("checks").EnumerateArray(),
            c => c.GetProperty("rule").GetString() == "founded-long-enough" && !c.GetProperty("passed").GetBoolean());
        var overturned = await api.PostAsync($"rounds/{roundId}/applications/{young.Id}/screening", new { decision = "overturn", note = "成立时间按登记证书计算" }, Reviewer(2));
        Assert.True(overturned.Body.GetProperty("eligible").GetBoolean());
        Assert.True(overturned.Body.GetProperty("overturned").GetBoolean());
        var reconsidered = await api.PostAsync($"rounds/{roundId}/applications/{young.Id}/screening", new { decision = "confirm", note = "复核：维持自动结果" }, Reviewer(3));
        Assert.False(reconsidered.Body.GetProperty("eligible").GetBoolean());
        var noReason = await api.PostAsync($"rounds/{roundId}/applications/{young.Id}/screening", new { decision = "overturn" }, Reviewer(3));
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (noReason.Status, noReason.Code));
        var confirm = await api.PostAsync($"rounds/{roundId}/applications/{applications[0].Id}/screening", new { decision = "confirm" }, Reviewer(1));
        Assert.Equal(HttpStatusCode.OK, confirm.Status);
        var outsider = await api.PostAsync($"rounds/{roundId}/applications/{applications[0].Id}/screening", new { decision = "confirm" }, "reviewer; id=not-on-panel");
        Assert.Equal(HttpStatusCode.Forbidden, outsider.Status);

        // Review: eleven eligible applications, three reviewers each, balanced, blind, never a conflicted reviewer.
        var inReview = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "review", TimeSpan.FromSeconds(30));
        // The results no reviewer decided stand as checked; the round counts them (not a write on each application).
        Assert.Equal(applications.Count - 2, inReview.Body.GetProperty("stages").GetProperty("screeningUnconfirmed").GetInt32());
        var standing = applications.First(a => a.Id != young.Id && a.Id != applications[0].Id).Id;
        Assert.False((await api.GetAsync($"rounds/{roundId}/applications/{standing}", Samples.Admin)).Body.GetProperty("screening").TryGetProperty("decidedBy", out _));
        // Screening wrote the applications in batches, each with its record: the chain holds (submitted, screened).
        var trail = (await api.GetAsync($"audit/applications/{standing}?round={roundId}", Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
        Assert.Equal(2, trail.GetProperty("records").GetInt64());
        var assignments = new Dictionary<int, List<JsonElement>>();
        for (var i = 1; i <= 5; i++)
        {
            assignments[i] = (await api.GetAsync("reviews/mine", Reviewer(i))).Body.EnumerateArray().Where(a => a.GetProperty("roundId").GetString() == roundId).ToList();
        }

        Assert.Equal(33, assignments.Values.Sum(a => a.Count));
        Assert.True(assignments.Values.Max(a => a.Count) - assignments.Values.Min(a => a.Count) <= 1, "loads differ by more than one");
        Assert.DoesNotContain(assignments[5], a => applications.Single(x => x.Id == a.GetProperty("applicationId").GetString()).Org == orgs[2]);
        Assert.All(assignments.Values.SelectMany(a => a), a => Assert.False(a.TryGetProperty("organizationId", out _)));
        Assert.DoesNotContain(assignments.Values.SelectMany(a => a), a => a.GetProperty("applicationId").GetString() == young.Id);

        // expert-2 declines one assignment for a conflict: it goes to a panel member not yet on it.
        var declinedId = assignments[2][0].GetProperty("applicationId").GetString()!;
        var declined = await api.PostAsync($"rounds/{roundId}/applications/{declinedId}/reviews/decline", new { reason = "本人曾担任该机构顾问" }, Reviewer(2));
        Assert.Equal(HttpStatusCode.OK, declined.Status);
        assignments[2].RemoveAt(0);
        for (var i = 1; i <= 5; i++)
        {
            assignments[i] = (await api.GetAsync("reviews/mine", Reviewer(i))).Body.EnumerateArray()
                .Where(a => a.GetProperty("roundId").GetString() == roundId && a.GetProperty("status").GetString() == "assigned").ToList();
        }

        Assert.Equal(33, assignments.Values.Sum(a => a.Count));
        Assert.DoesNotContain(assignments[2], a => a.GetProperty("applicationId").GetString() == declinedId);
        Assert.Equal(3, assignments.Values.Count(list => list.Any(a => a.GetProperty("applicationId").GetString() == declinedId)));

        // Everyone scores except expert-1's last assignment, which lapses and goes to someone else. Scores
        // fall with the project's number, so the ranking is known: project 01 first.
        var missed = assignments[1][^1].GetProperty("applicationId").GetString()!;
        foreach (var (reviewer, list) in assignments)
        {
            foreach (var assignment in list)
            {
                var appId = assignment.GetProperty("applicationId").GetString()!;
                if (reviewer == 1 && appId == missed)
                {
                    continue;
                }

                var scored = await api.PostAsync($"rounds/{roundId}/applications/{appId}/reviews", Score(applications, appId), Reviewer(reviewer));
                Assert.True(scored.Status == HttpStatusCode.OK, scored.ToString());
            }
        }

        var outOfRange = await api.PostAsync($"rounds/{roundId}/applications/{missed}/reviews",
            new { scores = new { need = 11, design = 5 }, comment = "超出范围" }, Reviewer(1));
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (outOfRange.Status, outOfRange.Code));
        var notAssigned = applications.Select(a => a.Id).First(id => assignments[2].All(a => a.GetProperty("applicationId").GetString() != id) && id != young.Id);
        var stranger = await api.PostAsync($"rounds/{roundId}/applications/{notAssigned}/reviews", Score(applications, notAssigned), Reviewer(2));
        Assert.Equal(HttpStatusCode.Forbidden, stranger.Status);

        // After the deadline the missing review goes once to a second reviewer, who lets it lapse too: the
        // round then goes on with two reviews for that application, and records it.
        var replacement = await Poll.UntilAsync(async () =>
        {
            foreach (var i in new[] { 2, 3, 4, 5 })
            {
                var mine = await api.GetAsync("reviews/mine", Reviewer(i));
                if (mine.Body.EnumerateArray().Any(a => a.GetProperty("applicationId").GetString() == missed && a.GetProperty("status").GetString() == "assigned"))
                {
                    return mine with { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                }
            }

            return await api.GetAsync("reviews/mine", Reviewer(2));
        }, r => r.Text.Length == 1, TimeSpan.FromSeconds(40));
        var late = await api.PostAsync($"rounds/{roundId}/applications/{missed}/reviews", Score(applications, missed), Reviewer(1));
        Assert.Equal(HttpStatusCode.Forbidden, late.Status);
        var replacementReviewer = Reviewer(int.Parse(replacement.Text, System.Globalization.CultureInfo.InvariantCulture));

        // The reviewer who had not scored was reminded before the deadline (a domain event in the outbox).
        var storage = host.Storage();
        var events = await new Outbox(storage, TimeProvider.System).ListAsync(RoundStages.EventSource + roundId);
        Assert.Contains(events, e => e.Type == "Serverless.Ventures.ReviewReminder" && e.Subject == "expert-1");

        // Committee: results are proposed; the committee sends them back once, then approves.
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"rounds/{roundId}/results")).Status);
        var afterReview = await api.GetAsync($"rounds/{roundId}", Admin);
        Assert.Contains($"{missed}: 2 of 3 reviews", afterReview.Body.GetProperty("stages").GetProperty("reviewShortfall").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync($"rounds/{roundId}/applications/{missed}/reviews", Score(applications, missed), replacementReviewer)).Status);
        var revise = assignments[3][0].GetProperty("applicationId").GetString()!;
        var afterDeadline = await api.PostAsync($"rounds/{roundId}/applications/{revise}/reviews", Score(applications, revise), Reviewer(3));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), (afterDeadline.Status, afterDeadline.Code));
        var proposed = await api.GetAsync($"rounds/{roundId}/results", Committee);
        Assert.Equal(6, proposed.Body.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("funded").GetBoolean()));
        var first = proposed.Body.GetProperty("results")[0];
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
        Assert.Contains(first.GetProperty("steps").EnumerateArray(), step => step.GetString()!.StartsWith("reviewer ", StringComparison.Ordinal));
        Assert.StartsWith("funded", first.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var rejected = await api.PostAsync($"rounds/{roundId}/stages/results/reject", new { reason = "请复核第 11 号项目的评分" }, Committee);
        Assert.Equal(HttpStatusCode.OK, rejected.Status);
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "review", TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(40));
        var reviewed = await api.GetAsync($"rounds/{roundId}", Admin);
        Assert.Equal("请复核第 11 号项目的评分", reviewed.Body.GetProperty("stages").GetProperty("committeeRejections")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"rounds/{roundId}/stages/results/approve", null, Committee)).Status);

        // Publicity: anyone objects to the top project; the bureau upholds it; the seventh is funded instead.
        var published = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}/results"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20));
        var top = published.Body.GetProperty("results").EnumerateArray().First(r => r.GetProperty("rank").GetInt32() == 1).GetProperty("applicationId").GetString()!;
        var seventh = published.Body.GetProperty("results").EnumerateArray().First(r => r.GetProperty("rank").GetInt32() == 7).GetProperty("applicationId").GetString()!;
        var objection = await api.PostAsync($"rounds/{roundId}/objections", new { applicationId = top, grounds = "该项目的配套资金证明材料不实。", contact = "13900000000" });
        Assert.Equal(HttpStatusCode.Created, objection.Status);
        var second = published.Body.GetProperty("results").EnumerateArray().First(r => r.GetProperty("rank").GetInt32() == 2).GetProperty("applicationId").GetString()!;
        var unfounded = await api.PostAsync($"rounds/{roundId}/objections", new { applicationId = second, grounds = "认为该项目评分过高，请复核。" });
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync($"rounds/{roundId}/objections/{unfounded.Str("id")}/ruling", new { upheld = false, reasoning = "x y" }, Committee)).Status);
        var dismissed = await api.PostAsync($"rounds/{roundId}/objections/{unfounded.Str("id")}/ruling", new { upheld = false, reasoning = "评分程序合规，异议不成立。" }, Admin);
        Assert.Equal("dismissed", dismissed.Str("status"));
        var ruling = await api.PostAsync($"rounds/{roundId}/objections/{objection.Str("id")}/ruling", new { upheld = true, reasoning = "经核查，配套资金证明不实。" }, Admin);
        Assert.Equal(HttpStatusCode.OK, ruling.Status);

        var awarded = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}"),
            r => r.Body.TryGetProperty("progress", out var p) && p.GetProperty("stage").GetString() == "awarded", TimeSpan.FromSeconds(40));
        var final = (await api.GetAsync($"rounds/{roundId}/results")).Body;
        var funded = final.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("funded").GetBoolean()).Select(r => r.GetProperty("applicationId").GetString()).ToList();
        Assert.Equal(6, funded.Count);
        Assert.DoesNotContain(top, funded);
        Assert.Contains(seventh, funded);
        Assert.Contains(second, funded);
        Assert.True(final.GetProperty("granted").GetDecimal() <= 300_000m);
        Assert.Equal("awarded", awarded.Str("status"));
        // The awards' message, or already the next one of the same stage (the grants started): both count six.
        Assert.Matches(@"awarded: 6 projects|grants: \d of 6 ended", awarded.Body.GetProperty("progress").GetProperty("message").GetString());

        // Grants: six agreements, two tranches each (60% on signing, 40% after the final evaluation).
        var grants = await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}/grants", Admin), r => r.Body.GetArrayLength() == 6, TimeSpan.FromSeconds(20));
        var grantList = grants.Body.EnumerateArray().Select(g => (Id: g.GetProperty("id").GetString()!, Org: g.GetProperty("organizationId").GetString()!)).ToList();
        foreach (var (id, org) in grantList)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"grants/{id}/sign", null, Samples.Organization(org))).Status);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"grants/{id}/sign", null, Admin)).Status);
        }

        var (failing, failingOrg) = grantList[^1];
        foreach (var (id, org) in grantList)
        {
            await Poll.UntilAsync(() => api.GetAsync($"grants/{id}", Samples.Organization(org)), r => r.Body.GetProperty("paid").GetDecimal() == 30_000m, TimeSpan.FromSeconds(20));
            if (id == failing)
            {
                continue;
            }

            var early = await api.PostAsync($"grants/{id}/evaluation", new { result = "pass", note = "材料齐全" }, Admin);
            Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), (early.Status, early.Code));
            if (id == grantList[0].Id)
            {
                // A report can be sent back for changes; the grantee then reports again.
                var draft = await api.PostAsync($"grants/{id}/reports", new { trancheIndex = 1, summary = "项目已完成。请见附件。", beneficiariesServed = 0, spent = 0m }, Samples.Organization(org));
                var sentBack = await api.PostAsync($"grants/{id}/reports/{draft.Str("id")}/review", new { decision = "request-changes", note = "请补充服务人数与支出明细。" }, Admin);
                Assert.Equal("changes-requested", sentBack.Str("status"));
                Assert.Equal(30_000m, (await api.GetAsync($"grants/{id}", Samples.Organization(org))).Body.GetProperty("paid").GetDecimal());
            }

            var report = await api.PostAsync($"grants/{id}/reports", new { trancheIndex = 1, summary = "项目按计划完成，服务老人 120 名。", beneficiariesServed = 120, spent = 48_000m }, Samples.Organization(org));
            Assert.Equal(HttpStatusCode.Created, report.Status);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"grants/{id}/reports/{report.Str("id")}/review", new { decision = "approve" }, Admin)).Status);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"grants/{id}/evaluation", new { result = "pass", note = "绩效评价良好" }, Admin)).Status);
        }

        var failed = await api.PostAsync($"grants/{failing}/evaluation", new { result = "fail", note = "项目未实际开展", clawback = 30_000m }, Admin);
        Assert.Equal(HttpStatusCode.OK, failed.Status);

        foreach (var (id, _) in grantList)
        {
            var grant = (await Poll.UntilAsync(() => api.GetAsync($"grants/{id}", Admin),
                r => r.Body.GetProperty("grant").GetProperty("status").GetString() is "completed" or "failed", TimeSpan.FromSeconds(30))).Body;
            if (id == failing)
            {
                Assert.Equal("failed", grant.GetProperty("grant").GetProperty("status").GetString());
                Assert.Equal(30_000m, grant.GetProperty("paid").GetDecimal());
                Assert.Equal(30_000m, grant.GetProperty("grant").GetProperty("clawback").GetDecimal());
                Assert.True(grant.GetProperty("grant").GetProperty("tranches")[1].GetProperty("withheld").GetBoolean());
            }
            else
            {
                Assert.Equal("completed", grant.GetProperty("grant").GetProperty("status").GetString());
                Assert.Equal(50_000m, grant.GetProperty("paid").GetDecimal());
            }
        }

        Assert.True((await api.GetAsync($"organizations/{failingOrg}")).Body.GetProperty("debarred").GetBoolean());
        var tooLate = await api.PostAsync($"rounds/{roundId}/objections", new { applicationId = seventh, grounds = "公示期结束后提出的异议。" });
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), (tooLate.Status, tooLate.Code));

        // A payment step that runs again (a retry, a replay) pays nothing twice.
        var grantStore = new GrantStore(storage);
        var lifecycle = new GrantLifecycle(grantStore, new RoundStore(storage), new ResultStore(storage), new OrganizationStore(storage),
            new Outbox(storage, TimeProvider.System), TimeProvider.System);
        var (paidGrant, _) = grantList[0];
        await lifecycle.PayAsync(new PaymentRequest(paidGrant, 0));
        await lifecycle.PayAsync(new PaymentRequest(paidGrant, 1));
        Assert.Equal(2, await grantStore.PaymentCountAsync(paidGrant));
        Assert.Equal(50_000m, (await grantStore.FindAsync(paidGrant))!.Value.Grant.Paid);
        await lifecycle.PayAsync(new PaymentRequest(failing, 1));
        Assert.Equal(1, await grantStore.PaymentCountAsync(failing));
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{roundId}/workflow", Admin),
            r => r.Body.GetProperty("stages").GetProperty("runtimeStatus").GetString() == "Completed", TimeSpan.FromSeconds(30));
        Assert.Equal("complete", (await api.GetAsync($"rounds/{roundId}")).Str("status"));

        // Every transition was announced once, from the batch of its change: the round's in the rounds' partition,
        // a payment's with its payment row and a failure with the grant's, however often the steps ran.
        var outbox = new Outbox(storage, TimeProvider.System);
        var roundEvents = await outbox.ListAsync(RoundStages.EventSource + roundId);
        foreach (var type in new[] { "RoundPublished", "RoundClosed", "ResultsPublished", "AwardsMade", "RoundCompleted" })
        {
            var announced = Assert.Single(roundEvents, e => e.Type == "Serverless.Ventures." + type);
            Assert.Equal(RoundStore.Locate(roundId).Partition, await PartitionOfAsync(storage, TableNames.Rounds, announced));
        }

        Assert.Equal(12, roundEvents.Count(e => e.Type == "Serverless.Ventures.ApplicationSubmitted"));
        var released = (await outbox.ListAsync($"/grants/{paidGrant}")).Where(e => e.Type == "Serverless.Ventures.TrancheReleased").ToList();
        Assert.Equal(2, released.Count);
        var failingEvents = await outbox.ListAsync($"/grants/{failing}");
        Assert.Single(failingEvents, e => e.Type == "Serverless.Ventures.TrancheReleased");
        var grantFailed = Assert.Single(failingEvents, e => e.Type == "Serverless.Ventures.GrantFailed");
        Assert.Equal(failing, await PartitionOfAsync(storage, TableNames.Grants, grantFailed));
        foreach (var payment in released)
        {
            Assert.Equal(paidGrant, await PartitionOfAsync(storage, TableNames.Grants, payment));
        }
    }

    /// <summary>The partition of a table that holds an event's outbox row.</summary>
    private static async Task<string> PartitionOfAsync(Storage storage, string tableName, DomainEvent evt)
    {
        var table = await storage.TableAsync(tableName);
        var partitions = new List<string>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"RowKey eq {Outbox.RowPrefix + evt.Id}"), select: ["PartitionKey"]))
        {
            partitions.Add(row.PartitionKey);
        }

        return Assert.Single(partitions);
    }

    /// <summary>Scores that fall with the project's number: project 01 scores highest.</summary>
    private static object Score(List<(string Id, string Org)> applications, string applicationId)
    {
        var index = applications.FindIndex(a => a.Id == applicationId);
        return new { scores = new { need = 10 - (index / 2), design = 10 - ((index + 1) / 2) }, comment = "评分依据：需求与设计。" };
    }
}

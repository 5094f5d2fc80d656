using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Core.Procurement;
using Serverless.Integration.Tests.Harness;
using Serverless.Tests.Shared;

namespace Serverless.Integration.Tests;

/// <summary>
/// A whole tender of two lots over real HTTP, with periods of seconds: bids, opening, qualification, an
/// abnormally low price explained and one left unexplained, scoring, ranking; lot A's winner withdraws and
/// the next candidate lets the contract lapse, so the third signs; lot B's award is challenged (blocking the
/// contract) and the challenge dismissed; lot B's contract runs through a rejected report, a deduction, an
/// overdue reminder, acceptance, payment and a performance evaluation that a later tender shows. The OCDS
/// export validates against the official schema at the start and at the end.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class WholeTenderTests(SharedDevHost devHost)
{
    private const string Admin = Samples.Admin;
    private const string Expert1 = "reviewer; id=expert-1";
    private const string Expert2 = "reviewer; id=expert-2";

    private ApiClient Api => devHost.Api;

    private static object Form(DateTimeOffset now, string title, int bidDeadlineSeconds) => new
    {
        title,
        method = "open-tender",
        evaluation = "comprehensive-scoring",
        priceWeight = 20,
        technicalCriteria = new object[]
        {
            new { id = "plan", name = "服务方案", maxPoints = 50 },
            new { id = "team", name = "人员配备", maxPoints = 30 },
        },
        evaluators = new[] { "expert-1", "expert-2" },
        enquiryDeadline = now.AddSeconds(3),
        bidDeadline = now.AddSeconds(bidDeadlineSeconds),
        periods = new { explanation = "PT8S", standstill = "PT8S", signing = "PT10S", reportGrace = "PT4S" },
        milestones = new object[] { new { name = "中期", percent = 60, dueAfter = "PT12S" }, new { name = "终期", percent = 40, dueAfter = "PT4S" } },
        maxDeductionPercent = 30,
        lots = new object[]
        {
            new { id = "A", title = "抚顺街道居家养老", budgetCeiling = 500_000m, specification = "为 300 名空巢老人提供每周上门服务。", kpis = new[] { new { id = "served", name = "服务人数", target = 300m, unit = "人" } } },
            new { id = "B", title = "共乐街道助残服务", budgetCeiling = 200_000m, specification = "为 80 名残疾人提供康复陪护服务。", kpis = new[] { new { id = "sessions", name = "服务次数", target = 2000m, unit = "次" } } },
        },
    };

    private static object Scores(decimal plan, decimal team) => new { scores = new Dictionary<string, decimal> { ["plan"] = plan, ["team"] = team } };

    [Fact]
    public async Task A_tender_of_two_lots_runs_from_bids_to_paid_contracts_with_withdrawal_lapse_challenge_and_deduction()
    {
        var now = DateTimeOffset.UtcNow;
        var orgs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            orgs.Add(await devHost.RegisterOrganizationAsync($"全流程投标机构{i + 1}"));
        }

        string Org(int i) => Samples.Organization(orgs[i]);

        var tenderId = (await Api.PostAsync("tenders", Form(now, "2027 年居家养老与助残服务采购（全流程）", 12), Admin)).Str("id");
        await Api.PostAsync($"tenders/{tenderId}/publish", null, Admin);
        // A later tender, open while this one runs, in which organization 2's record on lot B will show.
        var laterId = (await Api.PostAsync("tenders", Form(now, "2028 年居家养老服务采购", 12), Admin)).Str("id");
        await Api.PostAsync($"tenders/{laterId}/publish", null, Admin);
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync($"tenders/{laterId}/bids", new { lotId = "B", price = 150_000m, technicalProposal = "延续上一年度服务模式，扩大覆盖范围，增加助残康复陪护的频次。" }, Org(1))).Status);

        // Lot A: 450k, 470k, 480k and 300k (under 80% of the mean 425k: abnormally low).
        // Lot B: 180k, 190k, 120k (abnormally low: under 80% of the mean 168,750) and 185k from an organization to be disqualified.
        var bids = new Dictionary<string, string>();
        foreach (var (lot, org, price) in new[] { ("A", 0, 450_000m), ("A", 1, 470_000m), ("A", 2, 480_000m), ("A", 3, 300_000m), ("B", 0, 180_000m), ("B", 1, 190_000m), ("B", 2, 120_000m), ("B", 4, 185_000m) })
        {
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", new { lotId = lot, price, technicalProposal = $"机构{org + 1}的{lot}包服务方案：人员、流程、质量控制。" }, Org(org));
            Assert.True(receipt.Status == HttpStatusCode.Created, receipt.ToString());
            bids[$"{lot}{org}"] = receipt.Str("bidId");
        }

        // Before opening the OCDS export validates and holds nothing sealed: no price, no proposal, no bidder.
        var sealedOcds = await Api.GetAsync($"tenders/{tenderId}/ocds");
        Assert.Empty(OcdsSchema.Validate(sealedOcds.Text));
        Assert.DoesNotContain("450000", sealedOcds.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("服务方案：", sealedOcds.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(orgs[0], sealedOcds.Text, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.PostAsync($"tenders/{tenderId}/bids/{bids["A0"]}/evaluations", Scores(40, 25), Expert1)));

        // Opening at the deadline; qualification and abnormal prices are recorded on each bid.
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened");
        var opened = (await Api.GetAsync($"tenders/{tenderId}/bids", Expert1)).Body.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.True(opened[bids["A0"]].GetProperty("qualification").GetProperty("qualified").GetBoolean());
        Assert.Equal(JsonValueKind.Object, opened[bids["A3"]].GetProperty("abnormalPrice").ValueKind);
        Assert.Equal(JsonValueKind.Object, opened[bids["B2"]].GetProperty("abnormalPrice").ValueKind);
        Assert.False(opened[bids["A0"]].TryGetProperty("abnormalPrice", out var none) && none.ValueKind == JsonValueKind.Object);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"tenders/{tenderId}/bids", "reviewer; id=not-on-committee")).Status);

        // The committee disqualifies one bid with its reason; organization 4 explains its low price, organization 3 does not.
        var disqualified = await Api.PostAsync($"tenders/{tenderId}/bids/{bids["B4"]}/qualification", new { qualified = false, reason = "社工持证人数不足招标文件要求。" }, Expert1);
        Assert.False(disqualified.Body.GetProperty("qualified").GetBoolean());
        // Another bidder's bid does not exist for the caller.
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync($"tenders/{tenderId}/bids/{bids["A3"]}/explanation", new { text = "我们不是这个投标人，但想替它解释一下价格。" }, Org(0))).Status);
        var explained = await Api.PostAsync($"tenders/{tenderId}/bids/{bids["A3"]}/explanation", new { text = "本机构自有场地和志愿者队伍，人工成本低于同行，报价可以覆盖全部服务成本。" }, Org(3));
        Assert.True(explained.Status == HttpStatusCode.OK, explained.ToString());

        // Scores from both evaluators; ranking refused while an explanation is still awaited.
        foreach (var (key, plan, team) in new[] { ("A0", 48m, 27m), ("A1", 45m, 25m), ("A2", 40m, 20m), ("A3", 32m, 18m), ("B0", 45m, 25m), ("B1", 46m, 26m) })
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"tenders/{tenderId}/bids/{bids[key]}/evaluations", Scores(plan, team), Expert1)).Status);
            Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"tenders/{tenderId}/bids/{bids[key]}/evaluations", Scores(plan, team), Expert2)).Status);
        }

        var outOfRange = await Api.PostAsync($"tenders/{tenderId}/bids/{bids["A0"]}/evaluations", Scores(60, 25), Expert1);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(outOfRange));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"tenders/{tenderId}/bids/{bids["A0"]}/evaluations", Scores(40, 25), "reviewer; id=not-on-committee")).Status);
        var early = await Api.PostAsync($"tenders/{tenderId}/lots/B/ranking", null, Admin);
        Assert.Equal((HttpStatusCode.Conflict, "evaluation-incomplete"), Of(early));

        // At the explanation deadline the tender's workflow rejects the unexplained bid.
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}/bids", Admin),
            r => r.Body.EnumerateArray().Single(b => b.GetProperty("id").GetString() == bids["B2"]).GetProperty("qualification").GetProperty("qualified").GetBoolean() == false);

        // Lot A: organization 1 ranks first (88.33 = 20 × 300k/450k + 75); organization 4's explained price is shown in its steps.
        var rankingA = await Api.PostAsync($"tenders/{tenderId}/lots/A/ranking", null, Admin);
        Assert.True(rankingA.Status == HttpStatusCode.OK, rankingA.ToString());
        var rankedA = rankingA.Body.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal([bids["A0"], bids["A1"], bids["A2"], bids["A3"]], rankedA.Select(r => r.GetProperty("bidId").GetString()!).ToArray());
        Assert.Equal(88.33m, rankedA[0].GetProperty("total").GetDecimal());
        Assert.Contains(rankedA[3].GetProperty("steps").EnumerateArray(), s => s.GetString()!.Contains("自有场地", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"tenders/{tenderId}/lots/A/award")).Status);

        // Lot B: only organizations 1 and 2 remain; 2 wins on technical points (18.95 + 72 against 20 + 70).
        var rankedB = (await Api.PostAsync($"tenders/{tenderId}/lots/B/ranking", null, Admin)).Body.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal([bids["B1"], bids["B0"]], rankedB.Select(r => r.GetProperty("bidId").GetString()!).ToArray());

        // Awards confirmed and published; organization 1 gives lot A up within the standstill; lot B is challenged.
        Assert.Equal("standstill", (await Api.PostAsync($"tenders/{tenderId}/lots/A/award", null, Admin)).Str("status"));
        Assert.Equal("standstill", (await Api.PostAsync($"tenders/{tenderId}/lots/B/award", null, Admin)).Str("status"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"tenders/{tenderId}/lots/A/award/withdraw", new { reason = "不是我中标" }, Org(1))).Status);
        var withdrawn = await Api.PostAsync($"tenders/{tenderId}/lots/A/award/withdraw", new { reason = "核心团队离职，无法履约。" }, Org(0));
        Assert.Equal(orgs[1], withdrawn.Body.GetProperty("offers")[1].GetProperty("organizationId").GetString());
        Assert.Equal("withdrawn", withdrawn.Body.GetProperty("offers")[0].GetProperty("outcome").GetString());
        var challenge = await Api.PostAsync($"tenders/{tenderId}/challenges", new { lotId = "B", grounds = "中标人的人员配备评分明显偏高，与其投标文件不符，请复核。" }, Org(0));
        Assert.Equal(HttpStatusCode.Created, challenge.Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"tenders/{tenderId}/challenges", new { lotId = "B", grounds = "我们没有参加投标，但也想对这个中标结果提出质疑，请给予答复。" }, Samples.Organization("org-stranger"))).Status);
        var publicChallenges = await Api.GetAsync($"tenders/{tenderId}/challenges");
        Assert.DoesNotContain(orgs[0], publicChallenges.Text, StringComparison.Ordinal);

        // Lot B's standstill ends, but the open challenge blocks the contract until it is ruled on.
        var awardB = await Api.GetAsync($"tenders/{tenderId}/lots/B/award");
        var standstillEnds = awardB.Body.GetProperty("offers")[0].GetProperty("standstillEndsAt").GetDateTimeOffset();
        await Task.Delay(standstillEnds - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));
        Assert.Equal("standstill", (await Api.GetAsync($"tenders/{tenderId}/lots/B/award")).Str("status"));
        Assert.Equal(0, (await Api.GetAsync($"tenders/{tenderId}/contracts", Admin)).Body.EnumerateArray().Count(c => c.GetProperty("lotId").GetString() == "B"));
        var lateChallenge = await Api.PostAsync($"tenders/{tenderId}/challenges", new { lotId = "B", grounds = "质疑期已经结束，我们仍然想提出质疑，看看系统会如何处理这种情况。" }, Org(0));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), Of(lateChallenge));
        var ruled = await Api.PostAsync($"tenders/{tenderId}/challenges/{challenge.Str("id")}/ruling", new { decision = "dismiss", ruling = "经复核评分符合评分标准，质疑不成立。" }, Admin);
        Assert.Equal("dismissed", ruled.Str("status"));
        var contractB = await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}/contracts", Admin),
            r => r.Body.EnumerateArray().Any(c => c.GetProperty("lotId").GetString() == "B"));
        var contractBId = contractB.Body.EnumerateArray().Single(c => c.GetProperty("lotId").GetString() == "B").GetProperty("id").GetString()!;

        // Lot B's contract: both sign; milestone 1 reported short, rejected with reasons, reported again, accepted.
        Assert.Equal("awaiting-signature", (await Api.PostAsync($"contracts/{contractBId}/sign", null, Org(1))).Str("status"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"contracts/{contractBId}/sign", null, Org(0))).Status);
        Assert.Equal("active", (await Api.PostAsync($"contracts/{contractBId}/sign", null, Admin)).Str("status"));
        object Report(decimal sessions) => new { delivered = new Dictionary<string, decimal> { ["sessions"] = sessions }, evidence = new[] { "服务签到表（扫描件）", "回访记录" }, summary = "本期完成康复陪护服务，详见签到表与回访记录。" };
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/0/report", Report(1_000m), Org(1))).Status);
        var noReason = await Api.PostAsync($"contracts/{contractBId}/milestones/0/acceptance", new { decision = "reject" }, Admin);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(noReason));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/0/acceptance", new { decision = "reject", reasons = "签到表缺少服务对象签字。" }, Admin)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/0/report", Report(1_080m), Org(1))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/0/acceptance", new { decision = "accept" }, Admin)).Status);

        // Paid once, less the deduction: 60% of 190,000 is 114,000; 1,080 of 1,200 sessions is 10% short: 11,400 off.
        var paid = await Poll.UntilAsync(() => Api.GetAsync($"contracts/{contractBId}", Org(1)),
            r => r.Body.GetProperty("milestones")[0].TryGetProperty("payment", out var p) && p.ValueKind == JsonValueKind.Object);
        var payment = paid.Body.GetProperty("milestones")[0].GetProperty("payment");
        Assert.Equal((114_000m, 11_400m, 102_600m), (payment.GetProperty("gross").GetDecimal(), payment.GetProperty("deduction").GetDecimal(), payment.GetProperty("net").GetDecimal()));

        // The bureau's acceptance sent again (its reply lost, or the host crashed before the workflow was told)
        // is answered as done and changes nothing; a different decision on the same report is refused.
        var again = await Api.PostAsync($"contracts/{contractBId}/milestones/0/acceptance", new { decision = "accept" }, Admin);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(2, again.Body.GetProperty("milestones")[0].GetProperty("decisions").GetArrayLength());
        Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), Of(await Api.PostAsync($"contracts/{contractBId}/milestones/0/acceptance", new { decision = "reject", reasons = "复核后改为不予验收。" }, Admin)));

        // Milestone 2 is not reported on time: the supplier is reminded (an event for the notifier), then reports in full.
        var storage = devHost.Host.Storage();
        var outbox = new Outbox(storage, TimeProvider.System);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await outbox.ListAsync($"/contracts/{contractBId}")).Any(e => e.Type == "Serverless.Procurement.MilestoneReportOverdue"))
        {
            Assert.True(DateTime.UtcNow < deadline, "No overdue reminder for milestone 2.");
            await Task.Delay(300);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/1/report", Report(800m), Org(1))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/milestones/1/acceptance", new { decision = "accept", reasons = "资料齐全。" }, Admin)).Status);
        await Poll.UntilAsync(() => Api.GetAsync($"contracts/{contractBId}", Admin),
            r => r.Body.GetProperty("milestones")[1].TryGetProperty("payment", out var p) && p.ValueKind == JsonValueKind.Object);
        var tooEarly = await Api.PostAsync($"contracts/{contractBId}/evaluation", new { score = 120, comment = "分数超出范围" }, Admin);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(tooEarly));
        Assert.Equal(HttpStatusCode.OK, (await Api.PostAsync($"contracts/{contractBId}/evaluation", new { score = 86, comment = "服务规范，首期签字材料不全已整改。" }, Admin)).Status);
        var completed = await Poll.UntilAsync(() => Api.GetAsync($"contracts/{contractBId}", Admin), r => r.Str("status") == "completed");
        Assert.Equal(102_600m + 76_000m, completed.Body.GetProperty("milestones").EnumerateArray().Sum(m => m.GetProperty("payment").GetProperty("net").GetDecimal()));

        // Every payment exactly once: paying again (a retried step) records nothing more.
        var contracts = new ContractStore(storage);
        var awarding = new Awarding(new TenderStore(storage), new BidStore(storage), new AwardStore(storage), contracts, outbox, TimeProvider.System);
        var lifecycle = new ContractLifecycle(contracts, awarding, new PerformanceStore(storage), outbox, TimeProvider.System);
        await lifecycle.PayAsync(new MilestonePaymentRequest(contractBId, 0));
        var ledger = await contracts.PaymentsAsync(contractBId);
        Assert.Equal(2, ledger.Count);
        Assert.Equal(102_600m, ledger[0].Net);

        // Lot A: organization 2 holds the award after its standstill but does not sign: the contract lapses
        // and organization 3 is offered the award, waits out a standstill of its own, and signs.
        var lapsed = await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}/lots/A/award"),
            r => r.Body.GetProperty("offers").GetArrayLength() == 3, TimeSpan.FromSeconds(60));
        Assert.Equal("lapsed", lapsed.Body.GetProperty("offers")[1].GetProperty("outcome").GetString());
        Assert.Equal(orgs[2], lapsed.Body.GetProperty("offers")[2].GetProperty("organizationId").GetString());
        var contractA = await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}/contracts", Admin),
            r => r.Body.EnumerateArray().Any(c => c.GetProperty("lotId").GetString() == "A" && c.GetProperty("organizationId").GetString() == orgs[2]));
        var contractAId = contractA.Body.EnumerateArray().Single(c => c.GetProperty("organizationId").GetString() == orgs[2]).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"tenders/{tenderId}/lots/A/award/withdraw", new { reason = "已不再持有中标资格的候选人" }, Org(1))).Status);
        await Api.PostAsync($"contracts/{contractAId}/sign", null, Org(2));
        Assert.Equal("active", (await Api.PostAsync($"contracts/{contractAId}/sign", null, Admin)).Str("status"));
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}/lots/A/award"), r => r.Str("status") == "contracted");

        // What a crash between activating the contract and marking its award leaves: signing again finishes the award.
        var awardStore = new AwardStore(storage);
        var (awardA, awardETag) = (await awardStore.FindAsync(tenderId, "A"))!.Value;
        await awardStore.UpdateAsync(awardA with
        {
            Status = AwardStatus.Contracting,
            Offers = [.. awardA.Offers.Take(awardA.Offers.Count - 1), awardA.Offers[^1] with { Outcome = null, EndedAt = null }],
        }, awardETag, []);
        Assert.Equal("contracting", (await Api.GetAsync($"tenders/{tenderId}/lots/A/award")).Str("status"));
        Assert.Equal("active", (await Api.PostAsync($"contracts/{contractAId}/sign", null, Admin)).Str("status"));
        Assert.Equal("contracted", (await Api.GetAsync($"tenders/{tenderId}/lots/A/award")).Str("status"));

        // The supplier's performance follows it: the later tender's committee sees it beside its bid.
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{laterId}"), r => r.Str("status") == "opened");
        var laterBids = await Api.GetAsync($"tenders/{laterId}/bids", Expert1);
        var record = laterBids.Body[0].GetProperty("supplierPerformance")[0];
        Assert.Equal((86, contractBId), (record.GetProperty("score").GetInt32(), record.GetProperty("contractId").GetString()));
        Assert.Equal(1, record.GetProperty("milestonesOnTime").GetInt32());

        // Each transition announced once, with its change: in the tender's and the contract's own partitions;
        // only the reminders, which change nothing, are in the Outbox table.
        int Count(List<DomainEvent> events, string type) => events.Count(e => e.Type == $"Serverless.Procurement.{type}");
        var tenderEvents = await outbox.ListAsync($"/tenders/{tenderId}");
        Assert.Equal((1, 2, 0), (Count(tenderEvents, "TenderOpened"), Count(tenderEvents, "LotRanked"), Count(tenderEvents, "LotFailed")));
        // Lot A offered three times (withdrawn, lapsed, signed), lot B once (signed); lot A's lapsed contract and the two signed ones drawn.
        Assert.Equal((4, 4, 3), (Count(tenderEvents, "AwardPublished"), Count(tenderEvents, "AwardOfferEnded"), Count(tenderEvents, "ContractDrawn")));
        Assert.Equal((1, 1), (Count(tenderEvents, "ChallengeLodged"), Count(tenderEvents, "ChallengeRuled")));
        var contractEvents = await outbox.ListAsync($"/contracts/{contractBId}");
        Assert.Equal((1, 3, 2, 1), (Count(contractEvents, "ContractSigned"), Count(contractEvents, "MilestoneReported"), Count(contractEvents, "MilestoneAccepted"), Count(contractEvents, "MilestoneRejected")));
        Assert.Equal((2, 1), (Count(contractEvents, "MilestonePaid"), Count(contractEvents, "ContractCompleted")));
        var standalone = new List<string>();
        await foreach (var row in (await storage.TableAsync(TableNames.Outbox)).QueryAsync<Azure.Data.Tables.TableEntity>(
            $"PartitionKey eq '|tenders|{tenderId}' or PartitionKey eq '|contracts|{contractBId}'"))
        {
            standalone.Add(row.GetString("Type"));
        }

        Assert.All(standalone, type => Assert.Contains(type, new[] { "Serverless.Procurement.MilestoneReportOverdue", "Serverless.Procurement.MilestoneReportEscalated", "Serverless.Procurement.PerformanceEvaluationDue" }));

        // The whole history as OCDS releases, valid against the official schema.
        var ocds = await Api.GetAsync($"tenders/{tenderId}/ocds");
        Assert.Empty(OcdsSchema.Validate(ocds.Text));
        var tags = ocds.Body.GetProperty("releases").EnumerateArray().SelectMany(r => r.GetProperty("tag").EnumerateArray().Select(t => t.GetString())).ToHashSet();
        Assert.Superset(new HashSet<string?> { "planning", "tender", "award", "contract", "implementation" }, tags);
        Assert.Contains("102600", ocds.Text, StringComparison.Ordinal);
    }

    private static (HttpStatusCode, string?) Of(Harness.Reply reply) => (reply.Status, reply.Code);
}

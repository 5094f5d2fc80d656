using System.Net;
using System.Text.Json;
using Serverless.Core.Procurement;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

[Collection(UsesSharedDevHost.Name)]
public sealed class TenderTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    internal static object TenderForm(DateTimeOffset enquiryDeadline, DateTimeOffset bidDeadline) => new
    {
        title = "2027 年道里区居家养老上门服务采购",
        method = "open-tender",
        evaluation = "comprehensive-scoring",
        priceWeight = 20,
        technicalCriteria = new object[]
        {
            new { id = "plan", name = "服务方案", maxPoints = 50 },
            new { id = "team", name = "人员配备", maxPoints = 30 },
        },
        enquiryDeadline,
        bidDeadline,
        evaluators = new[] { "evaluator-1" },
        milestones = new object[] { new { name = "中期", percent = 50, dueAfter = "P90D" }, new { name = "终期", percent = 50, dueAfter = "P180D" } },
        lots = new object[]
        {
            new { id = "A", title = "抚顺街道居家养老", budgetCeiling = 500_000m, specification = "为 300 名空巢老人提供每周上门服务。", kpis = new[] { new { id = "served", name = "服务人数", target = 300m, unit = "人" } } },
            new { id = "B", title = "共乐街道助残服务", budgetCeiling = 200_000m, specification = "为 80 名残疾人提供康复陪护服务。", kpis = new[] { new { id = "sessions", name = "服务次数", target = 2000m, unit = "次" } } },
        },
    };

    internal static object BidForm(string lotId, decimal price, string proposal = "每周两次上门陪伴，配备持证护理员六名，建立服务档案。") =>
        new { lotId, price, technicalProposal = proposal };

    [Fact]
    public async Task Bids_stay_sealed_to_everyone_until_the_tender_opens_itself_at_the_deadline_and_a_thin_lot_fails()
    {
        var now = DateTimeOffset.UtcNow;
        var created = await Api.PostAsync("tenders", TenderForm(now.AddSeconds(4), now.AddSeconds(9)), Samples.Admin);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var tenderId = created.Str("id");
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"tenders/{tenderId}")).Status);
        Assert.Equal("open", (await Api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin)).Str("status"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"tenders/{tenderId}")).Status);

        // Enquiries: answered for all, the asker never named.
        var orgs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            orgs.Add(await devHost.RegisterOrganizationAsync($"投标机构{i + 1}"));
        }

        var question = await Api.PostAsync($"tenders/{tenderId}/questions", new { text = "服务对象名单何时提供？" }, Samples.Organization(orgs[0]));
        Assert.Equal(HttpStatusCode.Created, question.Status);
        await Api.PostAsync($"tenders/{tenderId}/questions/{question.Str("id")}/answer", new { answer = "中标后三日内提供。" }, Samples.Admin);
        var published = await Api.GetAsync($"tenders/{tenderId}/questions", Samples.Organization(orgs[1]));
        Assert.Equal("中标后三日内提供。", published.Body[0].GetProperty("answer").GetString());
        Assert.DoesNotContain(orgs[0], published.Text, StringComparison.Ordinal);

        // Bids: four on lot A (one later withdrawn, one replaced), one on lot B, one above the ceiling refused.
        var receipts = new List<Reply>();
        for (var i = 0; i < 4; i++)
        {
            var receipt = await Api.PostAsync($"tenders/{tenderId}/bids", BidForm("A", 400_000m + (i * 10_000m)), Samples.Organization(orgs[i]));
            Assert.Equal(HttpStatusCode.Created, receipt.Status);
            Assert.Equal(64, receipt.Str("sha256").Length);
            Assert.DoesNotContain("护理员", receipt.Text, StringComparison.Ordinal);
            receipts.Add(receipt);
        }

        var replaced = await Api.PostAsync($"tenders/{tenderId}/bids", BidForm("A", 390_000m, "修订方案：每周三次上门，配备护理员八名，另设热线。"), Samples.Organization(orgs[1]));
        Assert.Equal((HttpStatusCode.OK, 2), (replaced.Status, replaced.Body.GetProperty("version").GetInt32()));
        Assert.NotEqual(receipts[1].Str("sha256"), replaced.Str("sha256"));
        Assert.Equal("withdrawn", (await Api.PostAsync($"tenders/{tenderId}/bids/{receipts[3].Str("bidId")}/withdraw", null, Samples.Organization(orgs[3]))).Str("status"));
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync($"tenders/{tenderId}/bids", BidForm("B", 150_000m), Samples.Organization(orgs[4]))).Status);
        var tooDear = await Api.PostAsync($"tenders/{tenderId}/bids", BidForm("B", 250_000m), Samples.Organization(orgs[0]));
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (tooDear.Status, tooDear.Code));
        Assert.Contains("ceiling", tooDear.Body.GetProperty("errors").GetProperty("price")[0].GetString(), StringComparison.Ordinal);

        // Sealed: the bureau and reviewers are refused, a bidder sees its own receipts only, nobody sees content.
        Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.GetAsync($"tenders/{tenderId}/bids", Samples.Admin)));
        Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.GetAsync($"tenders/{tenderId}/bids", "reviewer; id=evaluator-1")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync($"tenders/{tenderId}/bids")).Status);
        var mine = await Api.GetAsync($"tenders/{tenderId}/bids", Samples.Organization(orgs[1]));
        Assert.Equal(1, mine.Body.GetArrayLength());
        Assert.DoesNotContain("热线", mine.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("390000", mine.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("护理员", (await Api.GetAsync($"tenders/{tenderId}", Samples.Admin)).Text, StringComparison.Ordinal);

        // Nor does any evaluation endpoint touch a bid before opening, whoever asks.
        var firstBid = receipts[0].Str("bidId");
        foreach (var caller in new[] { Samples.Admin, "reviewer; id=evaluator-1" })
        {
            Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.PostAsync($"tenders/{tenderId}/bids/{firstBid}/qualification", new { qualified = false, reason = "开标前试图审查" }, caller)));
        }

        Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.PostAsync($"tenders/{tenderId}/bids/{firstBid}/evaluations", new { scores = new { plan = 40, team = 20 } }, "reviewer; id=evaluator-1")));
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"tenders/{tenderId}/bids/{firstBid}/evaluations", new { scores = new { plan = 40, team = 20 } }, Samples.Admin)).Status);

        Assert.Equal((HttpStatusCode.Conflict, "bids-sealed"), Of(await Api.PostAsync($"tenders/{tenderId}/bids/{firstBid}/explanation", new { text = "开标前就想解释报价，看看系统会不会泄露什么内容。" }, Samples.Organization(orgs[0]))));
        var ocds = await Api.GetAsync($"tenders/{tenderId}/ocds");
        Assert.DoesNotContain("400000", ocds.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("护理员", ocds.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"tenders/{tenderId}/lots/A/award", Samples.Admin)).Status);

        // Opening at the deadline, by the tender's own timer.
        var opened = await Poll.UntilAsync(() => Api.GetAsync($"tenders/{tenderId}"), r => r.Str("status") == "opened");
        var lots = opened.Body.GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!);
        Assert.Equal(("opened", 3), (lots["A"].GetProperty("status").GetString(), lots["A"].GetProperty("validBids").GetInt32()));
        Assert.Equal(("failed", 1), (lots["B"].GetProperty("status").GetString(), lots["B"].GetProperty("validBids").GetInt32()));

        var late = await Api.PostAsync($"tenders/{tenderId}/bids", BidForm("A", 300_000m), Samples.Organization(orgs[4]));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), Of(late));
        var lateQuestion = await Api.PostAsync($"tenders/{tenderId}/questions", new { text = "还能提问吗？" }, Samples.Organization(orgs[0]));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), Of(lateQuestion));

        // Opened: the committee reads every bid, and each receipt's hash is the hash of what was unsealed.
        var all = await Api.GetAsync($"tenders/{tenderId}/bids", "reviewer; id=evaluator-1");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        var byId = all.Body.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        var revised = byId[replaced.Str("bidId")];
        Assert.Equal(390_000m, revised.GetProperty("content").GetProperty("price").GetDecimal());
        var content = JsonSerializer.Deserialize<BidContent>(revised.GetProperty("content").GetRawText(), Serverless.Core.Common.ApiJson.Options)!;
        Assert.Equal(replaced.Str("sha256"), BidSealing.Hash(Bid.Canonical(content)));
        Assert.False(byId[receipts[3].Str("bidId")].TryGetProperty("content", out _));
        var ownAfter = await Api.GetAsync($"tenders/{tenderId}/bids", Samples.Organization(orgs[0]));
        Assert.Equal(1, ownAfter.Body.GetArrayLength());

        // The failed lot is tendered again: a new draft tender for that lot, linked to this one.
        var later = DateTimeOffset.UtcNow;
        var retender = await Api.PostAsync($"tenders/{tenderId}/lots/B/decision",
            new { decision = "re-tender", enquiryDeadline = later.AddDays(7), bidDeadline = later.AddDays(20) }, Samples.Admin);
        Assert.Equal(HttpStatusCode.Created, retender.Status);
        Assert.Equal(tenderId, retender.Str("replacesTenderId"));
        Assert.Equal(("draft", "B"), (retender.Str("status"), retender.Body.GetProperty("lots")[0].GetProperty("id").GetString()));
        var original = await Api.GetAsync($"tenders/{tenderId}");
        Assert.Equal(retender.Str("id"), original.Body.GetProperty("lots").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "B").GetProperty("followedByTenderId").GetString());
        var twice = await Api.PostAsync($"tenders/{tenderId}/lots/B/decision", new { decision = "re-tender", enquiryDeadline = later.AddDays(7), bidDeadline = later.AddDays(20) }, Samples.Admin);
        Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), Of(twice));
        var notFailed = await Api.PostAsync($"tenders/{tenderId}/lots/A/decision", new { decision = "change-method", method = "single-source", enquiryDeadline = later.AddDays(7), bidDeadline = later.AddDays(20) }, Samples.Admin);
        Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), Of(notFailed));
    }

    [Fact]
    public async Task A_tender_definition_with_errors_is_refused_with_each_failing_field()
    {
        var now = DateTimeOffset.UtcNow;
        var reply = await Api.PostAsync("tenders", new
        {
            title = "t",
            method = "open-tender",
            priceWeight = 50,
            technicalCriteria = new[] { new { id = "plan", name = "方案", maxPoints = 20 } },
            enquiryDeadline = now.AddDays(10),
            bidDeadline = now.AddDays(5),
            lots = Array.Empty<object>(),
        }, Samples.Admin);

        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), Of(reply));
        var fields = reply.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "title", "lots", "priceWeight", "technicalCriteria", "enquiryDeadline" }, fields);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("tenders", new { title = "x" }, Samples.Organization("org-1"))).Status);
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}

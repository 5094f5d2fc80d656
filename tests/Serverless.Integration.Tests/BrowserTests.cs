using System.Net;
using Microsoft.Playwright;
using Serverless.Core;
using Serverless.Core.Dispatch;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Pages in a real browser (headless Chromium over a DevHost), on a phone-sized screen: people sign in, fill in and
/// send the forms, see what they got wrong beside the field, and get their result. Each page reads at 360 px without
/// sideways scrolling. Screenshots of each step are saved as artefacts of the run.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class BrowserTests(SharedDevHost devHost)
{
    [Fact]
    public async Task The_API_reference_reads_on_a_phone_and_its_links_are_reached_with_the_keyboard()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.PhoneAsync(browser);

        var response = await page.GotoAsync($"http://127.0.0.1:{devHost.Host.Port}/api/reference");

        Assert.Equal(200, response!.Status);
        Assert.Contains("API reference", await page.TitleAsync(), StringComparison.Ordinal);
        Assert.Equal(RouteTable.Http.Count, await page.Locator("section h3").CountAsync());
        // Nothing wider than the screen: no sideways scrolling at 360 px.
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways at 360 px");
        // The first Tab reaches a link, and Enter follows it.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("A", await page.EvaluateAsync<string>("document.activeElement.tagName"));
        await Browser.ScreenshotAsync(page, "api-reference-360");
        Assert.True(File.Exists(Path.Combine(Browser.ScreenshotDirectory, "api-reference-360.png")));
    }
    [Fact]
    public async Task An_organization_signs_in_applies_sees_a_field_error_fixes_it_and_gets_its_receipt()
    {
        var org = await devHost.RegisterOrganizationAsync();
        var round = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.PhoneAsync(browser);

        // A personal page asks a signed-out reader to sign in, and the sign-in brings them back.
        var mine = await page.GotoAsync(Url("api/pages/mine"));
        Assert.Equal(401, mine!.Status);
        await page.GetByRole(AriaRole.Link, new() { Name = "登录", Exact = true }).Last.ClickAsync();
        await page.GetByLabel("身份 Who you are").FillAsync(Samples.Organization(org));
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        Assert.EndsWith("/api/pages/mine", page.Url, StringComparison.Ordinal);
        Assert.Equal("我的申请与投标", await page.Locator("h1").TextContentAsync());

        // The open round is on the home page; its form is filled in, with the amount in words.
        await page.GotoAsync(Url("api/pages"));
        await page.Locator($"a[href='/api/pages/rounds/{round}/apply']").ClickAsync();
        await page.GetByLabel("项目名称").FillAsync("长者助餐暖心行动");
        await page.GetByLabel("项目简介").FillAsync("为共乐社区独居老人提供每日午餐配送与每周探访。");
        await page.GetByLabel("项目领域").SelectOptionAsync(new SelectOptionValue { Label = "养老" });
        await page.GetByLabel("服务对象").FillAsync("空巢老人");
        await page.GetByLabel("受益人数").FillAsync("120");
        await page.GetByLabel("服务社区").FillAsync("共乐社区、安静社区");
        await page.GetByLabel("第 1 项：用途").FillAsync("食材与配送");
        await page.GetByLabel("第 1 项：金额（元）").FillAsync("40000");
        await page.GetByLabel("第 2 项：用途").FillAsync("志愿者培训");
        await page.GetByLabel("第 2 项：金额（元）").FillAsync("20000");
        await page.GetByLabel("申请金额（元）").FillAsync("五万");
        await page.GetByLabel("配套资金（元）").FillAsync("10000");
        await page.GetByLabel("里程碑 1：名称").FillAsync("结项评估");
        await page.GetByLabel("里程碑 1：完成日期").FillAsync("2027-12-31");
        var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync(), r => r.Request.Method == "POST");

        // Refused: the summary links to the field, the field says why, and everything typed is still there.
        Assert.Equal(400, refused.Status);
        var amount = page.GetByLabel("申请金额（元）");
        Assert.Equal("true", await amount.GetAttributeAsync("aria-invalid"));
        Assert.Equal("请填写数字。", await page.Locator("#f-amountRequested-error").TextContentAsync());
        Assert.Contains("f-amountRequested-error", await amount.GetAttributeAsync("aria-describedby") ?? "", StringComparison.Ordinal);
        Assert.Equal("五万", await amount.InputValueAsync());
        Assert.Equal("空巢老人", await page.GetByLabel("服务对象").InputValueAsync());
        await AssertFitsAsync(page);
        await Browser.ScreenshotAsync(page, "apply-field-error-360");
        await page.Locator(".error-summary a[href='#f-amountRequested']").ClickAsync();
        Assert.Equal("f-amountRequested", await page.EvaluateAsync<string>("() => location.hash.slice(1)"));

        // Fixed and sent again: the receipt names the application, and it is stored once.
        await amount.FillAsync("50000");
        var sent = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.True(sent.Status == 303, $"{sent.Status}: {await page.Locator("main").TextContentAsync()}");
        await page.WaitForURLAsync(url => url.Contains("/applications/app-", StringComparison.Ordinal), Committed);
        Assert.Equal("申请回执", await page.Locator("h1").TextContentAsync());
        var applicationId = await page.Locator("#application-id").TextContentAsync();
        await AssertFitsAsync(page);
        await Browser.ScreenshotAsync(page, "apply-receipt-360");
        var stored = await devHost.Api.GetAsync($"rounds/{round}/applications", Samples.Organization(org));
        Assert.Equal(applicationId, Assert.Single(stored.Body.EnumerateArray()).GetProperty("id").GetString());

        // A refresh of the receipt posts nothing again.
        await page.ReloadAsync();
        Assert.Single((await devHost.Api.GetAsync($"rounds/{round}/applications", Samples.Organization(org))).Body.EnumerateArray());
    }

    [Fact]
    public async Task A_reviewer_scores_from_the_rubric_and_anyone_objects_to_the_results_during_publicity()
    {
        const string reviewer = "reviewer; id=expert-browser; name=%E5%BC%A0%E4%B8%93%E5%AE%B6";
        var api = devHost.Api;
        var org = await devHost.RegisterOrganizationAsync();
        var now = DateTimeOffset.UtcNow;
        var created = await api.PostAsync("rounds", new
        {
            title = "2027 年度公益创投（页面评审）",
            programmeAreas = new[] { "elderly-care" },
            budget = 200_000m,
            minGrant = 20_000m,
            maxGrant = 100_000m,
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddSeconds(12),
            rubric = new object[]
            {
                new { id = "need", name = "需求分析", weight = 40, maxPoints = 10 },
                new { id = "design", name = "项目设计", weight = 60, maxPoints = 10 },
            },
            reviewersPerApplication = 1,
            blindReview = true,
            periods = new { screening = "PT2S", review = "PT3M", committee = "PT3M", publicity = "PT3M" },
            panel = new[] { new { reviewerId = "expert-browser", name = "张专家", memberOf = Array.Empty<string>(), declaredConflicts = Array.Empty<string>() } },
        }, Samples.Admin);
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var round = created.Str("id");
        await api.PostAsync($"rounds/{round}/publish", null, Samples.Admin);
        var applied = await api.PostAsync($"rounds/{round}/applications", Samples.ApplicationForm(), Samples.Organization(org));
        Assert.True(applied.Status == HttpStatusCode.Created, applied.ToString());
        var application = applied.Str("id");
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{round}"), r => r.Str("status") == "review", TimeSpan.FromSeconds(60));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.PhoneAsync(browser);
        await SignInAsync(page, reviewer);

        // The reviewer's assignments, and the scoring form built from the round's rubric.
        await page.GotoAsync(Url("api/pages/reviews"));
        await page.Locator($"a[href='/api/pages/rounds/{round}/applications/{application}/review']").ClickAsync();
        Assert.Equal(2, await page.Locator("input[type=number]").CountAsync());
        Assert.Contains("匿名评审", await page.Locator("#application + dl").TextContentAsync() ?? "", StringComparison.Ordinal);
        await page.GetByLabel("需求分析").FillAsync("11");
        await page.GetByLabel("项目设计").FillAsync("7");
        await page.GetByLabel("评审意见").FillAsync("需求调研扎实，执行计划清楚。");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评分" }).ClickAsync();
        Assert.Equal("须在 0 至 10 分之间。", await page.Locator("#f-scores-need-error").TextContentAsync());
        await AssertFitsAsync(page);
        await Browser.ScreenshotAsync(page, "review-field-error-360");
        await page.GetByLabel("需求分析").FillAsync("9");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评分" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/api/pages/reviews?scored=", StringComparison.Ordinal), Committed);
        Assert.Contains("评分已保存", await page.Locator("[role=status]").TextContentAsync() ?? "", StringComparison.Ordinal);
        var assignment = (await api.GetAsync("reviews/mine", reviewer)).Body.EnumerateArray().Single(a => a.GetProperty("roundId").GetString() == round);
        Assert.Equal(("submitted", 9, 7), (assignment.GetProperty("status").GetString(), assignment.GetProperty("points").GetProperty("need").GetInt32(), assignment.GetProperty("points").GetProperty("design").GetInt32()));

        // The committee approves; during publicity anyone, signed out, reads the results and objects.
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{round}"), r => r.Str("status") == "committee", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"rounds/{round}/stages/results/approve", null, "committee; id=committee-chair")).Status);
        await Poll.UntilAsync(() => api.GetAsync($"rounds/{round}"), r => r.Str("status") == "publicity", TimeSpan.FromSeconds(30));
        var citizen = await Browser.PhoneAsync(browser);
        await citizen.GotoAsync(Url($"api/pages/rounds/{round}/results"));
        Assert.Contains("长者助餐暖心行动", await citizen.Locator("table").TextContentAsync() ?? "", StringComparison.Ordinal);
        await citizen.GetByLabel("对哪个项目提出异议").SelectOptionAsync(new SelectOptionValue { Label = "长者助餐暖心行动" });
        await citizen.GetByLabel("异议理由").FillAsync("太短");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "提交异议" }).ClickAsync();
        Assert.Equal("至少 10 个字。", await citizen.Locator("#f-grounds-error").TextContentAsync());
        await citizen.GetByLabel("异议理由").FillAsync("该项目的配套资金证明材料与实际不符，请核查。");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "提交异议" }).ClickAsync();
        await citizen.WaitForURLAsync(url => url.Contains("?objection=obj-", StringComparison.Ordinal), Committed);
        var objection = await citizen.Locator("#objection-id").TextContentAsync();
        await AssertFitsAsync(citizen);
        await Browser.ScreenshotAsync(citizen, "results-objection-360");
        var results = await api.GetAsync($"rounds/{round}/results");
        Assert.Equal(objection, Assert.Single(results.Body.GetProperty("objections").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_volunteer_accepts_an_offer_from_the_keyboard_on_a_phone_in_English()
    {
        var api = devHost.Api;
        var map = DistrictMap.Shipped;
        var grid = map.Grids.Keys.Order(StringComparer.Ordinal).Skip(7).First();
        var registered = await api.PostAsync("volunteers", DispatchFixture.Form("李明", grid, ["legal-aid"],
            [new { skill = "legal-aid", name = "法律职业资格证", expiresOn = "2030-12-31" }]), Samples.Admin);
        Assert.True(registered.Status == HttpStatusCode.Created, registered.ToString());
        var volunteer = registered.Str("id");
        var dispatcher = "dispatcher; id=grid-worker-browser; community=" + string.Join(',', map.Communities.Keys);
        var request = await api.PostAsync("service-requests", new
        {
            beneficiaryId = "res-" + Guid.NewGuid().ToString("N")[..8],
            beneficiaryName = "张大爷",
            vulnerability = "elderly-alone",
            need = "独居老人需要法律咨询：房屋租赁合同纠纷。",
            skills = new[] { "legal-aid" },
            gridId = grid,
            tier = "blue",
            source = "hotline",
        }, dispatcher);
        Assert.True(request.Status == HttpStatusCode.Created, request.ToString());
        var requestId = request.Str("id");
        await Poll.UntilAsync(() => api.GetAsync("offers/mine", $"volunteer; volunteer={volunteer}"),
            r => r.Body.EnumerateArray().Any(o => o.GetProperty("requestId").GetString() == requestId), TimeSpan.FromSeconds(40));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.PhoneAsync(browser, "en-US");
        await SignInAsync(page, $"volunteer; volunteer={volunteer}");
        await page.GotoAsync(Url("api/pages/offers"));
        Assert.Equal("My offers", await page.Locator("h1").TextContentAsync());
        var offer = page.Locator("section.card", new() { HasText = "房屋租赁合同纠纷" });
        Assert.Contains("Blue (within a week)", await offer.TextContentAsync() ?? "", StringComparison.Ordinal);
        await AssertFitsAsync(page);
        await Browser.ScreenshotAsync(page, "offers-360-en");

        // From the keyboard: Tab moves through the page until the offer's Accept button has focus; Enter sends it.
        var accept = offer.GetByRole(AriaRole.Button, new() { Name = "Accept" });
        for (var i = 0; i < 40 && !await accept.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.True(await accept.EvaluateAsync<bool>("b => b === document.activeElement"), "the Accept button is not reached with Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("answered=accepted", StringComparison.Ordinal), Committed);
        Assert.Contains("Accepted. Thank you!", await page.Locator("[role=status]").TextContentAsync() ?? "", StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "offer-accepted-360-en");
        var view = await Poll.UntilAsync(() => api.GetAsync($"service-requests/{requestId}", dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted", TimeSpan.FromSeconds(20));
        Assert.Equal(volunteer, view.Body.GetProperty("request").GetProperty("volunteerId").GetString());
    }

    /// <summary>A navigation counts once the browser has the new page's address; locators then wait for what they read.</summary>
    private static readonly PageWaitForURLOptions Committed = new() { WaitUntil = WaitUntilState.Commit };

    private string Url(string path) => $"http://127.0.0.1:{devHost.Host.Port}/{path}";

    /// <summary>Signs the page's browser in through the DevHost's development sign-in page, as a person would.</summary>
    private async Task SignInAsync(IPage page, string principal)
    {
        await page.GotoAsync(Url("dev/sign-in?return=/api/pages"));
        await page.GetByLabel("身份 Who you are").FillAsync(principal);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/api/pages", StringComparison.Ordinal), Committed);
    }

    /// <summary>Nothing wider than the screen: no sideways scrolling at 360 px.</summary>
    private static async Task AssertFitsAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360, $"{page.Url} scrolls sideways at 360 px");
}

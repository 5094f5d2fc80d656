using System.Net;
using System.Text.RegularExpressions;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// The pages over real HTTP, as a browser without a script would use them: signed in by the development sign-in's
/// cookie, the way App Service Authentication's session cookie carries a user in Azure. What a browser shows and
/// does with them is in <see cref="BrowserTests"/>.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed partial class PageTests(SharedDevHost devHost) : IDisposable
{
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{devHost.Host.Port}/"),
    };

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task A_browser_post_without_its_page_s_token_is_refused_and_changes_nothing()
    {
        var org = await devHost.RegisterOrganizationAsync();
        var round = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var cookie = SignedIn(Samples.Organization(org));
        var form = await GetAsync($"api/pages/rounds/{round}/apply", cookie);
        var token = Hidden(form.Html, "_csrf");
        var otherToken = Hidden((await GetAsync($"api/pages/rounds/{round}/apply", SignedIn(Samples.Organization(await devHost.RegisterOrganizationAsync("道里区助残服务社"))))).Html, "_csrf");

        // The page's own form, without a token, with another organization's, and with one tampered with.
        var none = await PostAsync($"api/pages/rounds/{round}/apply", cookie, Samples.ApplicationFormFields());
        var others = await PostAsync($"api/pages/rounds/{round}/apply", cookie, [.. Samples.ApplicationFormFields(), new("_csrf", otherToken)]);
        var tampered = await PostAsync($"api/pages/rounds/{round}/apply", cookie, [.. Samples.ApplicationFormFields(), new("_csrf", token[..^2] + "xx")]);
        // The JSON API's routes, posted as a cross-site form would post them: with the cookie, without a token.
        var api = await PostAsync($"api/rounds/{round}/applications", cookie, Samples.ApplicationFormFields());
        var bodiless = await PostAsync($"api/rounds/{round}/publish", SignedIn(Samples.Admin), []);

        foreach (var refused in new[] { none, others, tampered })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Contains("表单无法验证", refused.Html, StringComparison.Ordinal);
            Assert.Contains("form-not-verified", refused.Html, StringComparison.Ordinal);
        }

        Assert.Equal((HttpStatusCode.Forbidden, "application/problem+json"), (api.Status, api.MediaType));
        Assert.Contains("\"code\":\"form-not-verified\"", api.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, bodiless.Status);
        Assert.Empty((await devHost.Api.GetAsync($"rounds/{round}/applications", Samples.Organization(org))).Body.EnumerateArray());
    }

    [Fact]
    public async Task The_application_form_stores_once_however_often_it_is_sent_and_answers_with_its_receipt()
    {
        var org = await devHost.RegisterOrganizationAsync();
        var round = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var cookie = SignedIn(Samples.Organization(org));
        var form = await GetAsync($"api/pages/rounds/{round}/apply", cookie);
        List<KeyValuePair<string, string>> fields = [.. Samples.ApplicationFormFields(), new("_csrf", Hidden(form.Html, "_csrf")), new("_key", Hidden(form.Html, "_key"))];

        var first = await PostAsync($"api/pages/rounds/{round}/apply", cookie, fields);
        var again = await PostAsync($"api/pages/rounds/{round}/apply", cookie, fields);

        Assert.Equal(HttpStatusCode.SeeOther, first.Status);
        Assert.Matches($"^/api/pages/rounds/{round}/applications/app-[0-9a-f]+$", first.Location);
        Assert.Equal(first.Location, again.Location);
        var stored = (await devHost.Api.GetAsync($"rounds/{round}/applications", Samples.Organization(org))).Body.EnumerateArray().ToList();
        Assert.Single(stored);
        var receipt = await GetAsync(first.Location!.TrimStart('/'), cookie);
        Assert.Equal(HttpStatusCode.OK, receipt.Status);
        Assert.Contains(stored[0].GetProperty("id").GetString()!, receipt.Html, StringComparison.Ordinal);
        Assert.Contains("¥50,000.00", receipt.Html, StringComparison.Ordinal);
        Assert.Contains("残疾人就业辅导", (await GetAsync("api/pages/mine", cookie)).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_form_comes_back_with_what_was_typed_and_each_error_beside_its_field()
    {
        var org = await devHost.RegisterOrganizationAsync();
        var round = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var cookie = SignedIn(Samples.Organization(org));
        var form = await GetAsync($"api/pages/rounds/{round}/apply", cookie);
        var fields = Samples.ApplicationFormFields().Where(f => f.Key is not ("amountRequested" or "projectTitle"))
            .Append(new("amountRequested", "五万")).Append(new("projectTitle", "x"))
            .Append(new("_csrf", Hidden(form.Html, "_csrf"))).Append(new("_key", Hidden(form.Html, "_key"))).ToList();

        var refused = await PostAsync($"api/pages/rounds/{round}/apply", cookie, fields);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("<p class=\"error\" id=\"f-amountRequested-error\">请填写数字。</p>", refused.Html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" id=\"f-projectTitle-error\">至少 2 个字。</p>", refused.Html, StringComparison.Ordinal);
        Assert.Contains("value=\"五万\"", refused.Html, StringComparison.Ordinal);
        Assert.Contains(">为道里区残疾人提供职业技能培训与就业跟踪。</textarea>", refused.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#f-amountRequested\">申请金额</a>", refused.Html, StringComparison.Ordinal);
        // A client that does not read HTML (a script posting the same form) gets the same refusal as RFC 9457.
        var asProblem = await PostAsync($"api/pages/rounds/{round}/apply", cookie, fields, ("Accept", "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (asProblem.Status, asProblem.MediaType));
        Assert.Contains("\"amountRequested\":[\"Not a number.\"]", asProblem.Html, StringComparison.Ordinal);
        Assert.Empty((await devHost.Api.GetAsync($"rounds/{round}/applications", Samples.Organization(org))).Body.EnumerateArray());
    }

    [Fact]
    public async Task An_organization_bids_from_the_tender_s_form_over_the_ceiling_is_told_why_and_gets_a_receipt_with_the_sealed_hash()
    {
        var now = DateTimeOffset.UtcNow;
        var tender = (await devHost.Api.PostAsync("tenders", TenderTests.TenderForm(now.AddMinutes(5), now.AddMinutes(10)), Samples.Admin)).Str("id");
        Assert.Equal("open", (await devHost.Api.PostAsync($"tenders/{tender}/publish", null, Samples.Admin)).Str("status"));
        var org = await devHost.RegisterOrganizationAsync("道里区居家养老服务社");
        var cookie = SignedIn(Samples.Organization(org));
        var home = await GetAsync("api/pages", null);
        Assert.Contains($"href=\"/api/pages/tenders/{tender}/bid\"", home.Html, StringComparison.Ordinal);
        var form = await GetAsync($"api/pages/tenders/{tender}/bid", cookie);
        var token = Hidden(form.Html, "_csrf");
        const string proposal = "每周两次上门陪伴，配备持证护理员六名，建立服务档案。";

        var over = await PostAsync($"api/pages/tenders/{tender}/bid", cookie, [new("lotId", "B"), new("price", "250,000"), new("technicalProposal", proposal), new("_csrf", token)]);
        var sealedBid = await PostAsync($"api/pages/tenders/{tender}/bid", cookie, [new("lotId", "B"), new("price", "180,000"), new("technicalProposal", proposal), new("_csrf", token)]);

        Assert.Equal(HttpStatusCode.BadRequest, over.Status);
        Assert.Contains("高于本标段最高限价 200000 元，属无效投标。", over.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, sealedBid.Status);
        var receipt = await GetAsync(sealedBid.Location!.TrimStart('/'), cookie);
        var stored = Assert.Single((await devHost.Api.GetAsync($"tenders/{tender}/bids", Samples.Organization(org))).Body.EnumerateArray());
        Assert.Contains($"<code id=\"bid-sha256\">{stored.GetProperty("sha256").GetString()}</code>", receipt.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(proposal, receipt.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(sealedBid.Location!.TrimStart('/'), SignedIn(Samples.Organization(await devHost.RegisterOrganizationAsync("道里区助老服务站"))))).Status);
    }

    [Fact]
    public async Task Pages_are_in_Chinese_unless_the_browser_or_the_switch_asks_for_English_which_is_remembered()
    {
        var chinese = await GetAsync("api/pages", null);
        var english = await GetAsync("api/pages", null, ("Accept-Language", "en-GB,en;q=0.9"));
        var switched = await GetAsync("api/pages?lang=en", null, ("Accept-Language", "zh-CN"));
        var remembered = await GetAsync("api/pages", "lang=en", ("Accept-Language", "zh-CN"));

        Assert.Contains("<html lang=\"zh-CN\">", chinese.Html, StringComparison.Ordinal);
        Assert.Contains("<h1>公开项目</h1>", chinese.Html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", english.Html, StringComparison.Ordinal);
        Assert.Contains("<h1>Open calls</h1>", english.Html, StringComparison.Ordinal);
        Assert.Contains("<h1>Open calls</h1>", switched.Html, StringComparison.Ordinal);
        Assert.Contains("lang=en", switched.SetCookie, StringComparison.Ordinal);
        Assert.Contains("<h1>Open calls</h1>", remembered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_out_reader_of_a_personal_page_is_offered_the_sign_in_that_brings_them_back()
    {
        var page = await GetAsync("api/pages/mine", null);
        var signIn = await PostAsync("dev/sign-in", null, [new("principal", "volunteer; volunteer=vol-abc"), new("return", "/api/pages/offers")]);
        var elsewhere = await PostAsync("dev/sign-in", null, [new("principal", "admin"), new("return", "https://example.com/")]);

        Assert.Equal(HttpStatusCode.Unauthorized, page.Status);
        Assert.Contains("请先登录", page.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/dev/sign-in?return=%2Fapi%2Fpages%2Fmine\"", page.Html, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, "/api/pages/offers"), (signIn.Status, signIn.Location));
        Assert.Contains("dev-principal=", signIn.SetCookie, StringComparison.Ordinal);
        Assert.Equal("/api/pages", elsewhere.Location);
    }

    /// <summary>The development sign-in's cookie for this principal, as the sign-in page sets it.</summary>
    private static string SignedIn(string principal) => "dev-principal=" + Uri.EscapeDataString(principal);

    private static string Hidden(string html, string name) =>
        Regex.Match(html, $"name=\"{name}\" value=\"([^\"]+)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"No {name} on the page.");

    private async Task<PageReply> GetAsync(string path, string? cookie, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request, cookie, headers);
    }

    private async Task<PageReply> PostAsync(string path, string? cookie, IEnumerable<KeyValuePair<string, string>> fields, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        return await SendAsync(request, cookie, headers);
    }

    private async Task<PageReply> SendAsync(HttpRequestMessage request, string? cookie, (string Name, string Value)[] headers)
    {
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        // What a browser says it reads, for a page and for a form post; a test that wants a problem says otherwise.
        if (!headers.Any(h => h.Name == "Accept"))
        {
            request.Headers.Add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request);
        return new PageReply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.ToString(),
            response.Content.Headers.ContentType?.MediaType, string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var set) ? set : []));
    }

    private sealed record PageReply(HttpStatusCode Status, string Html, string? Location, string? MediaType, string SetCookie);
}

using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Common;
using Serverless.Core.Pages;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>
/// The pieces of the pages that need no browser: the anti-forgery token, which requests must carry one, the reader's
/// language, the local formats, and the catalogue that gives every word the pages show from the core in Chinese.
/// </summary>
public sealed class PagesTests
{
    private static readonly Caller Org = new("dev-org-1", "Li Hua", new HashSet<Role> { Role.Organization }, "org-1");
    private static readonly Caller OtherOrg = new("dev-org-2", "Wang Fang", new HashSet<Role> { Role.Organization }, "org-2");

    private static FormProtection Protection(TimeProvider clock) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [FormProtection.KeySetting] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray()) })
        .Build(), clock);

    [Fact]
    public void A_token_is_accepted_for_the_caller_it_was_issued_to_and_refused_for_anyone_else()
    {
        var protection = Protection(new FakeTimeProvider(DateTimeOffset.Parse("2027-03-01T09:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture)));
        var token = protection.Issue(Org);

        Assert.Null(protection.Check(token, Org));
        Assert.Equal(ProblemCodes.FormForged, protection.Check(token, OtherOrg)?.Code);
        Assert.Equal(ProblemCodes.FormForged, protection.Check(token, Caller.Public)?.Code);
        Assert.Equal(ProblemCodes.FormForged, protection.Check(null, Org)?.Code);
        Assert.Equal(ProblemCodes.FormForged, protection.Check("", Org)?.Code);
        Assert.Equal(ProblemCodes.FormForged, protection.Check(token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), Org)?.Code);
    }

    [Fact]
    public void A_token_moved_to_a_later_expiry_or_kept_past_its_own_is_refused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2027-03-01T09:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture));
        var protection = Protection(clock);
        var token = protection.Issue(Org);
        var (expires, mac) = (long.Parse(token.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture), token.Split('.')[1]);

        Assert.Equal(ProblemCodes.FormForged, protection.Check($"{expires + 3600}.{mac}", Org)?.Code);
        clock.Advance(FormProtection.Lifetime - TimeSpan.FromMinutes(1));
        Assert.Null(protection.Check(token, Org));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ProblemCodes.FormExpired, protection.Check(token, Org)?.Code);
    }

    [Fact]
    public void A_token_made_under_another_key_is_refused()
    {
        var clock = new FakeTimeProvider();
        var other = new FormProtection(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [FormProtection.KeySetting] = Convert.ToBase64String(new byte[32]) }).Build(), clock);

        Assert.Equal(ProblemCodes.FormForged, Protection(clock).Check(other.Issue(Org), Org)?.Code);
    }

    [Theory]
    [InlineData("POST", "application/x-www-form-urlencoded", "dev-principal=x", null, true)]
    [InlineData("POST", null, "dev-principal=x", null, true)] // a body-less action (accept an offer) from a cross-site form
    [InlineData("POST", "text/plain", "session=x", null, true)]
    [InlineData("POST", "multipart/form-data; boundary=x", "session=x", null, true)]
    [InlineData("PUT", "application/x-www-form-urlencoded", "session=x", null, true)]
    [InlineData("POST", "application/json", "dev-principal=x", null, false)] // no other site can send JSON without a preflight
    [InlineData("POST", "application/x-www-form-urlencoded", null, null, false)] // no cookie: nothing ambient to abuse
    [InlineData("POST", "application/x-www-form-urlencoded", "session=x", "Authorization", false)]
    [InlineData("POST", "application/x-www-form-urlencoded", "session=x", "X-Dev-Principal", false)]
    [InlineData("GET", null, "dev-principal=x", null, false)]
    public void Only_requests_another_site_could_make_a_browser_send_must_carry_a_token(string method, string? contentType, string? cookie, string? header, bool forgeable)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.ContentType = contentType;
        if (cookie is not null)
        {
            http.Request.Headers.Cookie = cookie;
        }

        if (header is not null)
        {
            http.Request.Headers[header] = "x";
        }

        Assert.Equal(forgeable, FormProtection.IsForgeable(http.Request));
    }

    [Theory]
    [InlineData(null, null, null, Lang.Zh)]
    [InlineData(null, null, "en-US,en;q=0.9", Lang.En)]
    [InlineData(null, null, "fr-FR,en;q=0.5", Lang.En)]
    [InlineData(null, null, "fr-FR,de;q=0.5", Lang.Zh)]
    [InlineData(null, null, "en;q=0.4,zh-CN;q=0.8", Lang.Zh)]
    [InlineData(null, null, "zh-Hans-CN", Lang.Zh)]
    [InlineData(null, "en", "zh-CN", Lang.En)]
    [InlineData("zh", "en", "en", Lang.Zh)]
    [InlineData("en", null, null, Lang.En)]
    [InlineData("xx", null, "en", Lang.En)]
    public void The_language_is_the_switch_then_the_remembered_choice_then_the_browser_then_Chinese(string? query, string? cookie, string? acceptLanguage, Lang expected)
    {
        var http = new DefaultHttpContext();
        if (query is not null)
        {
            http.Request.QueryString = new QueryString("?lang=" + query);
        }

        if (cookie is not null)
        {
            http.Request.Headers.Cookie = "lang=" + cookie;
        }

        if (acceptLanguage is not null)
        {
            http.Request.Headers.AcceptLanguage = acceptLanguage;
        }

        Assert.Equal(expected, PageContext.LanguageOf(http.Request));
    }

    [Fact]
    public void Money_is_yuan_with_separators_and_fen_and_moments_are_Beijing_time()
    {
        Assert.Equal("¥1,500,000.00", PageContext.Money(Lang.Zh, 1_500_000m));
        Assert.Equal("CNY 50,000.50", PageContext.Money(Lang.En, 50_000.5m));
        var at = DateTimeOffset.Parse("2027-02-28T17:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("2027年3月1日 01:30", PageContext.When(Lang.Zh, at));
        Assert.Equal("1 Mar 2027, 01:30", PageContext.When(Lang.En, at));
    }

    [Fact]
    public void Every_value_the_pages_name_has_a_name_in_both_languages()
    {
        var missing = Words.NamedEnums.SelectMany(type => Enum.GetValues(type).Cast<Enum>()).Where(v => !Words.HasName(v)).ToList();

        Assert.Empty(missing);
        Assert.Equal("养老", Words.Name(Lang.Zh, ProgrammeArea.ElderlyCare));
        Assert.Equal("Elderly care", Words.Name(Lang.En, ProgrammeArea.ElderlyCare));
    }

    [Fact]
    public void Every_problem_code_has_a_Chinese_title()
    {
        var codes = typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();

        Assert.NotEmpty(codes);
        Assert.DoesNotContain(codes, c => !Words.HasTitle(c));
    }

    /// <summary>
    /// Every message the application form can give, found by sending it what people get wrong (nothing at all, text
    /// where numbers go, too long, out of range, budgets that do not add up, dates before the deadline), reads in
    /// Chinese; the scoring and objection forms' messages too.
    /// </summary>
    [Fact]
    public void Every_message_the_pages_forms_can_give_reads_in_Chinese()
    {
        var round = Samples.Open();
        List<(string, StringValues)[]> posts =
        [
            [],
            [("projectTitle", "x"), ("summary", "short"), ("beneficiaryCount", "many"), ("amountRequested", "lots"), ("budgetLines[0].amount", "1万"),
                ("milestones[0].title", "开始"), ("milestones[0].due", "下个月"), ("programmeArea", "space")],
            [("projectTitle", new string('长', 101)), ("summary", new string('长', 4001)), ("programmeArea", "culture"), ("beneficiaryGroup", "老人"), ("beneficiaryCount", "0"),
                ("communitiesServed", "共乐社区"), ("budgetLines[0].item", "餐费"), ("budgetLines[0].amount", "-5"), ("budgetLines[1].item", "培训"), ("budgetLines[1].amount", "0.001"),
                ("amountRequested", "5000000000"), ("matchingFunds", "-1"), ("milestones[0].title", "结项"), ("milestones[0].due", "2000-01-01")],
            [("projectTitle", "长者助餐"), ("summary", "为独居老人提供每日午餐配送。"), ("programmeArea", "elderly-care"), ("beneficiaryGroup", "老人"), ("beneficiaryCount", "10"),
                ("communitiesServed", "共乐社区"), ("budgetLines[0].item", "餐费"), ("budgetLines[0].amount", "1000"),
                ("amountRequested", "1000"), ("matchingFunds", "0"), ("milestones[0].title", "结项"), ("milestones[0].due", "2099-01-01")],
            [("programmeArea", new StringValues(["disability", "children"])), ("budgetLines[0].item", "餐费"), ("milestones[0].title", "结项")],
        ];
        var messages = new HashSet<string>(StringComparer.Ordinal)
        {
            // The scoring form (StageEndpoints.SubmitReview) and the objection form (LodgeObjection), and the refusals of posts.
            "Between 0 and 10.", "Not a criterion of this round's rubric.", "Not a project in this round's results.", "At least 10 characters.",
            "Objections are lodged during the publicity period.", "The round is not in review.", "Reviews were due by 2027-03-15T09:00:00.0000000+00:00.",
            "You are not assigned to review this application.", "Another volunteer accepted this request first; thank you.",
            "You already hold another task; finish or hand it back first.", "The offer is declined.", "The offer expired at 2027-03-15T09:00:00.0000000+00:00.",
            "The round closed for applications at 2027-03-15T09:00:00.0000000+00:00; nothing can be submitted, edited or withdrawn after the deadline.",
            "Contains control characters.",
        };
        foreach (var post in posts)
        {
            var problem = Assert.Throws<ProblemException>(() => ApplicationForm.FromForm(new FormCollection(post.ToDictionary(p => p.Item1, p => p.Item2))).Validate(round)).Problem;
            messages.UnionWith(problem.Errors!.Values.SelectMany(m => m));
        }

        Assert.True(messages.Count > 25, $"only {messages.Count} messages were produced");
        Assert.DoesNotContain(messages, m => Words.Message(Lang.Zh, m) is null);
        Assert.Equal("至少 2 个字。", Words.Message(Lang.Zh, "At least 2 characters."));
        Assert.Equal("本轮资助金额须在 20000 至 100000 元之间。", Words.Message(Lang.Zh, "This round grants between 20000 and 100000 CNY."));
        Assert.Equal("评审截止时间为 2027年3月15日 17:00（北京时间）。", Words.Message(Lang.Zh, "Reviews were due by 2027-03-15T09:00:00.0000000+00:00."));
        Assert.Equal("Reviews were due by 15 Mar 2027, 17:00 (Beijing time).", Words.Message(Lang.En, "Reviews were due by 2027-03-15T09:00:00.0000000+00:00."));
    }

    [Fact]
    public void A_field_with_an_error_is_labelled_described_and_marked_invalid()
    {
        var errors = FormErrors.From(Lang.Zh, Problem.Validation("budgetLines[0].amount", "Not a number."));

        var html = Html.Field(errors, "budgetLines[0].amount", "第 1 项：金额（元）", "input type=\"text\"", "以元为单位", "1万");

        Assert.Contains("<label for=\"f-budgetLines-0-amount\">", html, StringComparison.Ordinal);
        Assert.Contains("id=\"f-budgetLines-0-amount\" name=\"budgetLines[0].amount\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"f-budgetLines-0-amount-hint f-budgetLines-0-amount-error\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" id=\"f-budgetLines-0-amount-error\">请填写数字。</p>", html, StringComparison.Ordinal);
        Assert.Contains("value=\"1万\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_reader_typed_is_shown_again_encoded()
    {
        var html = Html.Field(FormErrors.None, "projectTitle", "项目名称", "input type=\"text\"", value: "\"><script>alert(1)</script>");

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;script&gt;", html, StringComparison.Ordinal);
    }
}

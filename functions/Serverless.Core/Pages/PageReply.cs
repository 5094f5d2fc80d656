using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Common;

namespace Serverless.Core.Pages;

/// <summary>
/// The pages' replies: a whole page in the site's layout, a redirect after a post (303, so a refresh never posts
/// twice), and a refusal as a page in the reader's language. Pages run no script and load nothing from elsewhere.
/// </summary>
public sealed class PageReply : IResult
{
    /// <summary>Where a signed-out reader signs in. In Azure, App Service Authentication's login; the DevHost sets its own.</summary>
    public const string SignInSetting = "Pages:SignInUrl";

    public const string DefaultSignIn = "/.auth/login/aad?post_login_redirect_uri={return}";

    private readonly int status;
    private readonly string? html;
    private readonly string? location;
    private readonly Lang? remember;
    private readonly Problem? refusal;

    private PageReply(int status, string? html, string? location, Lang? remember, Problem? refusal = null)
    {
        this.status = status;
        this.html = html;
        this.location = location;
        this.remember = remember;
        this.refusal = refusal;
    }

    /// <summary>
    /// A page: its title, and its body inside the layout. A page that refuses (a form sent back with its errors)
    /// names the <paramref name="refusal"/>: a client that does not read HTML gets it as a problem document instead.
    /// </summary>
    public static PageReply Page(PageContext p, string title, string body, int status = 200, Problem? refusal = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        var chosen = PageContext.Parse(p.Request.Query[PageContext.LangParameter].ToString());
        return new PageReply(status, Layout.Render(p.Lang, p.Caller, p.Request, title, body, SignIn(p.Endpoint.Services, p.Request)), null, chosen, refusal);
    }

    /// <summary>After a post: go and read the result (303 See Other, a GET), so a refresh shows it again and posts nothing.</summary>
    public static PageReply SeeOther(string location) => new(303, null, location, null);

    /// <summary>A refusal as a page: what went wrong in the reader's language, and what to do.</summary>
    public static IResult Problem(Problem problem, HttpRequest request, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(request);
        var lang = PageContext.LanguageOf(request);
        var caller = Caller.Public;
        var body = new StringBuilder();
        body.Append("<p class=\"problem-detail\">").Append(Html.E(Detail(lang, problem))).Append("</p>\n");
        if (problem.Errors is { Count: > 0 } errors)
        {
            body.Append("<ul>");
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    body.Append("<li>").Append(Html.E(field)).Append(": ").Append(Html.E(Words.Message(lang, message) ?? message)).Append("</li>");
                }
            }

            body.Append("</ul>\n");
        }

        var signIn = SignIn(services, request);
        if (problem.Status == 401)
        {
            body.Append("<p><a class=\"button\" href=\"").Append(Html.E(signIn)).Append("\">")
                .Append(lang == Lang.Zh ? "登录" : "Sign in").Append("</a></p>\n");
        }

        body.Append("<p><a href=\"").Append(PageContext.Href(Routes.PagesHome)).Append("\">")
            .Append(lang == Lang.Zh ? "返回首页" : "Back to the home page").Append("</a></p>\n");
        body.Append("<p class=\"hint\">").Append(lang == Lang.Zh ? "错误代码" : "Code").Append(": <code>").Append(Html.E(problem.Code)).Append("</code></p>\n");
        var html = Layout.Render(lang, caller, request, Words.Title(lang, problem), body.ToString(), signIn);
        return new PageReply(problem.Status, html, null, null, problem);
    }

    /// <summary>A problem's detail in the reader's language (its Chinese when the catalogue has it).</summary>
    public static string Detail(Lang lang, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var detail = problem.Detail ?? problem.Title;
        return Words.Message(lang, detail) ?? detail;
    }

    /// <summary>Whether the client reads HTML: every browser names <c>text/html</c> in Accept for a page and a form post.</summary>
    public static bool ReadsHtml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Accept.Any(a => a is not null
            && (a.Contains("text/html", StringComparison.OrdinalIgnoreCase) || a.Contains("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The sign-in address for this page, coming back to it afterwards.</summary>
    private static string SignIn(IServiceProvider services, HttpRequest request)
    {
        var template = services.GetService<IConfiguration>()?[SignInSetting] is { Length: > 0 } configured ? configured : DefaultSignIn;
        var back = request.Path.Value + (HttpMethods.IsGet(request.Method) ? request.QueryString.Value : string.Empty);
        return template.Replace("{return}", WebUtility.UrlEncode(back), StringComparison.Ordinal);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (refusal is not null && !ReadsHtml(httpContext.Request))
        {
            // Content negotiation: a browser asks for HTML; an API client, a script or a probe gets RFC 9457.
            await Reply.Problem(refusal, httpContext.Request).ExecuteAsync(httpContext);
            return;
        }

        var response = httpContext.Response;
        response.StatusCode = status;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        if (remember is { } lang)
        {
            response.Cookies.Append(PageContext.LangParameter, lang == Lang.Zh ? "zh" : "en", new CookieOptions
            {
                Path = "/api/pages",
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = httpContext.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(365),
            });
        }

        if (location is not null)
        {
            response.Headers.Location = location;
            return;
        }

        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "same-origin";
        await response.WriteAsync(html!, httpContext.RequestAborted);
    }
}

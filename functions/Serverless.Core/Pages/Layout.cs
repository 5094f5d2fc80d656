using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Serverless.Core.Common;

namespace Serverless.Core.Pages;

/// <summary>
/// The pages' frame: the site's name, what the reader can do by role, the language switch, and the page. Written
/// for a phone first (a single column that reads at 360 px), for the keyboard (a skip link, visible focus) and for
/// screen readers (landmarks, the page's language).
/// </summary>
internal static class Layout
{
    private const string Style = """
        *, *::before, *::after { box-sizing: border-box; }
        body { font: 17px/1.6 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
        a { color: #0b4f9c; } a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #f0a000; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: .5rem; top: .5rem; background: #fff; padding: .25rem .5rem; z-index: 1; }
        header { background: #a4161a; color: #fff; padding: .5rem 1rem; }
        header { overflow-wrap: anywhere; } header a { color: #fff; } header .site { font-weight: bold; text-decoration: none; font-size: 1.1rem; }
        header nav ul { list-style: none; margin: .25rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
        main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; line-height: 1.3; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        .field { margin: 0 0 1rem; } label, legend { display: block; font-weight: bold; }
        input[type=text], input[type=number], input[type=date], input:not([type]), select, textarea { display: block; width: 100%; max-width: 100%; font: inherit; padding: .45rem; border: 2px solid #555; border-radius: 4px; }
        textarea { min-height: 7rem; }
        fieldset { border: 1px solid #bbb; border-radius: 4px; margin: 0 0 1rem; padding: .5rem .75rem; min-width: 0; }
        .hint { color: #505050; margin: 0 0 .25rem; font-size: .95rem; }
        .required { color: #a4161a; }
        .invalid { border-left: 4px solid #c00; padding-left: .75rem; } .error { color: #c00; font-weight: bold; margin: 0 0 .25rem; }
        .invalid input, .invalid textarea, .invalid select { border-color: #c00; }
        .error-summary { border: 3px solid #c00; padding: .5rem 1rem; margin: 0 0 1rem; } .error-summary h2 { margin-top: 0; }
        .notice { border: 3px solid #05620b; padding: .5rem 1rem; margin: 0 0 1rem; background: #eef7ee; }
        button, .button { display: inline-block; font: inherit; font-weight: bold; padding: .55rem 1.1rem; border: 0; border-radius: 4px; background: #05620b; color: #fff; text-decoration: none; cursor: pointer; margin: .25rem .5rem .25rem 0; }
        button.secondary { background: #505050; }
        .card { border: 1px solid #ccc; border-radius: 6px; padding: .75rem 1rem; margin: 0 0 1rem; }
        .card h2, .card h3 { margin-top: 0; }
        dl { margin: 0; } dt { font-weight: bold; } dd { margin: 0 0 .5rem; overflow-wrap: anywhere; }
        .row { display: flex; flex-wrap: wrap; gap: 0 .75rem; } .row > .field { flex: 1 1 12rem; min-width: 0; }
        .status { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #e8e8e8; font-size: .9rem; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .25rem; border-bottom: 1px solid #ddd; vertical-align: top; }
        .table { overflow-x: auto; }
        code { overflow-wrap: anywhere; }
        footer { max-width: 46rem; margin: 2rem auto 1rem; padding: 0 1rem; color: #505050; font-size: .9rem; }
        """;

    public static string Render(Lang lang, Caller caller, HttpRequest request, string title, string body, string signIn)
    {
        string T(string zh, string en) => lang == Lang.Zh ? zh : en;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="{(lang == Lang.Zh ? "zh-CN" : "en")}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Html.E(title)} · {T("道里区社区服务", "Daoli District Community Services")}</title>
            <style>{Style}</style>
            </head>
            <body>
            <a class="skip" href="#main">{T("跳到正文", "Skip to the content")}</a>
            <header>
            <a class="site" href="{PageContext.Href(Routes.PagesHome)}">{T("道里区社区服务", "Daoli District Community Services")}</a>
            <nav aria-label="{T("主导航", "Main")}"><ul>
            <li><a href="{PageContext.Href(Routes.PagesHome)}">{T("公开项目", "Open calls")}</a></li>

            """);
        if (caller.IsIn(Role.Organization))
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{PageContext.Href(Routes.PagesMine)}\">{T("我的申请与投标", "My applications and bids")}</a></li>\n");
        }

        if (caller.IsIn(Role.Reviewer))
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{PageContext.Href(Routes.PagesReviews)}\">{T("评审任务", "My reviews")}</a></li>\n");
        }

        if (caller.VolunteerId is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{PageContext.Href(Routes.PagesOffers)}\">{T("服务派单", "My offers")}</a></li>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Html.E(Switch(request, lang == Lang.Zh ? "en" : "zh"))}\" lang=\"{(lang == Lang.Zh ? "en" : "zh-CN")}\">{(lang == Lang.Zh ? "English" : "中文")}</a></li>\n");
        html.Append(caller.IsAuthenticated
            ? $"<li>{T("已登录", "Signed in as")}: {Html.E(caller.Name ?? caller.Id)}</li>\n"
            : $"<li><a href=\"{Html.E(signIn)}\">{T("登录", "Sign in")}</a></li>\n");
        html.Append(CultureInfo.InvariantCulture, $"""
            </ul></nav>
            </header>
            <main id="main">
            <h1>{Html.E(title)}</h1>
            {body}
            </main>
            <footer>{T("道里区民政局 · 公益创投、政府购买服务与志愿服务", "Daoli District Civil Affairs Bureau · venture philanthropy, service procurement and volunteering")} · <a href="/api/reference">{T("接口说明", "API reference")}</a></footer>
            </body>
            </html>
            """);
        return html.ToString();
    }

    /// <summary>This page again in the other language (a GET; after a refused post, the page's own address).</summary>
    private static string Switch(HttpRequest request, string lang)
    {
        var query = HttpMethods.IsGet(request.Method)
            ? request.Query.Where(q => q.Key != PageContext.LangParameter).ToDictionary(q => q.Key, q => q.Value.ToString())
            : [];
        query[PageContext.LangParameter] = lang;
        return QueryHelpers.AddQueryString(request.Path.Value ?? "/", query!);
    }
}

using System.Net;
using Serverless.Core.Common;

namespace Serverless.DevHost;

/// <summary>
/// The development sign-in. In Azure, App Service Authentication verifies the user's Entra ID token, strips
/// any principal header a client sent, and passes the verified principal in <c>X-MS-CLIENT-PRINCIPAL</c>.
/// The DevHost does the same stripping, and in Development only, turns an <c>X-Dev-Principal</c> header
/// into that same principal:
/// <code>X-Dev-Principal: admin</code>
/// <code>X-Dev-Principal: organization; org=org-0193...; name=Li%20Hua</code>
/// <code>X-Dev-Principal: reviewer,committee; id=expert-7</code>
/// <code>X-Dev-Principal: dispatcher; community=c0101,c0102</code>
/// </summary>
internal static class DevSignIn
{
    public const string Header = "X-Dev-Principal";

    /// <summary>The cookie a browser keeps the development sign-in in.</summary>
    public const string Cookie = "dev-principal";

    public const string SignInPath = "/dev/sign-in";

    public static void UseDevSignIn(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        app.Use(async (http, next) =>
        {
            var headers = http.Request.Headers;
            headers.Remove(ClientPrincipal.Header);
            headers.Remove(ClientPrincipal.IdHeader);
            headers.Remove(ClientPrincipal.NameHeader);
            // A browser signs in once at /dev/sign-in and carries the same text in a cookie (as App Service
            // Authentication's session cookie stands for the user in Azure): the pages and their forms work with it.
            if (!headers.ContainsKey(Header) && development && http.Request.Cookies.TryGetValue(Cookie, out var remembered)
                && Parse(remembered).Value is { } signedIn)
            {
                headers[ClientPrincipal.Header] = ClientPrincipal.Encode(signedIn);
            }

            if (headers.TryGetValue(Header, out var value))
            {
                if (!development)
                {
                    await Reply.Problem(new Problem(403, ProblemCodes.DevSignInDisabled, "Development sign-in is off.",
                        "X-Dev-Principal is accepted only when the DevHost runs in the Development environment."), http.Request).ExecuteAsync(http);
                    return;
                }

                var caller = Parse(value.ToString());
                if (caller.Error is { } problem)
                {
                    await Reply.Problem(problem, http.Request).ExecuteAsync(http);
                    return;
                }

                headers[ClientPrincipal.Header] = ClientPrincipal.Encode(caller.Value!);
            }

            await next(http);
        });
    }

    /// <summary>
    /// The development sign-in page for a browser: a form that takes the same text as the header and keeps it in a
    /// cookie, then goes back to the page that asked (<c>?return=/api/pages/mine</c>). Development only.
    /// </summary>
    public static void MapDevSignIn(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return;
        }

        app.MapGet(SignInPath, (HttpContext http) =>
        {
            var back = Back(http.Request.Query["return"].ToString());
            var current = http.Request.Cookies.TryGetValue(Cookie, out var c) ? c : "organization; org=";
            var html = $$"""
                <!doctype html>
                <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>开发登录 Development sign-in</title>
                <style>body { font: 17px/1.6 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; } input { display: block; width: 100%; font: inherit; padding: .4rem; } button { font: inherit; margin-top: 1rem; padding: .5rem 1rem; }</style>
                </head><body><main>
                <h1>开发登录 Development sign-in</h1>
                <p>In Azure, Microsoft Entra ID signs people in. Here, say who you are, as the X-Dev-Principal header would:</p>
                <ul><li><code>organization; org=&lt;organization id&gt;</code></li><li><code>reviewer; id=expert-1</code></li><li><code>volunteer; volunteer=&lt;volunteer id&gt;</code></li><li><code>admin</code></li></ul>
                <form method="post" action="{{SignInPath}}">
                <input type="hidden" name="return" value="{{WebUtility.HtmlEncode(back)}}">
                <label for="principal">身份 Who you are</label>
                <input id="principal" name="principal" value="{{WebUtility.HtmlEncode(current)}}" autocomplete="off">
                <button type="submit">登录 Sign in</button>
                </form>
                </main></body></html>
                """;
            return Results.Content(html, "text/html; charset=utf-8");
        });

        app.MapPost(SignInPath, async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var principal = form["principal"].ToString();
            var parsed = Parse(principal);
            if (parsed.Error is { } problem)
            {
                return Reply.Problem(problem, http.Request);
            }

            http.Response.Cookies.Append(Cookie, principal, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
            return Results.Redirect(Back(form["return"].ToString()));
        });
    }

    /// <summary>Only a path of this site: the sign-in never sends anyone elsewhere.</summary>
    private static string Back(string path) =>
        path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal) ? path : "/api/pages";

    internal static Result<Caller> Parse(string header)
    {
        var parts = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return Invalid("Name at least one role, such as 'admin' or 'organization; org=<id>'.");
        }

        var roles = new HashSet<Role>();
        foreach (var name in parts[0].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!RoleNames.TryParse(name, out var role))
            {
                return Invalid($"'{name}' is not a role: use {string.Join(", ", Enum.GetValues<Role>().Select(RoleNames.Of))}.");
            }

            roles.Add(role);
        }

        var claims = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in parts.Skip(1))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0] is not ("org" or "volunteer" or "name" or "id" or "community"))
            {
                return Invalid($"'{part}' is not one of org=, volunteer=, name=, id=, community=.");
            }

            claims[pair[0]] = Uri.UnescapeDataString(pair[1]);
        }

        var org = claims.GetValueOrDefault("org");
        var volunteer = claims.GetValueOrDefault("volunteer");
        var id = claims.GetValueOrDefault("id")
            ?? "dev-" + string.Join('-', new[] { string.Join('+', roles.Select(RoleNames.Of).Order(StringComparer.Ordinal)), org, volunteer }.Where(s => s is not null));
        var communities = claims.GetValueOrDefault("community")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var caller = new Caller(id, claims.GetValueOrDefault("name") ?? id, roles, org, volunteer, communities is { Count: > 0 } ? communities : null);
        return ClientPrincipal.Fault(caller) is { } bad
            ? Invalid($"The {bad} is not one the product could issue: ids are letters, digits, '-' and '_'.")
            : caller;
    }

    private static Problem Invalid(string detail) => Problem.Validation(Header, detail);
}

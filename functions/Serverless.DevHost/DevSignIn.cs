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

    public static void UseDevSignIn(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        app.Use(async (http, next) =>
        {
            var headers = http.Request.Headers;
            headers.Remove(ClientPrincipal.Header);
            headers.Remove(ClientPrincipal.IdHeader);
            headers.Remove(ClientPrincipal.NameHeader);
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

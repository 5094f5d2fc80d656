using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Serverless.Core.Common;

/// <summary>The product's roles (DOMAIN.md "Who uses it"). Public is the absence of a caller.</summary>
public enum Role
{
    Admin,
    Reviewer,
    Committee,
    Organization,
    Dispatcher,
    Volunteer,
}

/// <summary>
/// Who is calling: an identity from the platform (App Service Authentication in Azure, the development
/// sign-in on the DevHost), the product roles it holds, and the organization or volunteer it is bound to.
/// </summary>
/// <remarks>
/// How every handler refuses, in this order, before it reads or validates the body (so a caller who may not
/// act never learns what a valid body would be, and a refused request changes nothing):
/// <list type="number">
/// <item>401: nobody signed in (the dispatcher answers this before the handler for non-public endpoints).</item>
/// <item>403: the caller's roles can never do this (<see cref="Require"/>), checked before anything is read.</item>
/// <item>Ownership, once the resource is loaded. Another party's thing answers <b>404</b>, exactly as a thing
/// that does not exist, when its very existence is confidential: another organization's application (who
/// applied is not published, and review can be blind; likewise to a reviewer who is not on the round's
/// panel), another bidder's bid (sealed, and never published per bidder), another volunteer's offer. It
/// answers <b>403</b> when its existence is public or known to the caller: a grant or a contract (published
/// with the results, the award and the OCDS record), an award held by someone else, a service request or a
/// pairing of another volunteer or community, an application a panel reviewer is not assigned to (the panel
/// screens them all), a round or tender whose panel or committee the reviewer is not on. Either way the
/// answer is the same whether or not the body would have been valid.</item>
/// <item>Then the body (400), then the state (409).</item>
/// </list>
/// </remarks>
public sealed record Caller(
    string? Id,
    string? Name,
    IReadOnlySet<Role> Roles,
    string? OrganizationId = null,
    string? VolunteerId = null,
    IReadOnlySet<string>? Communities = null)
{
    public static readonly Caller Public = new(null, null, new HashSet<Role>());

    /// <summary>True for the bureau, and for a dispatcher (grid worker) of this community.</summary>
    public bool ServesCommunity(string communityId) =>
        IsIn(Role.Admin) || (IsIn(Role.Dispatcher) && Communities is not null && Communities.Contains(communityId));

    /// <summary>A dispatcher (or the bureau) acting where they serve; a dispatcher of another community is refused.</summary>
    public void RequireCommunity(string communityId)
    {
        if (!ServesCommunity(communityId))
        {
            throw Problem.Forbidden("Only the bureau and the dispatchers of this community act on it.").ToException();
        }
    }

    public bool IsAuthenticated => Id is not null;

    public bool IsIn(Role role) => Roles.Contains(role);

    /// <summary>True when the caller is a member of this organization.</summary>
    public bool ActsFor(string organizationId) =>
        IsIn(Role.Organization) && string.Equals(OrganizationId, organizationId, StringComparison.Ordinal);

    /// <summary>Refuses with 401 when nobody is signed in, 403 when the caller holds none of the roles.</summary>
    public void Require(params Role[] anyOf)
    {
        if (!IsAuthenticated)
        {
            throw Problem.Unauthenticated().ToException();
        }

        if (!anyOf.Any(IsIn))
        {
            throw Problem.Forbidden($"This needs one of the roles: {string.Join(", ", anyOf.Select(RoleNames.Of))}.").ToException();
        }
    }

    /// <summary>True when the caller is this volunteer.</summary>
    public bool IsVolunteer(string volunteerId) =>
        IsIn(Role.Volunteer) && string.Equals(VolunteerId, volunteerId, StringComparison.Ordinal);

    /// <summary>A volunteer acting for themselves.</summary>
    public string RequireVolunteer()
    {
        Require(Role.Volunteer);
        return VolunteerId ?? throw Problem.Forbidden("Your sign-in is not bound to a volunteer.").ToException();
    }

    /// <summary>An organization member acting for their own organization.</summary>
    public string RequireOrganization()
    {
        Require(Role.Organization);
        return OrganizationId ?? throw Problem.Forbidden("Your sign-in is not bound to an organization.").ToException();
    }
}

/// <summary>The role names as they travel in the principal's claims (Entra app roles) and in replies.</summary>
public static class RoleNames
{
    private static readonly Dictionary<string, Role> ByName = Enum.GetValues<Role>()
        .ToDictionary(Of, r => r, StringComparer.OrdinalIgnoreCase);

    public static string Of(Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out Role role) => ByName.TryGetValue(name.Trim(), out role);
}

/// <summary>
/// Reads and writes the <c>X-MS-CLIENT-PRINCIPAL</c> header of App Service Authentication: base64 of a JSON
/// document with the identity provider's claims. In Azure the platform sets it after verifying the token
/// and strips any copy a client sends; on the DevHost the development sign-in produces the same header.
/// </summary>
public static class ClientPrincipal
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";
    public const string IdHeader = "X-MS-CLIENT-PRINCIPAL-ID";
    public const string NameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    /// <summary>Claim types the product reads beside the roles.</summary>
    public const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    public const string OrganizationClaim = "organization_id";
    public const string VolunteerClaim = "volunteer_id";
    public const string CommunityClaim = "community_id";
    public const string RolesClaim = "roles";
    public const string NameClaim = "name";

    public static Caller Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return Caller.Public;
        }

        PrincipalDocument? document;
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(values.ToString()));
            document = JsonSerializer.Deserialize<PrincipalDocument>(json);
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            throw new ProblemException(new Problem(401, ProblemCodes.InvalidPrincipal, "Sign-in not understood.",
                "The client principal header is not a valid App Service principal."));
        }

        if (document?.Claims is null)
        {
            throw new ProblemException(new Problem(401, ProblemCodes.InvalidPrincipal, "Sign-in not understood.",
                "The client principal carries no claims."));
        }

        // A platform principal never holds null claims, but a malformed header must be a 401, not a crash.
        var claims = document.Claims.Where(c => c?.Type is not null).ToList();
        var roleType = document.RoleType ?? RolesClaim;
        var nameType = document.NameType ?? NameClaim;
        string? Claim(string type) => claims.FirstOrDefault(c => c.Type == type)?.Value;

        var roles = new HashSet<Role>();
        foreach (var claim in claims.Where(c => c.Type == roleType || c.Type == RolesClaim))
        {
            if (claim.Value is not null && RoleNames.TryParse(claim.Value, out var role))
            {
                roles.Add(role);
            }
        }

        var id = request.Headers[IdHeader].ToString() is { Length: > 0 } headerId ? headerId : Claim(ObjectIdClaim);
        if (string.IsNullOrEmpty(id))
        {
            throw new ProblemException(new Problem(401, ProblemCodes.InvalidPrincipal, "Sign-in not understood.",
                "The client principal has no identifier."));
        }

        var communities = claims.Where(c => c.Type == CommunityClaim && !string.IsNullOrWhiteSpace(c.Value)).Select(c => c.Value!).ToHashSet(StringComparer.Ordinal);
        return Checked(new Caller(id, Claim(nameType) ?? request.Headers[NameHeader].ToString(), roles,
            Claim(OrganizationClaim), Claim(VolunteerClaim), communities.Count == 0 ? null : communities));
    }

    /// <summary>What is wrong with a caller's identifier or bindings (a value no sign-in of this product could carry), or null.</summary>
    public static string? Fault(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsAuthenticated)
        {
            return null;
        }

        return !Validation.IsPrincipalId(caller.Id) ? "identifier"
            : caller.OrganizationId is { } o && !RouteValues.IsId(o) ? "organization binding"
            : caller.VolunteerId is { } v && !RouteValues.IsId(v) ? "volunteer binding"
            : caller.Communities?.Any(c => !RouteValues.IsId(c)) == true ? "community binding"
            : null;
    }

    /// <summary>
    /// The caller, if its identifier and bindings are values this product could have issued; otherwise 401. They
    /// become table keys and query values, so they are checked where they enter, like route values.
    /// </summary>
    public static Caller Checked(Caller caller) => Fault(caller) is { } bad
        ? throw new Problem(401, ProblemCodes.InvalidPrincipal, "Sign-in not understood.",
            $"The sign-in's {bad} is not one this product could have issued.").ToException()
        : caller;

    /// <summary>The header value for a caller, exactly as App Service would send it.</summary>
    public static string Encode(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var claims = new List<PrincipalClaim> { new(ObjectIdClaim, caller.Id ?? "anonymous") };
        if (caller.Name is not null)
        {
            claims.Add(new(NameClaim, caller.Name));
        }

        claims.AddRange(caller.Roles.Select(r => new PrincipalClaim(RolesClaim, RoleNames.Of(r))));
        if (caller.OrganizationId is not null)
        {
            claims.Add(new(OrganizationClaim, caller.OrganizationId));
        }

        if (caller.VolunteerId is not null)
        {
            claims.Add(new(VolunteerClaim, caller.VolunteerId));
        }

        claims.AddRange((caller.Communities ?? new HashSet<string>()).Order(StringComparer.Ordinal).Select(c => new PrincipalClaim(CommunityClaim, c)));

        var document = new PrincipalDocument("aad", NameClaim, RolesClaim, claims);
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(document));
    }

    private sealed record PrincipalDocument(
        [property: JsonPropertyName("auth_typ")] string? AuthType,
        [property: JsonPropertyName("name_typ")] string? NameType,
        [property: JsonPropertyName("role_typ")] string? RoleType,
        [property: JsonPropertyName("claims")] List<PrincipalClaim>? Claims);

    private sealed record PrincipalClaim(
        [property: JsonPropertyName("typ")] string Type,
        [property: JsonPropertyName("val")] string? Value);
}

using Microsoft.AspNetCore.Http;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;

namespace Serverless.Core.Common;

/// <summary>
/// What the product binds to a sign-in: the organization it acts for, the volunteer it is, the communities
/// a dispatcher (grid worker) serves. The roles come from Entra app roles; these bindings come from claims
/// when the tenant issues them, otherwise from this table, which the bureau keeps.
/// </summary>
public sealed record Member(string PrincipalId, string? OrganizationId, string? VolunteerId, List<string>? Communities, DateTimeOffset UpdatedAt);

public sealed record MemberForm([property: IdValue] string? OrganizationId, [property: IdValue] string? VolunteerId, [property: IdValue] List<string>? Communities);

public sealed class MembershipStore(Storage storage)
{
    private const string Row = "member";

    public const string Aggregate = "members";

    public static (string Table, string Partition, string Row) Locate(string principalId) => (TableNames.Members, Partition(principalId), Row);

    /// <summary>
    /// The caller with what this table binds to it, where the principal's claims did not: only a role that
    /// needs a binding and lacks one costs a read (an organization member without an organization, a
    /// volunteer without a volunteer id, a dispatcher without communities).
    /// </summary>
    public async Task<Caller> BindAsync(Caller caller, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var needs = caller.IsAuthenticated && ((caller.IsIn(Role.Organization) && caller.OrganizationId is null)
            || (caller.IsIn(Role.Volunteer) && caller.VolunteerId is null)
            || (caller.IsIn(Role.Dispatcher) && caller.Communities is null));
        if (!needs || await FindAsync(caller.Id!, cancellation) is not { } member)
        {
            return caller;
        }

        return caller with
        {
            OrganizationId = caller.OrganizationId ?? member.OrganizationId,
            VolunteerId = caller.VolunteerId ?? member.VolunteerId,
            Communities = caller.Communities ?? (member.Communities is { Count: > 0 } c ? c.ToHashSet(StringComparer.Ordinal) : null),
        };
    }

    public async Task<Member?> FindAsync(string principalId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Members, cancellation);
        var found = await table.FindDocumentAsync<Member>(Partition(principalId), Row, cancellation);
        return found?.Document;
    }

    public async Task SaveAsync(Member member, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var table = await storage.TableAsync(TableNames.Members, cancellation);
        await table.UpsertAuditedAsync(Aggregate, member.PrincipalId, Documents.ToEntity(Partition(member.PrincipalId), Row, member), cancellation);
    }

    /// <summary>Binds a volunteer's own sign-in to the volunteer they registered as, unless it is bound already.</summary>
    public async Task BindVolunteerAsync(string principalId, string volunteerId, DateTimeOffset now, CancellationToken cancellation = default)
    {
        var existing = await FindAsync(principalId, cancellation);
        if (existing?.VolunteerId is null)
        {
            await SaveAsync((existing ?? new Member(principalId, null, null, null, now)) with { VolunteerId = volunteerId, UpdatedAt = now }, cancellation);
        }
    }

    // Principal ids come from the identity provider: hashed, so any character is safe as a key.
    private static string Partition(string principalId) => Ids.Fingerprint(principalId);
}

public static class MembershipEndpoints
{
    /// <summary>The bureau binds a sign-in to an organization, a volunteer, or the communities a dispatcher serves.</summary>
    public static async Task<IResult> SetMember(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var principalId = ctx.Route("principalId");
        var form = await ctx.ReadBodyAsync<MemberForm>();
        var v = new Validation();
        var organizationId = v.OptionalText("organizationId", form.OrganizationId, RouteValues.MaxIdLength);
        var volunteerId = v.OptionalText("volunteerId", form.VolunteerId, RouteValues.MaxIdLength);
        var communities = form.Communities ?? [];
        if (communities.Count > 50)
        {
            v.Add("communities", "At most 50 communities.");
        }

        for (var i = 0; i < Math.Min(communities.Count, 50); i++)
        {
            if (communities[i] is null || !DistrictMap.Shipped.Communities.ContainsKey(communities[i]))
            {
                v.Add($"communities[{i}]", "Not a community of the district.");
            }
        }

        v.ThrowIfAny();
        if (organizationId is not null && (!RouteValues.IsId(organizationId) || await ctx.Service<OrganizationStore>().FindAsync(organizationId, ctx.Aborted) is null))
        {
            throw Problem.Validation("organizationId", "No organization has this id.").ToException();
        }

        if (volunteerId is not null && (!RouteValues.IsId(volunteerId) || await ctx.Service<VolunteerStore>().FindAsync(volunteerId, ctx.Aborted) is null))
        {
            throw Problem.Validation("volunteerId", "No volunteer has this id.").ToException();
        }

        var member = new Member(principalId, organizationId, volunteerId,
            communities.Count == 0 ? null : communities.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), ctx.Clock.GetUtcNow());
        await ctx.Service<MembershipStore>().SaveAsync(member, ctx.Aborted);
        return Reply.Ok(member);
    }

    public static async Task<IResult> GetMember(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var member = await ctx.Service<MembershipStore>().FindAsync(ctx.Route("principalId"), ctx.Aborted)
            ?? throw Problem.NotFound("The membership").ToException();
        return Reply.Ok(member);
    }
}

using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Organizations;

public static class OrganizationEndpoints
{
    /// <summary>
    /// The bureau registers social organizations (it is their registrar). The credit code is the natural
    /// key: a retry with the same Idempotency-Key and body gets the first answer; any other second
    /// registration of the code is a conflict that names the existing organization.
    /// </summary>
    public static async Task<IResult> RegisterOrganization(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var key = ctx.IdempotencyKey();
        var form = await ctx.ReadBodyAsync<OrganizationForm>();
        var now = ctx.Clock.GetUtcNow();
        var code = (form.CreditCode ?? string.Empty).Trim().ToUpperInvariant();
        var id = key is null ? Ids.New("org", ctx.Clock) : Ids.Derive("org", "organizations", code, key);
        var organization = form.Validate(id, now);
        var fingerprint = Ids.Fingerprint(ApiJson.Serialize(form with { CreditCode = code }));
        var store = ctx.Service<OrganizationStore>();
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        if (await store.TryAddAsync(organization, key, fingerprint, ctx.Aborted))
        {
            return Reply.Created(OrganizationView.Location(id), OrganizationView.Of(organization, ctx.Caller, today));
        }

        var existing = await store.FindByCodeAsync(code, ctx.Aborted)
            ?? throw Problem.Conflict(ProblemCodes.ConcurrentUpdate, "Registration raced with another; retry.").ToException();
        if (key is not null && existing.IdempotencyKey == key)
        {
            if (existing.Fingerprint != fingerprint)
            {
                throw Problem.Conflict(ProblemCodes.IdempotencyKeyReused,
                    "This Idempotency-Key was used for a different request.").ToException();
            }

            var first = await store.FindAsync(existing.OrganizationId, ctx.Aborted)
                ?? throw Problem.NotFound("The organization").ToException();
            return Reply.Created(OrganizationView.Location(first.Id), OrganizationView.Of(first, ctx.Caller, today));
        }

        throw Problem.Conflict(ProblemCodes.DuplicateCreditCode,
            $"An organization with credit code {code} is already registered as {existing.OrganizationId}.").ToException();
    }

    public static async Task<IResult> GetOrganization(EndpointContext ctx)
    {
        var organization = await ctx.Service<OrganizationStore>().FindAsync(ctx.Route("orgId"), ctx.Aborted)
            ?? throw Problem.NotFound("The organization").ToException();
        return Reply.Ok(OrganizationView.Of(organization, ctx.Caller, DateOnly.FromDateTime(ctx.Clock.GetUtcNow().UtcDateTime)));
    }
}

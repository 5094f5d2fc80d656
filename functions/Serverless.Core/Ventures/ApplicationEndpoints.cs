using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Ventures;

public static class ApplicationEndpoints
{
    /// <summary>
    /// An organization applies to a round. With an Idempotency-Key the application's id is derived from
    /// the key, so a retry (even one that arrives after the deadline, for a request accepted before it)
    /// returns the first result and never stores a second application. ApplicationSubmitted is written in the
    /// application's own batch, so a retry that finds it stored raises no second event.
    /// </summary>
    public static async Task<IResult> SubmitApplication(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var key = ctx.IdempotencyKey();
        var round = await RoundEndpoints.FindVisibleRecentAsync(ctx);
        var form = await ctx.ReadBodyAsync(ApplicationForm.FromForm);
        var store = ctx.Service<ApplicationStore>();
        var fingerprint = Ids.Fingerprint(ApiJson.Serialize(form));
        var id = key is null ? Ids.New("app", ctx.Clock) : Ids.Derive("app", round.Id, organizationId, key);

        var now = ctx.Clock.GetUtcNow();
        if (round.RefuseApplicationChange(now) is { } refusal)
        {
            // A retry after the deadline of a request accepted before it answers with what was stored.
            return key is not null && await ReplayAsync(store, round.Id, id, fingerprint, ctx) is { } late
                ? late
                : throw refusal.ToException();
        }

        // Before the deadline a retry needs no read first: its insert fails on the id the key derives, and the
        // stored application is answered then (below), so a first submission costs no lookup.
        var organization = await ctx.Service<OrganizationStore>().FindRecentAsync(organizationId, ctx.Aborted)
            ?? throw Problem.Forbidden("Your organization is not registered with the bureau.").ToException();
        var content = form.Validate(round);
        var application = new Application(id, round.Id, organizationId, organization.Name, content,
            ApplicationStatus.Submitted, now, now, 1);

        var submitted = ctx.Service<Outbox>().Event(RoundStages.EventSource + round.Id, "Serverless.Ventures.ApplicationSubmitted", id, id,
            new { roundId = round.Id, applicationId = id, organizationId, requested = content.AmountRequested });
        if (await store.TryAddAsync(application, key, fingerprint, [submitted], ctx.Aborted))
        {
            return Reply.Created(Application.Location(round.Id, id), application);
        }

        // Only a concurrent retry with the same key can collide with a new id.
        return await ReplayAsync(store, round.Id, id, fingerprint, ctx)
            ?? throw Problem.Conflict(ProblemCodes.ConcurrentUpdate, "The submission raced with itself; retry.").ToException();
    }

    public static async Task<IResult> ListApplications(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var organizationId = ctx.Caller.IsIn(Role.Admin) ? null : ctx.Caller.RequireOrganization();
        var applications = await ctx.Service<ApplicationStore>().ListAsync(round.Id, organizationId, ctx.Aborted);
        return Reply.Ok(applications.OrderBy(a => a.SubmittedAt).Select(ApplicationSummary.Of).ToList());
    }

    /// <summary>
    /// The organization that applied and the bureau read the whole application; a reviewer reads it only while
    /// assigned to it, and in a blind round without what names the applicant. To anyone else it does not exist:
    /// who applied to a round is not published (404, not 403).
    /// </summary>
    public static async Task<IResult> GetApplication(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization, Role.Reviewer);
        var application = (await ctx.Service<ApplicationStore>().FindAsync(ctx.Route("roundId"), ctx.Route("applicationId"), ctx.Aborted))?.Application
            ?? throw Problem.NotFound("The application").ToException();
        if (ctx.Caller.IsIn(Role.Admin) || ctx.Caller.ActsFor(application.OrganizationId))
        {
            return Reply.Ok(application);
        }

        if (!ctx.Caller.IsIn(Role.Reviewer))
        {
            throw Problem.NotFound("The application").ToException();
        }

        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        await StageEndpoints.RequireAssignmentAsync(ctx, round, "You are not assigned to review this application.", ReviewStatus.Assigned, ReviewStatus.Submitted);
        return Reply.Ok(ApplicationReviewView.Of(application, round.BlindReview));
    }

    public static async Task<IResult> EditApplication(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var (application, etag) = await FindOwnAsync(ctx, organizationId);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var form = await ctx.ReadBodyAsync(ApplicationForm.FromForm);
        var now = ctx.Clock.GetUtcNow();
        if (round.RefuseApplicationChange(now) is { } refusal)
        {
            throw refusal.ToException();
        }

        if (application.Status != ApplicationStatus.Submitted)
        {
            throw Problem.InvalidState("A withdrawn application cannot be edited.").ToException();
        }

        var edited = application with { Content = form.Validate(round), UpdatedAt = now, Version = application.Version + 1 };
        await ctx.Service<ApplicationStore>().UpdateAsync(edited, etag, ctx.Aborted);
        return Reply.Ok(edited);
    }

    public static async Task<IResult> WithdrawApplication(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var (application, etag) = await FindOwnAsync(ctx, organizationId);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var now = ctx.Clock.GetUtcNow();
        if (round.RefuseApplicationChange(now) is { } refusal)
        {
            throw refusal.ToException();
        }

        if (application.Status == ApplicationStatus.Withdrawn)
        {
            return Reply.Ok(application);
        }

        var withdrawn = application with { Status = ApplicationStatus.Withdrawn, WithdrawnAt = now, UpdatedAt = now, Version = application.Version + 1 };
        await ctx.Service<ApplicationStore>().UpdateAsync(withdrawn, etag, ctx.Aborted);
        return Reply.Ok(withdrawn);
    }

    private static async Task<IResult?> ReplayAsync(ApplicationStore store, string roundId, string id, string fingerprint, EndpointContext ctx)
    {
        if (await store.FindAsync(roundId, id, ctx.Aborted) is not { } first)
        {
            return null;
        }

        if (first.Fingerprint != fingerprint)
        {
            throw Problem.Conflict(ProblemCodes.IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different application.").ToException();
        }

        return Reply.Created(Application.Location(roundId, id), first.Application);
    }

    /// <summary>The caller's own application; another organization's answers 404, exactly as one that does not exist.</summary>
    private static async Task<(Application Application, Azure.ETag ETag)> FindOwnAsync(EndpointContext ctx, string organizationId)
    {
        var found = await ctx.Service<ApplicationStore>().FindAsync(ctx.Route("roundId"), ctx.Route("applicationId"), ctx.Aborted);
        if (found is not { } f || f.Application.OrganizationId != organizationId)
        {
            throw Problem.NotFound("The application").ToException();
        }

        return (f.Application, f.ETag);
    }
}

/// <summary>An application as an assigned reviewer reads it: in a blind round, nothing that names the applicant.</summary>
public sealed record ApplicationReviewView(
    string Id,
    string RoundId,
    bool Blind,
    string? OrganizationId,
    string? OrganizationName,
    ApplicationContent Content,
    ApplicationStatus Status,
    DateTimeOffset SubmittedAt)
{
    public static ApplicationReviewView Of(Application application, bool blind)
    {
        ArgumentNullException.ThrowIfNull(application);
        return new ApplicationReviewView(application.Id, application.RoundId, blind, blind ? null : application.OrganizationId,
            blind ? null : application.OrganizationName, application.Content, application.Status, application.SubmittedAt);
    }
}

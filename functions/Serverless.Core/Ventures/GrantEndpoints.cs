using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>A grant as its parties see it: the agreement, what was paid, the reports and where its workflow stands.</summary>
public sealed record GrantView(Grant Grant, decimal Paid, List<GrantReport>? Reports, Common.RoundProgressView? Progress);

public static class GrantEndpoints
{
    /// <summary>
    /// A grant is its organization's: the grantee, the bureau and the reviewers of the round's panel (who review
    /// its reports) read it with its reports. Who was granted how much is public in the round's results, so to
    /// another organization the grant is refused (403), not hidden.
    /// </summary>
    public static async Task<IResult> GetGrant(EndpointContext ctx)
    {
        var grant = await FindForPartyAsync(ctx);
        var reports = await ctx.Service<GrantStore>().ReportsAsync(grant.Id, ctx.Aborted);
        var instance = await ctx.Durable.GetInstanceAsync(GrantOrchestration.InstanceId(grant.Id), getInputsAndOutputs: true, ctx.Aborted);
        var progress = Workflows.CustomStatus<RoundProgress>(instance) is { } status
            ? new Common.RoundProgressView(instance!.RuntimeStatus.ToString(), status.Message)
            : null;
        return Reply.Ok(new GrantView(grant, grant.Paid, reports, progress));
    }

    /// <summary>The round's grants: all of them for the bureau and the round's panel; an organization sees its own.</summary>
    public static async Task<IResult> ListRoundGrants(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Reviewer, Role.Organization);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var all = ctx.Caller.IsIn(Role.Admin) || round.IsOnPanel(ctx.Caller);
        if (!all && !ctx.Caller.IsIn(Role.Organization))
        {
            throw Problem.Forbidden("Only the reviewers of the round's panel read its grants.").ToException();
        }

        var grants = (await ctx.Service<GrantStore>().ListForRoundAsync(round.Id, ctx.Aborted))
            .Where(g => all || ctx.Caller.ActsFor(g.OrganizationId));
        return Reply.Ok(grants.Select(g => new GrantSummary(g.Id, g.ApplicationId, g.OrganizationId, g.OrganizationName, g.ProjectTitle, g.Amount, g.Paid, g.Status)).ToList());
    }

    /// <summary>The organization and the bureau each sign the agreement; the second signature starts the grant.</summary>
    public static async Task<IResult> SignGrant(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization);
        var asBureau = ctx.Caller.IsIn(Role.Admin);
        var grant = await ChangeAsync(ctx, g =>
        {
            if (!asBureau && !ctx.Caller.ActsFor(g.OrganizationId))
            {
                throw Problem.Forbidden("Only the grantee organization and the bureau sign this agreement.").ToException();
            }

            if (g.Status != GrantStatus.AwaitingSignatures)
            {
                throw Problem.InvalidState("The agreement is already signed.").ToException();
            }

            var signed = asBureau ? g with { SignedByBureau = ctx.Caller.Id } : g with { SignedByOrganization = ctx.Caller.Id };
            if (!signed.IsSigned)
            {
                return signed;
            }

            var now = ctx.Clock.GetUtcNow();
            return signed with
            {
                Status = GrantStatus.Active,
                SignedAt = now,
                Tranches = signed.Tranches.Select(t => t.ReportDueAfter is null ? t : t with { DueAt = now + StagePeriods.Parse(t.ReportDueAfter) }).ToList(),
            };
        });
        return Reply.Ok(grant);
    }

    /// <summary>The grantee reports on the milestone of a tranche.</summary>
    public static async Task<IResult> SubmitReport(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var store = ctx.Service<GrantStore>();
        var (grant, _) = await store.FindAsync(ctx.Route("grantId"), ctx.Aborted) ?? throw Problem.NotFound("The grant").ToException();
        if (grant.OrganizationId != organizationId)
        {
            throw Problem.Forbidden("Only the grantee reports on its grant.").ToException();
        }

        var form = await ctx.ReadBodyAsync<ReportForm>();
        var v = new Validation();
        var index = form.TrancheIndex ?? 0;
        if (index < 1 || index >= grant.Tranches.Count)
        {
            v.Add("trancheIndex", $"A tranche that is paid against a report: 1 to {grant.Tranches.Count - 1}.");
        }

        var summary = v.Text("summary", form.Summary, 8000, 10);
        v.Range("beneficiariesServed", form.BeneficiariesServed ?? -1, 0, 1_000_000);
        v.Money("spent", form.Spent ?? -1);
        v.ThrowIfAny();
        if (grant.Status != GrantStatus.Active)
        {
            throw Problem.InvalidState($"Reports are made on an active grant; this one is {grant.Status.ToString().ToLowerInvariant()}.").ToException();
        }

        var reports = await store.ReportsAsync(grant.Id, ctx.Aborted);
        if (reports.Any(r => r.TrancheIndex == index && r.Status is ReportStatus.Approved or ReportStatus.Submitted))
        {
            throw Problem.Conflict(ProblemCodes.InvalidState, "A report for this tranche is already approved or awaiting review.").ToException();
        }

        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("rpt", ctx.Clock) : Ids.Derive("rpt", grant.Id, key);
        var report = new GrantReport(id, grant.Id, index, summary, form.BeneficiariesServed!.Value, form.Spent!.Value, ctx.Clock.GetUtcNow(), ReportStatus.Submitted);
        await store.SaveReportAsync(report, null, ctx.Aborted);
        await Signal(ctx, grant.Id);
        return Reply.Created($"{Grant.Location(grant.Id)}/reports/{id}", report);
    }

    /// <summary>The bureau or a reviewer of the round's panel approves a report (its tranche is then paid) or asks for changes.</summary>
    public static async Task<IResult> ReviewReport(EndpointContext ctx)
    {
        var grant = await FindForPartyAsync(ctx, grantee: false);
        var store = ctx.Service<GrantStore>();
        var (report, etag) = await store.FindReportAsync(grant.Id, ctx.Route("reportId"), ctx.Aborted) ?? throw Problem.NotFound("The report").ToException();
        var form = await ctx.ReadBodyAsync<ReportReviewForm>();
        var v = new Validation();
        if (form.Decision is not ("approve" or "request-changes"))
        {
            v.Add("decision", "Either 'approve' or 'request-changes'.");
        }

        var note = form.Decision == "request-changes" ? v.Text("note", form.Note, 4000, 2) : v.OptionalText("note", form.Note, 4000);
        v.ThrowIfAny();
        if (report.Status != ReportStatus.Submitted)
        {
            throw Problem.InvalidState("This report has been reviewed.").ToException();
        }

        var reviewed = report with
        {
            Status = form.Decision == "approve" ? ReportStatus.Approved : ReportStatus.ChangesRequested,
            ReviewedBy = ctx.Caller.Id,
            ReviewedAt = ctx.Clock.GetUtcNow(),
            ReviewNote = note,
        };
        await store.SaveReportAsync(reviewed, etag, ctx.Aborted);
        await Signal(ctx, grant.Id);
        return Reply.Ok(reviewed);
    }

    /// <summary>
    /// The bureau's final evaluation (绩效评价). Passing needs every report approved and pays the last
    /// tranche; failing may come at any time and withholds what is unpaid, records the clawback and
    /// debars the organization.
    /// </summary>
    public static async Task<IResult> EvaluateGrant(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        _ = await ctx.Service<GrantStore>().FindAsync(ctx.Route("grantId"), ctx.Aborted) ?? throw Problem.NotFound("The grant").ToException();
        var form = await ctx.ReadBodyAsync<EvaluationForm>();
        var v = new Validation();
        if (form.Result is not ("pass" or "fail"))
        {
            v.Add("result", "Either 'pass' or 'fail'.");
        }

        var note = v.Text("note", form.Note, 4000, 2);
        v.Money("clawback", form.Clawback ?? 0);
        v.ThrowIfAny();
        var reports = await ctx.Service<GrantStore>().ReportsAsync(ctx.Route("grantId"), ctx.Aborted);
        var grant = await ChangeAsync(ctx, g =>
        {
            if (g.Evaluation is not null || g.Status is GrantStatus.Completed or GrantStatus.Failed)
            {
                throw Problem.InvalidState("This grant has been evaluated.").ToException();
            }

            var passed = form.Result == "pass";
            if (passed && (g.Status != GrantStatus.Active || Enumerable.Range(1, g.Tranches.Count - 1).Any(i => reports.All(r => r.TrancheIndex != i || r.Status != ReportStatus.Approved))))
            {
                throw Problem.InvalidState("A grant passes its final evaluation when every report is approved.").ToException();
            }

            if ((form.Clawback ?? 0) > g.Paid)
            {
                throw Problem.Validation("clawback", $"At most what was paid: {g.Paid} CNY.").ToException();
            }

            return g with { Evaluation = new GrantEvaluation(passed, note, passed ? 0 : form.Clawback ?? 0, ctx.Caller.Id!) };
        });
        return Reply.Ok(grant);
    }

    /// <summary>
    /// The route's grant for one of its parties: the bureau, the grantee (unless <paramref name="grantee"/> is
    /// false), a reviewer of its round's panel. The roles are checked first; anyone else holding them is refused (403).
    /// </summary>
    private static async Task<Grant> FindForPartyAsync(EndpointContext ctx, bool grantee = true)
    {
        ctx.Caller.Require(grantee ? [Role.Admin, Role.Reviewer, Role.Organization] : [Role.Admin, Role.Reviewer]);
        var (grant, _) = await ctx.Service<GrantStore>().FindAsync(ctx.Route("grantId"), ctx.Aborted)
            ?? throw Problem.NotFound("The grant").ToException();
        if (ctx.Caller.IsIn(Role.Admin) || (grantee && ctx.Caller.ActsFor(grant.OrganizationId)))
        {
            return grant;
        }

        if (ctx.Caller.IsIn(Role.Reviewer) && await ctx.Service<RoundStore>().FindAsync(grant.RoundId, ctx.Aborted) is { } found && found.Round.IsOnPanel(ctx.Caller))
        {
            return grant;
        }

        throw Problem.Forbidden("A grant is read by the grantee, the bureau and the reviewers of its round's panel.").ToException();
    }

    private static async Task<Grant> ChangeAsync(EndpointContext ctx, Func<Grant, Grant> change)
    {
        var store = ctx.Service<GrantStore>();
        var (grant, etag) = await store.FindAsync(ctx.Route("grantId"), ctx.Aborted) ?? throw Problem.NotFound("The grant").ToException();
        var changed = change(grant);
        await store.UpdateAsync(changed, etag, ctx.Aborted);
        await Signal(ctx, grant.Id);
        return changed;
    }

    private static Task Signal(EndpointContext ctx, string grantId) =>
        Workflows.SignalAsync(ctx.Durable, GrantOrchestration.InstanceId(grantId), GrantOrchestration.UpdatedEvent, "updated", ctx.Aborted);
}

/// <summary>A grant in a round's list: whose, for what, how much, how much paid, where it stands.</summary>
public sealed record GrantSummary(string Id, string ApplicationId, string OrganizationId, string OrganizationName, string ProjectTitle, decimal Amount, decimal Paid, GrantStatus Status);

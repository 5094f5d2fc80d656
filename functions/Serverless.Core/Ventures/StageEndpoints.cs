using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public sealed record ScreeningDecisionForm(string? Decision, string? Note);

public sealed record ReviewForm(Dictionary<string, int>? Scores, string? Comment)
{
    /// <summary>Reads the scoring form of the pages: one field <c>scores.{criterionId}</c> per criterion, and <c>comment</c>.</summary>
    public static ReviewForm FromForm(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var v = new Validation();
        var scores = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, values) in form.Where(f => f.Key.StartsWith("scores.", StringComparison.Ordinal)))
        {
            var text = values.ToString().Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var points))
            {
                scores[key["scores.".Length..]] = points;
            }
            else
            {
                v.Add(key, "Not a whole number.");
            }
        }

        v.ThrowIfAny();
        return new ReviewForm(scores, form["comment"].ToString());
    }
}

public sealed record DeclineForm(string? Reason);

public sealed record StageDecisionForm(string? Reason);

/// <summary>What a reviewer sees of an assignment: in a blind round, nothing that names the applicant.</summary>
public sealed record AssignmentView(
    string RoundId,
    string RoundTitle,
    string ApplicationId,
    ReviewStatus Status,
    int Wave,
    DateTimeOffset? Due,
    bool Blind,
    string? OrganizationId,
    string? OrganizationName,
    ApplicationContent Content,
    List<Criterion> Rubric,
    Dictionary<string, int>? Points,
    string? Comment);

/// <summary>The human steps of a round after it closes: screening decisions, reviews, the committee, objections.</summary>
public static class StageEndpoints
{
    /// <summary>A panel reviewer (or the bureau) confirms or overturns an application's automatic screening result.</summary>
    public static async Task<IResult> DecideScreening(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Reviewer, Role.Admin);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        RequirePanelOrAdmin(ctx, round);
        var store = ctx.Service<ApplicationStore>();
        var (application, etag, _, _) = await store.FindAsync(round.Id, ctx.Route("applicationId"), ctx.Aborted)
            ?? throw Problem.NotFound("The application").ToException();
        var form = await ctx.ReadBodyAsync<ScreeningDecisionForm>();
        var v = new Validation();
        if (form.Decision is not ("confirm" or "overturn"))
        {
            v.Add("decision", "Either 'confirm' or 'overturn'.");
        }

        var note = form.Decision == "overturn" ? v.Text("note", form.Note, 1000, 2) : v.OptionalText("note", form.Note, 1000);
        v.ThrowIfAny();
        RequireStage(round, RoundStatus.Screening, "Screening decisions are taken during the screening stage.");
        if (application.Screening is not { } screening)
        {
            throw Problem.InvalidState("This application was not received before the deadline and is not screened.").ToException();
        }

        var overturn = form.Decision == "overturn";
        var decided = application with
        {
            Screening = screening with
            {
                Eligible = overturn ? !screening.AutomaticallyEligible : screening.AutomaticallyEligible,
                Overturned = overturn,
                DecidedBy = ctx.Caller.Id,
                DecidedAt = ctx.Clock.GetUtcNow(),
                Note = note,
            },
        };
        await store.UpdateAsync(decided, etag, ctx.Aborted);
        var left = (await store.ListAsync(round.Id, null, ctx.Aborted)).Count(a => a.IsReceived(round) && a.Screening is { Confirmed: false });
        if (left == 0)
        {
            await RoundWorkflow.SignalStagesAsync(ctx.Durable, round.Id, RoundWorkflow.ScreeningCompleteEvent, "all confirmed", ctx.Aborted);
        }

        return Reply.Ok(decided.Screening);
    }

    /// <summary>A reviewer's assignments in every round, blind where the round is.</summary>
    public static async Task<IResult> MyReviews(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Reviewer);
        var mine = await ctx.Service<ReviewStore>().ListForReviewerAsync(ctx.Caller.Id!, ctx.Aborted);
        var views = new List<AssignmentView>();
        foreach (var byRound in mine.Where(r => r.Status is ReviewStatus.Assigned or ReviewStatus.Submitted).GroupBy(r => r.RoundId))
        {
            if (await ctx.Service<RoundStore>().FindAsync(byRound.Key, ctx.Aborted) is not { } found)
            {
                continue;
            }

            var round = found.Round;
            foreach (var review in byRound)
            {
                if (await ctx.Service<ApplicationStore>().FindAsync(round.Id, review.ApplicationId, ctx.Aborted) is not { } app)
                {
                    continue;
                }

                views.Add(new AssignmentView(round.Id, round.Title, review.ApplicationId, review.Status, review.Wave,
                    round.Stages.ReviewEndsAt, round.BlindReview, round.BlindReview ? null : app.Application.OrganizationId,
                    round.BlindReview ? null : app.Application.OrganizationName, app.Application.Content, round.Rubric,
                    review.Points, review.Comment));
            }
        }

        return Reply.Ok(views);
    }

    /// <summary>An assigned reviewer scores every criterion of the rubric within its range, before the review deadline.</summary>
    public static async Task<IResult> SubmitReview(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Reviewer);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var store = ctx.Service<ReviewStore>();
        var assignment = await RequireAssignmentAsync(ctx, round, "You are not assigned to review this application.", ReviewStatus.Assigned, ReviewStatus.Submitted);
        var form = await ctx.ReadBodyAsync(ReviewForm.FromForm);
        var v = new Validation();
        var scores = form.Scores ?? [];
        foreach (var criterion in round.Rubric)
        {
            if (!scores.TryGetValue(criterion.Id, out var points))
            {
                v.Add($"scores.{criterion.Id}", "Required.");
            }
            else if (points < 0 || points > criterion.MaxPoints)
            {
                v.Add($"scores.{criterion.Id}", $"Between 0 and {criterion.MaxPoints}.");
            }
        }

        foreach (var unknown in scores.Keys.Where(k => round.Rubric.All(c => c.Id != k)))
        {
            v.Add($"scores.{unknown}", "Not a criterion of this round's rubric.");
        }

        var comment = v.Text("comment", form.Comment, 4000, 2);
        v.ThrowIfAny();
        var now = ctx.Clock.GetUtcNow();
        if (round.Status != RoundStatus.Review || round.Stages.ReviewEndsAt <= now)
        {
            throw Problem.DeadlinePassed(round.Stages.ReviewEndsAt is { } due && round.Status == RoundStatus.Review
                ? $"Reviews were due by {due:O}."
                : "The round is not in review.").ToException();
        }

        var submitted = assignment.Review with { Status = ReviewStatus.Submitted, Points = scores, Comment = comment, SubmittedAt = now };
        await store.UpdateAsync(submitted, assignment, ctx.Aborted);
        // Was it the last? Checked off the request, once for the reviews of the same second.
        await RoundSweep.RequestReviewCheckAsync(ctx.Service<Storage>(), round.Id, ctx.Aborted);

        return Reply.Ok(submitted);
    }

    /// <summary>A reviewer declines an assignment for a conflict of interest; it goes to another conflict-free reviewer.</summary>
    public static async Task<IResult> DeclineReview(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Reviewer);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var store = ctx.Service<ReviewStore>();
        var assignment = await RequireAssignmentAsync(ctx, round, "You have no open assignment for this application.", ReviewStatus.Assigned);
        var form = await ctx.ReadBodyAsync<DeclineForm>();
        var v = new Validation();
        var reason = v.Text("reason", form.Reason, 1000, 2);
        v.ThrowIfAny();
        RequireStage(round, RoundStatus.Review, "Assignments can be declined during review.");
        await store.UpdateAsync(assignment.Review with { Status = ReviewStatus.Declined, DeclineReason = reason }, assignment, ctx.Aborted);
        var (application, _, _, _) = (await ctx.Service<ApplicationStore>().FindAsync(round.Id, assignment.Review.ApplicationId, ctx.Aborted))!.Value;
        var all = await store.ListAsync(round.Id, ctx.Aborted);
        var load = ReviewLoad.Of(all);
        var exclude = all.Where(r => r.ApplicationId == application.Id).Select(r => r.ReviewerId).ToHashSet();
        // The decliner's conflict counts from now on, for this application's organization.
        var panel = round.Reviewers.Select(p => p.ReviewerId == ctx.Caller.Id
            ? p with { DeclaredConflicts = [.. p.DeclaredConflicts, application.OrganizationId] } : p).ToList();
        var replacement = ReviewerAssignment.Replacement(new ToAssign(application.Id, application.OrganizationId), panel, exclude, load);
        if (replacement is not null)
        {
            await store.AddAllAsync([new Review(round.Id, application.Id, replacement, ReviewStatus.Assigned, ctx.Clock.GetUtcNow(), assignment.Review.Wave)], ctx.Aborted);
        }
        else
        {
            // Nobody left to take it: the declined review may have been the last one to wait for.
            await RoundSweep.RequestReviewCheckAsync(ctx.Service<Storage>(), round.Id, ctx.Aborted);
        }

        return Reply.Ok(new ReviewDeclined(application.Id, replacement is null ? null : "another panel reviewer"));
    }

    /// <summary>The results: public during and after publicity; the bureau and the committee see them proposed.</summary>
    public static async Task<IResult> GetResults(EndpointContext ctx)
    {
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var insider = ctx.Caller.IsIn(Role.Admin) || ctx.Caller.IsIn(Role.Committee);
        if (round.Status < RoundStatus.Committee || round.Status == RoundStatus.Cancelled || (round.Status == RoundStatus.Committee && !insider))
        {
            throw Problem.NotFound("Published results of this round").ToException();
        }

        var results = await ctx.Service<ResultStore>().ListAsync(round.Id, ctx.Aborted);
        var objections = await ctx.Service<ObjectionStore>().ListAsync(round.Id, ctx.Aborted);
        return Reply.Ok(new PublishedResults(round.Id, Round.Name(round.Status), round.Stages.PublicityEndsAt, round.Aggregation, round.Budget,
            results.Where(r => r.Funded && !r.Removed).Sum(r => r.Granted), results,
            objections.Select(o => new PublicObjection(o.Id, o.ApplicationId, o.Grounds, o.Status, o.LodgedAt, o.Ruling, o.RuledAt)).ToList()));
    }

    /// <summary>The committee approves the proposed results of a stage (the only one so far: "results").</summary>
    public static Task<IResult> ApproveStage(EndpointContext ctx) => DecideStage(ctx, approved: true);

    /// <summary>The committee sends the results back to review, with its reason.</summary>
    public static Task<IResult> RejectStage(EndpointContext ctx) => DecideStage(ctx, approved: false);

    /// <summary>Anyone may object to a published result during the publicity period, naming the project.</summary>
    public static async Task<IResult> LodgeObjection(EndpointContext ctx)
    {
        var form = await ctx.ReadBodyAsync(ObjectionForm.FromForm);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var v = new Validation();
        var applicationId = v.Text("applicationId", form.ApplicationId, 100);
        var grounds = v.Text("grounds", form.Grounds, 4000, 10);
        var contact = v.OptionalText("contact", form.Contact, 200);
        v.ThrowIfAny();
        var now = ctx.Clock.GetUtcNow();
        if (round.Status != RoundStatus.Publicity || round.Stages.PublicityEndsAt <= now)
        {
            throw Problem.DeadlinePassed("Objections are lodged during the publicity period.").ToException();
        }

        var results = await ctx.Service<ResultStore>().ListAsync(round.Id, ctx.Aborted);
        if (results.All(r => r.ApplicationId != applicationId))
        {
            throw Problem.Validation("applicationId", "Not a project in this round's results.").ToException();
        }

        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("obj", ctx.Clock) : Ids.Derive("obj", round.Id, key);
        var objection = new Objection(id, round.Id, applicationId, grounds, contact, ctx.Caller.Id, now, ObjectionStatus.Open);
        if (!await ctx.Service<ObjectionStore>().TryAddAsync(objection, ctx.Aborted))
        {
            objection = (await ctx.Service<ObjectionStore>().FindAsync(round.Id, id, ctx.Aborted))!.Value.Objection;
        }

        return Reply.Created($"/api/rounds/{round.Id}/objections/{id}", objection with { Contact = null, LodgedBy = null });
    }

    /// <summary>
    /// The bureau rules on an objection. Upheld: the project leaves the results and the budget it held is
    /// allocated again down the ranking, so the next in rank is funded from the released money.
    /// </summary>
    public static async Task<IResult> RuleObjection(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var objections = ctx.Service<ObjectionStore>();
        var (objection, etag) = await objections.FindAsync(round.Id, ctx.Route("objectionId"), ctx.Aborted)
            ?? throw Problem.NotFound("The objection").ToException();
        var form = await ctx.ReadBodyAsync<RulingForm>();
        var v = new Validation();
        if (form.Upheld is null)
        {
            v.Add("upheld", "Required: true or false.");
        }

        var reasoning = v.Text("reasoning", form.Reasoning, 4000, 2);
        v.ThrowIfAny();
        RequireStage(round, RoundStatus.Publicity, "Objections are ruled on during publicity.");
        if (objection.Status != ObjectionStatus.Open)
        {
            throw Problem.InvalidState("This objection has been ruled on.").ToException();
        }

        var ruled = objection with
        {
            Status = form.Upheld!.Value ? ObjectionStatus.Upheld : ObjectionStatus.Dismissed,
            Ruling = reasoning,
            RuledBy = ctx.Caller.Id,
            RuledAt = ctx.Clock.GetUtcNow(),
        };
        if (ruled.Status == ObjectionStatus.Upheld)
        {
            await RemoveAndReallocateAsync(ctx, round, objection.ApplicationId, reasoning);
        }

        await objections.UpdateAsync(ruled, etag, ctx.Aborted);
        await RoundWorkflow.SignalStagesAsync(ctx.Durable, round.Id, RoundWorkflow.ObjectionRuledEvent, ruled.Id, ctx.Aborted);
        return Reply.Ok(ruled with { Contact = null });
    }

    private static async Task RemoveAndReallocateAsync(EndpointContext ctx, Round round, string applicationId, string reason)
    {
        var store = ctx.Service<ResultStore>();
        var results = await store.ListAsync(round.Id, ctx.Aborted);
        var removed = results.Select(r => r.ApplicationId == applicationId
            ? r with { Removed = true, RemovalReason = reason, Funded = false, Granted = 0, Reason = $"removed: objection upheld ({reason})" }
            : r).ToList();
        var standing = removed.Where(r => !r.Removed).ToList();
        var lines = Allocation.Allocate(standing.Select(r => r.Candidate()).ToList(), round.Budget, round.MinGrant, round.MaxGrant,
            round.AllowPartialFunding, round.MatchingBonus).ToDictionary(l => l.ApplicationId);
        await store.SaveAsync(round.Id, removed.Select(r => r.Removed ? r : r.With(lines[r.ApplicationId])).ToList(), ctx.Aborted);
    }

    private static async Task<IResult> DecideStage(EndpointContext ctx, bool approved)
    {
        ctx.Caller.Require(Role.Committee);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var form = await ctx.ReadOptionalBodyAsync(new StageDecisionForm(null));
        var v = new Validation();
        var reason = approved ? v.OptionalText("reason", form.Reason, 2000) : v.Text("reason", form.Reason, 2000, 2);
        if (ctx.Route("stage") != "results")
        {
            v.Add("stage", "The committee approves the stage 'results'.");
        }

        v.ThrowIfAny();
        RequireStage(round, RoundStatus.Committee, "The committee decides when results await its approval.");
        if (approved)
        {
            var store = ctx.Service<RoundStore>();
            var (current, etag) = (await store.FindAsync(round.Id, ctx.Aborted))!.Value;
            await store.UpdateAsync(current with { Clock = current.Stages with { ApprovedBy = ctx.Caller.Id, ApprovedAt = ctx.Clock.GetUtcNow() } }, etag, ctx.Aborted);
        }

        await RoundWorkflow.SignalStagesAsync(ctx.Durable, round.Id, RoundWorkflow.CommitteeDecisionEvent,
            new CommitteeDecision(approved, reason, ctx.Caller.Id!), ctx.Aborted);
        return Reply.Ok(new StageDecision(round.Id, "results", approved, reason));
    }

    /// <summary>
    /// The caller's assignment to review the route's application, in one of <paramref name="statuses"/>. A
    /// reviewer on the round's panel without one is refused (403: the panel screens every application, so it
    /// knows they exist); to any other reviewer the application does not exist (404: who applied is confidential).
    /// </summary>
    internal static async Task<ReviewVersion> RequireAssignmentAsync(EndpointContext ctx, Round round, string refusal, params ReviewStatus[] statuses)
    {
        var found = await ctx.Service<ReviewStore>().FindAsync(round.Id, ctx.Route("applicationId"), ctx.Caller.Id!, ctx.Aborted);
        if (found is { } assignment && statuses.Contains(assignment.Review.Status))
        {
            return assignment;
        }

        throw (found is not null || round.IsOnPanel(ctx.Caller) ? Problem.Forbidden(refusal) : Problem.NotFound("The application")).ToException();
    }

    private static void RequirePanelOrAdmin(EndpointContext ctx, Round round)
    {
        ctx.Caller.Require(Role.Reviewer, Role.Admin);
        if (!ctx.Caller.IsIn(Role.Admin) && !round.IsOnPanel(ctx.Caller))
        {
            throw Problem.Forbidden("Only the round's panel and the bureau screen its applications.").ToException();
        }
    }

    private static void RequireStage(Round round, RoundStatus stage, string detail)
    {
        if (round.Status != stage)
        {
            throw Problem.InvalidState($"{detail} The round is {Round.Name(round.Status)}.").ToException();
        }
    }
}

/// <summary>A round's results as published: the ranking with every step explained, and the objections lodged (without their contacts).</summary>
public sealed record PublishedResults(
    string RoundId,
    string Stage,
    DateTimeOffset? PublicityEndsAt,
    AggregationMethod Aggregation,
    decimal Budget,
    decimal Granted,
    List<RoundResult> Results,
    List<PublicObjection> Objections);

/// <summary>An objection as anyone may read it: never who lodged it or how to reach them.</summary>
public sealed record PublicObjection(string Id, string ApplicationId, string Grounds, ObjectionStatus Status, DateTimeOffset LodgedAt, string? Ruling, DateTimeOffset? RuledAt);

/// <summary>The committee's decision on a stage, as recorded and signalled to the round's workflow.</summary>
public sealed record StageDecision(string RoundId, string Stage, bool Approved, string? Reason);

/// <summary>A declined assignment, and whether it went to another panel reviewer (never whom).</summary>
public sealed record ReviewDeclined(string Declined, string? ReassignedTo);

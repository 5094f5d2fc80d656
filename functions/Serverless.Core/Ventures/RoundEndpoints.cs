using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public static class RoundEndpoints
{
    public static async Task<IResult> CreateRound(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var key = ctx.IdempotencyKey();
        var form = await ctx.ReadBodyAsync<RoundForm>();
        var id = key is null ? Ids.New("rnd", ctx.Clock) : Ids.Derive("rnd", ctx.Caller.Id!, key);
        var round = form.Validate(id, ctx.Caller, ctx.Clock.GetUtcNow());
        var fingerprint = Ids.Fingerprint(ApiJson.Serialize(form));
        var store = ctx.Service<RoundStore>();
        if (!await store.TryAddAsync(round, fingerprint, ctx.Aborted))
        {
            if (await store.FingerprintAsync(id, ctx.Aborted) != fingerprint)
            {
                throw Problem.Conflict(ProblemCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different round.").ToException();
            }

            round = (await store.FindAsync(id, ctx.Aborted))!.Value.Round;
        }

        return Reply.Created(Round.Location(id), RoundView.Of(round, ctx.Clock.GetUtcNow(), null, ctx.Caller));
    }

    public static async Task<IResult> ListRounds(EndpointContext ctx)
    {
        var now = ctx.Clock.GetUtcNow();
        var rounds = await ctx.Service<RoundStore>().ListAsync(ctx.Aborted);
        var visible = rounds.Where(r => r.IsPublic || ctx.Caller.IsIn(Role.Admin))
            .OrderByDescending(r => r.OpensAt)
            .Select(r => RoundSummary.Of(r, now))
            .ToList();
        return Reply.Ok(visible);
    }

    public static async Task<IResult> GetRound(EndpointContext ctx)
    {
        var round = await FindVisibleAsync(ctx);
        var counts = await ctx.Service<ApplicationStore>().CountAsync(round.Id, cancellation: ctx.Aborted);
        return Reply.Ok(RoundView.Of(round, ctx.Clock.GetUtcNow(), counts, ctx.Caller, await ProgressAsync(ctx, round)));
    }

    /// <summary>
    /// Publishing opens the round and starts its orchestration. Publishing again is harmless: it makes sure
    /// the orchestration exists (repairing a crash between the two steps) and answers with the round.
    /// RoundPublished is written in the batch that opens the round, so it is raised once, by the publish that
    /// opened it.
    /// </summary>
    public static async Task<IResult> PublishRound(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var store = ctx.Service<RoundStore>();
        var (round, etag) = await store.FindAsync(ctx.Route("roundId"), ctx.Aborted)
            ?? throw Problem.NotFound("The round").ToException();
        var now = ctx.Clock.GetUtcNow();
        if (round.Status != RoundStatus.Open)
        {
            round = round.Publish(now).OrThrow();
            var published = ctx.Service<Outbox>().Event(RoundStages.EventSource + round.Id, "Serverless.Ventures.RoundPublished", "published", round.Id,
                new { roundId = round.Id, round.OpensAt, round.ClosesAt, round.Budget });
            await store.UpdateAsync(round, etag, [published], ctx.Aborted);
        }

        await RoundWorkflow.EnsureStartedAsync(ctx.Durable, round, ctx.Aborted);
        return Reply.Ok(RoundView.Of(round, now, null, ctx.Caller));
    }

    public static async Task<IResult> CancelRound(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var store = ctx.Service<RoundStore>();
        var (round, etag) = await store.FindAsync(ctx.Route("roundId"), ctx.Aborted)
            ?? throw Problem.NotFound("The round").ToException();
        var form = await ctx.ReadBodyAsync<CancelForm>();
        var v = new Validation();
        var reason = v.Text("reason", form.Reason, 500, 2);
        v.ThrowIfAny();
        var cancelled = round.Cancel(ctx.Clock.GetUtcNow(), reason).OrThrow();
        await store.UpdateAsync(cancelled, etag, ctx.Aborted);
        // A Pending instance (published a moment ago) takes events too: they wait in its queue.
        await Workflows.SignalAsync(ctx.Durable, RoundWorkflow.InstanceId(round.Id), RoundWorkflow.CancelledEvent, reason, ctx.Aborted);

        await RoundWorkflow.SignalStagesAsync(ctx.Durable, round.Id, RoundWorkflow.CancelledEvent, reason, ctx.Aborted);
        return Reply.Ok(RoundView.Of(cancelled, ctx.Clock.GetUtcNow(), null, ctx.Caller));
    }

    /// <summary>The round's orchestrations as the durable engine reports them: for the bureau's operators.</summary>
    public static async Task<IResult> GetRoundWorkflow(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var round = await FindVisibleAsync(ctx);
        var instance = await ctx.Durable.GetInstanceAsync(RoundWorkflow.InstanceId(round.Id), getInputsAndOutputs: true, ctx.Aborted)
            ?? throw Problem.NotFound("The round's workflow").ToException();
        var stages = await ctx.Durable.GetInstanceAsync(RoundWorkflow.StagesInstanceId(round.Id), getInputsAndOutputs: true, ctx.Aborted);
        return Reply.Ok(new WorkflowView(instance.InstanceId, instance.RuntimeStatus.ToString(), instance.CreatedAt,
            instance.LastUpdatedAt, ParseJson(instance.SerializedCustomStatus), ParseJson(instance.SerializedOutput),
            stages is null ? null : new WorkflowView(stages.InstanceId, stages.RuntimeStatus.ToString(), stages.CreatedAt,
                stages.LastUpdatedAt, ParseJson(stages.SerializedCustomStatus), ParseJson(stages.SerializedOutput), null)));
    }

    /// <summary>What the round's workflow reports it is doing: the stages workflow once the round has closed.</summary>
    private static async Task<RoundProgress?> ProgressAsync(EndpointContext ctx, Round round)
    {
        if (round.Status is RoundStatus.Draft or RoundStatus.Open)
        {
            return null;
        }

        // The custom status comes only with inputs and outputs.
        var instance = await ctx.Durable.GetInstanceAsync(RoundWorkflow.StagesInstanceId(round.Id), getInputsAndOutputs: true, ctx.Aborted)
            ?? await ctx.Durable.GetInstanceAsync(RoundWorkflow.InstanceId(round.Id), getInputsAndOutputs: true, ctx.Aborted);
        // Null until the workflow first reports; JSON "null" likewise.
        return Workflows.CustomStatus<RoundProgress>(instance);
    }

    internal static async Task<Round> FindVisibleAsync(EndpointContext ctx) =>
        Visible(ctx, (await ctx.Service<RoundStore>().FindAsync(ctx.Route("roundId"), ctx.Aborted))?.Round);

    /// <summary>As <see cref="FindVisibleAsync"/>, from this process's read of the last second (<see cref="RoundStore.FindRecentAsync"/>).</summary>
    internal static async Task<Round> FindVisibleRecentAsync(EndpointContext ctx) =>
        Visible(ctx, await ctx.Service<RoundStore>().FindRecentAsync(ctx.Route("roundId"), ctx.Aborted));

    private static Round Visible(EndpointContext ctx, Round? round) =>
        round is null || (!round.IsPublic && !ctx.Caller.IsIn(Role.Admin)) ? throw Problem.NotFound("The round").ToException() : round;

    private static System.Text.Json.JsonElement? ParseJson(string? json) =>
        json is null ? null : System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record WorkflowView(
    string InstanceId,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    System.Text.Json.JsonElement? CustomStatus,
    System.Text.Json.JsonElement? Output,
    WorkflowView? Stages);

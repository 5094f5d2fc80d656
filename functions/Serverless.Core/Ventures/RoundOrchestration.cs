using System.Text.Json.Serialization;
using Microsoft.DurableTask;
using Serverless.Core.Common;
using Microsoft.DurableTask.Client;

namespace Serverless.Core.Ventures;

public sealed record RoundWorkflowInput(string RoundId, DateTimeOffset ClosesAt);

/// <summary>The orchestration's output. Names are spelled out because the durable engine has its own serializer.</summary>
public sealed record RoundWorkflowOutcome(
    [property: JsonPropertyName("roundId")] string RoundId,
    [property: JsonPropertyName("result")] CloseResult Result,
    [property: JsonPropertyName("applicationsReceived")] int? ApplicationsReceived);

/// <summary>What a person reads in the workflow's custom status.</summary>
public sealed record RoundProgress(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("message")] string Message);

/// <summary>
/// The life of one round until it closes. It waits on a durable timer for the deadline, raced against a
/// close request (the sweep's safety net) and a cancellation, closes the round, and starts the later stages
/// (<see cref="RoundStagesOrchestration"/>). Independent workflows rather than sub-orchestrations: each
/// keeps a short history, and the local engine does not deliver a child's completion to its parent.
/// </summary>
public sealed class RoundOrchestration : TaskOrchestrator<RoundWorkflowInput, RoundWorkflowOutcome>
{
    private static readonly TaskOptions Retry = DurableSteps.Retry;

    public override async Task<RoundWorkflowOutcome> RunAsync(TaskOrchestrationContext context, RoundWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        context.SetCustomStatus(new RoundProgress("open", $"accepting applications until {input.ClosesAt:O}"));
        using var stop = new CancellationTokenSource();
        var deadline = context.CreateTimer(input.ClosesAt.UtcDateTime, stop.Token);
        var closeRequested = context.WaitForExternalEvent<string>(RoundWorkflow.CloseRequestedEvent, stop.Token);
        var cancelled = context.WaitForExternalEvent<string>(RoundWorkflow.CancelledEvent, stop.Token);
        var first = await Task.WhenAny(deadline, closeRequested, cancelled);
        // Cancel synchronously: CancelAsync runs the callbacks on the thread pool, outside the orchestrator.
        stop.Cancel();

        if (first == cancelled)
        {
            context.SetCustomStatus(new RoundProgress("cancelled", "the round was cancelled"));
            return new RoundWorkflowOutcome(input.RoundId, CloseResult.Cancelled, null);
        }

        var by = first == deadline ? "timer" : await closeRequested;
        var outcome = await context.CallActivityAsync<CloseOutcome>(
            nameof(CloseRoundActivity), new CloseRoundRequest(input.RoundId, by), Retry);
        switch (outcome.Result)
        {
            case CloseResult.Closed:
                context.SetCustomStatus(new RoundProgress("closed", $"closed with {outcome.ApplicationsReceived} applications"));
                // Screening to grants run as a workflow of their own (instance round-<id>-stages), started
                // once; its history stays apart from this one, which ends here.
                await context.CallActivityAsync<bool>(nameof(StartStagesActivity), input.RoundId, Retry);
                return new RoundWorkflowOutcome(input.RoundId, CloseResult.Closed, outcome.ApplicationsReceived);
            case CloseResult.NotYet when outcome.ClosesAt is { } closesAt:
                // An early close request, or a deadline moved: start over waiting for the deadline the round
                // holds now. ContinueAsNew keeps the history short; events not yet handled are carried over.
                Workflows.ContinueAsNew(context, input with { ClosesAt = closesAt });
                return new RoundWorkflowOutcome(input.RoundId, CloseResult.NotYet, null);
            default:
                context.SetCustomStatus(new RoundProgress(outcome.Result.ToString().ToLowerInvariant(), "the round is no longer open"));
                return new RoundWorkflowOutcome(input.RoundId, outcome.Result, null);
        }
    }
}

/// <summary>Starts the stages workflow of a closed round, unless it exists.</summary>
public sealed class StartStagesActivity(DurableTaskClient durable) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        await RoundWorkflow.EnsureStagesStartedAsync(durable, input, CancellationToken.None);
        return true;
    }
}

/// <summary>The activity wrapper over <see cref="RoundClosing"/>.</summary>
public sealed class CloseRoundActivity(RoundClosing closing) : TaskActivity<CloseRoundRequest, CloseOutcome>
{
    public override Task<CloseOutcome> RunAsync(TaskActivityContext context, CloseRoundRequest input) => closing.CloseAsync(input);
}

using System.Text.Json.Serialization;
using Microsoft.DurableTask;

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
/// The life of one round, from publication. It waits on a durable timer for the deadline, raced against a
/// close request (the sweep's safety net) and a cancellation, closes the round, then runs the later stages
/// (screening to awards) as <see cref="RoundStagesOrchestration"/> and completes with them.
/// </summary>
public sealed class RoundOrchestration : TaskOrchestrator<RoundWorkflowInput, RoundWorkflowOutcome>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

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
                // Screening to awards run as a child workflow: its own history, its own events, its own status.
                await context.CallSubOrchestratorAsync<StagesOutcome>(nameof(RoundStagesOrchestration), input.RoundId,
                    new SubOrchestrationOptions { InstanceId = RoundWorkflow.StagesInstanceId(input.RoundId) });
                return new RoundWorkflowOutcome(input.RoundId, CloseResult.Closed, outcome.ApplicationsReceived);
            case CloseResult.NotYet when outcome.ClosesAt is { } closesAt:
                // An early close request, or a deadline moved: start over waiting for the deadline the round
                // holds now. ContinueAsNew keeps the history short; events not yet handled are carried over.
                context.ContinueAsNew(input with { ClosesAt = closesAt });
                return new RoundWorkflowOutcome(input.RoundId, CloseResult.NotYet, null);
            default:
                context.SetCustomStatus(new RoundProgress(outcome.Result.ToString().ToLowerInvariant(), "the round is no longer open"));
                return new RoundWorkflowOutcome(input.RoundId, outcome.Result, null);
        }
    }
}

/// <summary>The activity wrapper over <see cref="RoundClosing"/>.</summary>
public sealed class CloseRoundActivity(RoundClosing closing) : TaskActivity<CloseRoundRequest, CloseOutcome>
{
    public override Task<CloseOutcome> RunAsync(TaskActivityContext context, CloseRoundRequest input) => closing.CloseAsync(input);
}

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>How the rest of the product talks to a round's orchestration: by an instance id derived from the round id.</summary>
public static class RoundWorkflow
{
    public const string CloseRequestedEvent = "CloseRequested";
    public const string CancelledEvent = "RoundCancelled";

    public const string ScreeningCompleteEvent = "ScreeningComplete";
    public const string ReviewsCompleteEvent = "ReviewsComplete";
    public const string CommitteeDecisionEvent = "CommitteeDecision";
    public const string ObjectionRuledEvent = "ObjectionRuled";

    public static string InstanceId(string roundId) => $"round-{roundId}";

    /// <summary>The child workflow of the stages after closing.</summary>
    public static string StagesInstanceId(string roundId) => $"round-{roundId}-stages";

    public const string GrantEndedEvent = "GrantEnded";

    /// <summary>Starts the named workflow with this instance id unless it exists: starting twice starts one.</summary>
    public static async Task EnsureStartedAsync(DurableTaskClient durable, string orchestration, string instanceId, object input, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        if (await durable.GetInstanceAsync(instanceId, cancellation) is not null)
        {
            return;
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(orchestration, input, new StartOrchestrationOptions(instanceId), cancellation);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            // Started concurrently by a retry of the same step.
        }
    }

    public static Task EnsureStagesStartedAsync(DurableTaskClient durable, string roundId, CancellationToken cancellation) =>
        EnsureStartedAsync(durable, nameof(RoundStagesOrchestration), StagesInstanceId(roundId), roundId, cancellation);

    /// <summary>Signals the stages workflow, if it runs; a signal is a hint, the workflow re-reads the tables.</summary>
    public static async Task SignalStagesAsync(DurableTaskClient durable, string roundId, string eventName, object payload, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var instance = await durable.GetInstanceAsync(StagesInstanceId(roundId), cancellation);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended })
        {
            await durable.RaiseEventAsync(instance.InstanceId, eventName, payload, cancellation);
        }
    }

    /// <summary>Starts the round's orchestration unless it already exists (publishing twice starts one).</summary>
    public static async Task EnsureStartedAsync(DurableTaskClient durable, Round round, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        ArgumentNullException.ThrowIfNull(round);
        var instanceId = InstanceId(round.Id);
        if (await durable.GetInstanceAsync(instanceId, cancellation) is not null)
        {
            return;
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(RoundOrchestration),
                new RoundWorkflowInput(round.Id, round.ClosesAt), new StartOrchestrationOptions(instanceId), cancellation);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            // Started concurrently by another caller: that is the outcome we wanted.
        }
    }

    /// <summary>
    /// The sweep's close: ask the round's orchestration to close now. If the orchestration was never
    /// started (a crash between publishing and starting it), start it; it sees the deadline passed and
    /// closes. If it ended without closing the round, close the round directly.
    /// </summary>
    public static async Task RequestCloseAsync(DurableTaskClient durable, RoundStore rounds, RoundClosing closing, string roundId, string by, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentNullException.ThrowIfNull(closing);
        var found = await rounds.FindAsync(roundId, cancellation);
        if (found is not { Round.Status: RoundStatus.Open } current)
        {
            return;
        }

        var instance = await durable.GetInstanceAsync(InstanceId(roundId), cancellation);
        if (instance is null)
        {
            await EnsureStartedAsync(durable, current.Round, cancellation);
        }
        else if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended)
        {
            await durable.RaiseEventAsync(InstanceId(roundId), CloseRequestedEvent, by, cancellation);
        }
        else
        {
            await closing.CloseAsync(new CloseRoundRequest(roundId, by), cancellation);
        }
    }

    // The gRPC client reports StatusCode.AlreadyExists; the core does not reference gRPC, so it reads the message.
    private static bool IsAlreadyExists(Exception e) =>
        e.Message.Contains("AlreadyExists", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The every-minute sweep and the queue it feeds: the safety net under the durable timers.</summary>
public static class RoundSweep
{
    public const string CloseQueue = "round-close-requests";

    /// <summary>Finds open rounds past their deadline and queues one close request each (retried, poison-tracked).</summary>
    public static async Task CloseOverdueRounds(JobContext job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = job.Service<TimeProvider>().GetUtcNow();
        var storage = job.Service<Storage>();
        foreach (var roundId in await job.Service<RoundStore>().OpenPastDeadlineAsync(now, job.Cancellation))
        {
            await storage.SendAsync(CloseQueue, ApiJson.Serialize(new CloseRoundRequest(roundId, "sweep")), job.Cancellation);
        }
    }

    /// <summary>Handles one close request: idempotent, so a duplicate message changes nothing.</summary>
    public static async Task RequestRoundClose(JobContext job, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ApiJson.Deserialize<CloseRoundRequest>(message);
        await RoundWorkflow.RequestCloseAsync(job.Durable, job.Service<RoundStore>(), job.Service<RoundClosing>(),
            request.RoundId, request.By, job.Cancellation);
    }
}

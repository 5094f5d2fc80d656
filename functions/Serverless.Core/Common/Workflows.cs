using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Serverless.Core.Common;

/// <summary>How anything outside a workflow starts it once, signals it, or nudges it along.</summary>
public static class Workflows
{
    /// <summary>
    /// The version of the workflows' code, stamped on every instance started and on every ContinueAsNew.
    /// Raise it when any orchestrator changes the sequence of durable calls it makes; the changed orchestrator
    /// then keeps the old sequence for instances whose <c>context.Version</c> is older (see docs/WORKFLOWS.md).
    /// </summary>
    public const string Version = "1";

    /// <summary>
    /// Restarts a long-running workflow with a fresh history under the current <see cref="Version"/>: the safe
    /// moment for a months-long round or a years-long pairing to move to changed code, since nothing is replayed.
    /// </summary>
    public static void ContinueAsNew(TaskOrchestrationContext context, object input)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ContinueAsNew(new ContinueAsNewOptions { NewInput = input, NewVersion = Version, PreserveUnprocessedEvents = true });
    }

    /// <summary>Pending, running or suspended: a workflow that still takes events.</summary>
    public static bool IsLive(OrchestrationMetadata? instance) =>
        instance?.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended;

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
            await durable.ScheduleNewOrchestrationInstanceAsync(orchestration, input, new StartOrchestrationOptions(instanceId) { Version = Version }, cancellation);
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            // Started concurrently by another caller or a retry: the outcome wanted.
        }
    }

    /// <summary>Raises the event if the workflow still takes events; a signal is a hint, the workflow re-reads the tables.</summary>
    public static async Task SignalAsync(DurableTaskClient durable, string instanceId, string eventName, object payload, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        if (IsLive(await durable.GetInstanceAsync(instanceId, cancellation)))
        {
            await durable.RaiseEventAsync(instanceId, eventName, payload, cancellation);
        }
    }

    /// <summary>
    /// A sweep's nudge: start the workflow if a crash left none (it sees its deadline passed), signal it if
    /// it runs, and if it ended without doing its job, do the job directly (every job is idempotent).
    /// </summary>
    public static async Task NudgeAsync(DurableTaskClient durable, string orchestration, string instanceId, object input,
        string eventName, object payload, Func<Task> whenEnded, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(durable);
        ArgumentNullException.ThrowIfNull(whenEnded);
        var instance = await durable.GetInstanceAsync(instanceId, cancellation);
        if (instance is null)
        {
            await EnsureStartedAsync(durable, orchestration, instanceId, input, cancellation);
        }
        else if (IsLive(instance))
        {
            await durable.RaiseEventAsync(instanceId, eventName, payload, cancellation);
        }
        else
        {
            await whenEnded();
        }
    }

    /// <summary>A workflow's custom status as <typeparamref name="T"/>; null before it first reports.</summary>
    public static T? CustomStatus<T>(OrchestrationMetadata? instance) where T : class =>
        instance?.SerializedCustomStatus is { Length: > 0 } json && json != "null" ? ApiJson.Deserialize<T>(json) : null;

    // The gRPC client reports StatusCode.AlreadyExists; the core does not reference gRPC, so it reads the message.
    private static bool IsAlreadyExists(Exception e) =>
        e.Message.Contains("AlreadyExists", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}

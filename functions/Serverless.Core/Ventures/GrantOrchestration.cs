using System.Text.Json.Serialization;
using Microsoft.DurableTask;
using Serverless.Core.Common;
using Microsoft.DurableTask.Client;

namespace Serverless.Core.Ventures;

public sealed record GrantOutcome(
    [property: JsonPropertyName("grantId")] string GrantId,
    [property: JsonPropertyName("status"), JsonConverter(typeof(JsonStringEnumConverter<GrantStatus>))] GrantStatus Status);

/// <summary>
/// One grant, from award to completion or failure: signatures (reminded at the signing deadline), the first
/// tranche on signing, then for each later tranche its report (a reminder when it falls due, an escalation
/// a grace period later), the tranche paid when the report is approved, and the last tranche when the
/// final evaluation passes. A failed evaluation at any point ends it: remaining tranches withheld, clawback
/// recorded, organization debarred. Every signal is a hint; the state is read from the tables.
/// </summary>
public sealed class GrantOrchestration : TaskOrchestrator<string, GrantOutcome>
{
    public const string UpdatedEvent = "GrantUpdated";
    private const int MaxWaits = 200;

    private static readonly TaskOptions Retry = DurableSteps.Retry;

    public static string InstanceId(string grantId) => $"grant-{grantId}";

    public override async Task<GrantOutcome> RunAsync(TaskOrchestrationContext context, string grantId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = await State(context, grantId);

        // Signatures: reminded at the signing deadline, then every grace period.
        for (var i = 0; i < MaxWaits && !state.IsSigned && state.Evaluation is null; i++)
        {
            Show(context, "awaiting signatures of the organization and the bureau");
            var until = i == 0 ? state.SigningDue : context.CurrentUtcDateTime + state.Grace;
            if (!await SignalledBefore(context, until))
            {
                await context.CallActivityAsync<bool>(nameof(RemindGrantActivity), new GrantReminder(grantId, 0, "signing", i), Retry);
            }

            state = await State(context, grantId);
        }

        if (state.Evaluation is { Passed: false })
        {
            return await Fail(context, grantId);
        }

        if (!state.IsSigned)
        {
            return StartAfresh(context, grantId, state);
        }

        state = await context.CallActivityAsync<GrantState>(nameof(PayTrancheActivity), new PaymentRequest(grantId, 0), Retry);
        var last = state.Tranches.Count - 1;
        for (var k = 1; k <= last; k++)
        {
            var waits = 0;
            while (!state.Tranches[k].ReportApproved && state.Evaluation is not { Passed: false } && waits < MaxWaits)
            {
                Show(context, $"tranche {k + 1} of {last + 1}: waiting for its report (due {state.Tranches[k].DueAt:O}) and its approval");
                var due = state.Tranches[k].DueAt ?? context.CurrentUtcDateTime + state.Grace;
                var until = waits switch
                {
                    0 => due,
                    1 => due + state.Grace,
                    _ => context.CurrentUtcDateTime + state.Grace,
                };
                var signalled = until > context.CurrentUtcDateTime && await SignalledBefore(context, until);
                if (!signalled)
                {
                    // Due and not approved: remind the organization; a grace period later, escalate to the bureau.
                    var kind = waits == 0 ? "reminder" : "escalation";
                    await context.CallActivityAsync<bool>(nameof(RemindGrantActivity), new GrantReminder(grantId, k, kind, waits), Retry);
                    waits++;
                }

                state = await State(context, grantId);
            }

            if (state.Evaluation is { Passed: false })
            {
                return await Fail(context, grantId);
            }

            if (!state.Tranches[k].ReportApproved)
            {
                return StartAfresh(context, grantId, state);
            }

            if (k < last)
            {
                state = await context.CallActivityAsync<GrantState>(nameof(PayTrancheActivity), new PaymentRequest(grantId, k), Retry);
            }
        }

        // The final evaluation releases the last tranche (or fails the grant).
        for (var i = 0; i < MaxWaits && state.Evaluation is null; i++)
        {
            Show(context, "waiting for the bureau's final evaluation");
            if (!await SignalledBefore(context, context.CurrentUtcDateTime + state.Grace))
            {
                await context.CallActivityAsync<bool>(nameof(RemindGrantActivity), new GrantReminder(grantId, last, "evaluation", i), Retry);
            }

            state = await State(context, grantId);
        }

        if (state.Evaluation is null)
        {
            return StartAfresh(context, grantId, state);
        }

        if (!state.Evaluation.Passed)
        {
            return await Fail(context, grantId);
        }

        await context.CallActivityAsync<GrantState>(nameof(PayTrancheActivity), new PaymentRequest(grantId, last), Retry);
        await context.CallActivityAsync<GrantState>(nameof(CompleteGrantActivity), grantId, Retry);
        Show(context, "completed: every tranche paid");
        return new GrantOutcome(grantId, GrantStatus.Completed);
    }

    /// <summary>
    /// Waited a long time without the step it needs: start again rather than pay or fail on nobody's say.
    /// Every step is idempotent (a paid tranche is not paid twice), so the new run picks up where this one was.
    /// </summary>
    private static GrantOutcome StartAfresh(TaskOrchestrationContext context, string grantId, GrantState state)
    {
        Workflows.ContinueAsNew(context, grantId);
        return new GrantOutcome(grantId, state.Status);
    }

    private static Task<GrantState> State(TaskOrchestrationContext context, string grantId) =>
        context.CallActivityAsync<GrantState>(nameof(GrantStateActivity), grantId, Retry);

    private static async Task<GrantOutcome> Fail(TaskOrchestrationContext context, string grantId)
    {
        await context.CallActivityAsync<GrantState>(nameof(FailGrantActivity), grantId, Retry);
        Show(context, "failed: remaining tranches withheld");
        return new GrantOutcome(grantId, GrantStatus.Failed);
    }

    private static void Show(TaskOrchestrationContext context, string message) =>
        context.SetCustomStatus(new RoundProgress("grant", message));

    /// <summary>True when the grant was updated (a signature, a report reviewed, an evaluation) before the time.</summary>
    private static async Task<bool> SignalledBefore(TaskOrchestrationContext context, DateTimeOffset until) =>
        (await DurableSteps.WaitAsync<string>(context, until, UpdatedEvent)).Signalled;

}

public sealed class GrantStateActivity(GrantLifecycle grants) : TaskActivity<string, GrantState>
{
    public override Task<GrantState> RunAsync(TaskActivityContext context, string input) => grants.StateAsync(input);
}

public sealed class PayTrancheActivity(GrantLifecycle grants) : TaskActivity<PaymentRequest, GrantState>
{
    public override Task<GrantState> RunAsync(TaskActivityContext context, PaymentRequest input) => grants.PayAsync(input);
}

public sealed class RemindGrantActivity(GrantLifecycle grants) : TaskActivity<GrantReminder, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, GrantReminder input) => grants.RemindAsync(input);
}

public sealed class CompleteGrantActivity(GrantLifecycle grants, DurableTaskClient durable) : TaskActivity<string, GrantState>
{
    public override Task<GrantState> RunAsync(TaskActivityContext context, string input) => grants.CompleteAsync(input, durable);
}

public sealed class FailGrantActivity(GrantLifecycle grants, DurableTaskClient durable) : TaskActivity<string, GrantState>
{
    public override Task<GrantState> RunAsync(TaskActivityContext context, string input) => grants.FailAsync(input, durable);
}

/// <summary>Creates the round's grants and starts a workflow for each, once.</summary>
public sealed class StartGrantsActivity(GrantLifecycle grants, DurableTaskClient durable) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => grants.StartGrantsAsync(input, durable);
}

public sealed class GrantsProgressActivity(GrantLifecycle grants) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => grants.ProgressAsync(input);
}

public sealed class CompleteRoundActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.CompleteAsync(input);
}

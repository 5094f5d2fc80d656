using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Procurement;

/// <summary>
/// A lot's award, from publication to a signed contract: waits out the standstill, then for the ruling on
/// any open challenge, then draws up the contract and starts its workflow; when a candidate withdraws, is
/// disqualified or lets the contract lapse, the award passes down the ranking and the wait starts again.
/// Signals are hints: each pass reads the award from its table.
/// </summary>
public sealed class AwardOrchestration : TaskOrchestrator<AwardKey, AwardStep>
{
    public const string UpdatedEvent = "AwardUpdated";
    private const int MaxWaits = 100;

    public override async Task<AwardStep> RunAsync(TaskOrchestrationContext context, AwardKey input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        for (var i = 0; i < MaxWaits; i++)
        {
            var step = await context.CallActivityAsync<AwardStep>(nameof(AdvanceAwardActivity), input, DurableSteps.Retry);
            context.SetCustomStatus(new RoundProgress(step.Status.ToString().ToLowerInvariant(), step.Message));
            if (step.Status is AwardStatus.Contracted or AwardStatus.Failed)
            {
                return step;
            }

            // The standstill's end, or else a signal: a ruling, a signature, a withdrawal, a lapse.
            var until = step.WaitUntil ?? context.CurrentUtcDateTime.AddDays(7);
            await DurableSteps.WaitAsync<string>(context, until, UpdatedEvent);
        }

        Workflows.ContinueAsNew(context, input);
        return new AwardStep(AwardStatus.Standstill, null, 0, "continued as new");
    }
}

/// <summary>
/// A contract's workflow: signatures by the deadline (else it lapses and the award passes on); then each
/// milestone's report, reminded when due and escalated a grace period later; each accepted milestone paid
/// once, less its KPI deduction; then the final performance evaluation, reminded until given.
/// </summary>
public sealed class ContractOrchestration : TaskOrchestrator<string, ContractState>
{
    public const string UpdatedEvent = "ContractUpdated";
    private const int MaxWaits = 200;

    public static string InstanceId(string contractId) => $"contract-{contractId}";

    public override async Task<ContractState> RunAsync(TaskOrchestrationContext context, string contractId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = await State(context, contractId);
        for (var i = 0; i < MaxWaits && state.Status == ContractStatus.AwaitingSignature; i++)
        {
            Show(context, $"awaiting the signatures of the supplier and the bureau by {state.SignBy:O}");
            var signalled = context.CurrentUtcDateTime < state.SignBy && await SignalledBefore(context, state.SignBy);
            state = signalled
                ? await State(context, contractId)
                : await context.CallActivityAsync<ContractState>(nameof(LapseContractActivity), contractId, DurableSteps.Retry);
        }

        if (state.Status == ContractStatus.Lapsed)
        {
            Show(context, "lapsed: the award passed to the next candidate");
            return state;
        }

        var reminded = (Milestone: -1, Count: 0);
        for (var waits = 0; waits < MaxWaits && state.Status == ContractStatus.Active; waits++)
        {
            foreach (var index in state.AcceptedUnpaid)
            {
                state = await context.CallActivityAsync<ContractState>(nameof(PayMilestoneActivity), new MilestonePaymentRequest(contractId, index), DurableSteps.Retry);
            }

            if (state.NextMilestone is not { } k)
            {
                break;
            }

            if (reminded.Milestone != k)
            {
                reminded = (k, 0);
            }

            if (state.Reported)
            {
                // Reported: the bureau decides; or rejected: the supplier reports again. Either is a signal.
                Show(context, state.AwaitingDecision ? $"milestone {k + 1}: report awaiting the bureau's acceptance" : $"milestone {k + 1}: report rejected, awaiting a new one");
                await SignalledBefore(context, context.CurrentUtcDateTime + state.Grace);
            }
            else
            {
                Show(context, $"milestone {k + 1}: report due {state.NextDueAt:O}");
                var due = state.NextDueAt ?? context.CurrentUtcDateTime + state.Grace;
                var until = reminded.Count switch
                {
                    0 => due,
                    1 => due + state.Grace,
                    _ => context.CurrentUtcDateTime + state.Grace,
                };
                var signalled = until > context.CurrentUtcDateTime && await SignalledBefore(context, until);
                if (!signalled)
                {
                    // Due and not reported: remind the supplier; a grace period later, escalate to the bureau.
                    var kind = reminded.Count == 0 ? "reminder" : "escalation";
                    if (await context.CallActivityAsync<bool>(nameof(RemindContractActivity), new MilestoneReminder(contractId, k, kind, reminded.Count), DurableSteps.Retry))
                    {
                        reminded = (k, reminded.Count + 1);
                    }
                    else
                    {
                        // The timer fired a little early, or a report just came: look again shortly, never spin.
                        await SignalledBefore(context, context.CurrentUtcDateTime.AddSeconds(1));
                    }
                }
            }

            state = await State(context, contractId);
        }

        for (var i = 0; i < MaxWaits && state.Status == ContractStatus.Active && state.NextMilestone is null && !state.Evaluated; i++)
        {
            Show(context, "every milestone accepted: waiting for the bureau's performance evaluation");
            if (!await SignalledBefore(context, context.CurrentUtcDateTime + state.Grace))
            {
                await context.CallActivityAsync<bool>(nameof(RemindContractActivity), new MilestoneReminder(contractId, -1, "evaluation", i), DurableSteps.Retry);
            }

            state = await State(context, contractId);
        }

        if (state.Status == ContractStatus.Active && state.NextMilestone is null && state.Evaluated)
        {
            state = await context.CallActivityAsync<ContractState>(nameof(CompleteContractActivity), contractId, DurableSteps.Retry);
            Show(context, "completed: every milestone accepted and paid, performance recorded");
            return state;
        }

        // Waited a long time without the step it needs: start again; every step is idempotent.
        Workflows.ContinueAsNew(context, contractId);
        return state;
    }

    private static Task<ContractState> State(TaskOrchestrationContext context, string contractId) =>
        context.CallActivityAsync<ContractState>(nameof(ContractStateActivity), contractId, DurableSteps.Retry);

    private static void Show(TaskOrchestrationContext context, string message) =>
        context.SetCustomStatus(new RoundProgress("contract", message));

    private static async Task<bool> SignalledBefore(TaskOrchestrationContext context, DateTimeOffset until) =>
        (await DurableSteps.WaitAsync<string>(context, until, UpdatedEvent)).Signalled;
}

public sealed class AdvanceAwardActivity(Awarding awarding, DurableTaskClient durable) : TaskActivity<AwardKey, AwardStep>
{
    public override Task<AwardStep> RunAsync(TaskActivityContext context, AwardKey input) => awarding.AdvanceAsync(input, durable);
}

public sealed class ContractStateActivity(ContractLifecycle contracts) : TaskActivity<string, ContractState>
{
    public override Task<ContractState> RunAsync(TaskActivityContext context, string input) => contracts.StateAsync(input);
}

public sealed class LapseContractActivity(ContractLifecycle contracts, DurableTaskClient durable) : TaskActivity<string, ContractState>
{
    public override Task<ContractState> RunAsync(TaskActivityContext context, string input) => contracts.LapseAsync(input, durable);
}

public sealed class PayMilestoneActivity(ContractLifecycle contracts) : TaskActivity<MilestonePaymentRequest, ContractState>
{
    public override Task<ContractState> RunAsync(TaskActivityContext context, MilestonePaymentRequest input) => contracts.PayAsync(input);
}

public sealed class RemindContractActivity(ContractLifecycle contracts) : TaskActivity<MilestoneReminder, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, MilestoneReminder input) => contracts.RemindAsync(input);
}

public sealed class CompleteContractActivity(ContractLifecycle contracts) : TaskActivity<string, ContractState>
{
    public override Task<ContractState> RunAsync(TaskActivityContext context, string input) => contracts.CompleteAsync(input);
}

public sealed class RejectUnexplainedActivity(TenderEvaluation evaluation) : TaskActivity<string, ExplanationStep>
{
    public override Task<ExplanationStep> RunAsync(TaskActivityContext context, string input) => evaluation.RejectUnexplainedAsync(input);
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>A grant's workflow and its activities as Durable Functions, plus the round's grant steps.</summary>
public sealed class GrantWorkflowFunctions(GrantLifecycle grants, RoundStages stages)
{
    [Function(nameof(GrantOrchestration))]
    public static Task<GrantOutcome> RunGrant([OrchestrationTrigger] TaskOrchestrationContext context)
        => new GrantOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(GrantStateActivity))]
    public Task<GrantState> GrantState([ActivityTrigger] string grantId) => grants.StateAsync(grantId);

    [Function(nameof(PayTrancheActivity))]
    public Task<GrantState> PayTranche([ActivityTrigger] PaymentRequest request) => grants.PayAsync(request);

    [Function(nameof(RemindGrantActivity))]
    public Task<bool> RemindGrant([ActivityTrigger] GrantReminder reminder) => grants.RemindAsync(reminder);

    // Activities that start or signal other workflows take the durable client as a binding.
    [Function(nameof(CompleteGrantActivity))]
    public Task<GrantState> CompleteGrant([ActivityTrigger] string grantId, [DurableClient] DurableTaskClient durable) => grants.CompleteAsync(grantId, durable);

    [Function(nameof(FailGrantActivity))]
    public Task<GrantState> FailGrant([ActivityTrigger] string grantId, [DurableClient] DurableTaskClient durable) => grants.FailAsync(grantId, durable);

    [Function(nameof(StartGrantsActivity))]
    public Task<StageReport> StartGrants([ActivityTrigger] string roundId, [DurableClient] DurableTaskClient durable) => grants.StartGrantsAsync(roundId, durable);

    [Function(nameof(GrantsProgressActivity))]
    public Task<StageReport> GrantsProgress([ActivityTrigger] string roundId) => grants.ProgressAsync(roundId);

    [Function(nameof(CompleteRoundActivity))]
    public Task<StageReport> CompleteRound([ActivityTrigger] string roundId) => stages.CompleteAsync(roundId);
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>
/// The round's orchestration and activity as Durable Functions. The source generator that would write these
/// wrappers is not available, so they are written by hand and stay as thin as the class-based registrations
/// the DevHost uses.
/// </summary>
public sealed class RoundWorkflowFunctions(RoundClosing closing)
{
    // RunAsync validates the input, so a missing one fails there with the parameter's name.
    [Function(nameof(RoundOrchestration))]
    public static Task<RoundWorkflowOutcome> RunRound([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RoundOrchestration().RunAsync(context, context.GetInput<RoundWorkflowInput>()!);

    [Function(nameof(CloseRoundActivity))]
    public Task<CloseOutcome> CloseRound([ActivityTrigger] CloseRoundRequest request)
        => closing.CloseAsync(request);

    [Function(nameof(StartStagesActivity))]
    public static async Task<bool> StartStages([ActivityTrigger] string roundId, [DurableClient] DurableTaskClient durable)
    {
        await RoundWorkflow.EnsureStagesStartedAsync(durable, roundId, CancellationToken.None);
        return true;
    }
}

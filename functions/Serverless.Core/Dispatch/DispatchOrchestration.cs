using Microsoft.DurableTask;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Dispatch;

/// <summary>
/// One service request's workflow, from the first offer to confirmation: it runs the dispatch step, then
/// waits for the step's next clock (an offer's timeout, the warning point, the deadline to check in, the
/// check-out limit) or for a signal (an answer, a check-in or out), whichever comes first. Signals are hints;
/// the step reads the tables. Bounded: after many waits it continues as new with an empty history.
/// </summary>
public sealed class DispatchOrchestration : TaskOrchestrator<string, DispatchStep>
{
    public const string UpdatedEvent = "DispatchUpdated";
    private const int MaxWaits = 100;

    public static string InstanceId(string requestId) => $"dispatch-{requestId}";

    public override async Task<DispatchStep> RunAsync(TaskOrchestrationContext context, string requestId)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (var i = 0; i < MaxWaits; i++)
        {
            var step = await context.CallActivityAsync<DispatchStep>(nameof(AdvanceDispatchActivity), requestId, DurableSteps.Retry);
            context.SetCustomStatus(new RoundProgress(step.Status.ToString().ToLowerInvariant(), step.Message));
            if (step.IsFinal)
            {
                return step;
            }

            // A checked-out service waits for its confirmation without a clock of its own: look again daily.
            var until = step.WaitUntil ?? context.CurrentUtcDateTime.AddDays(1);
            await DurableSteps.WaitAsync<string>(context, until, UpdatedEvent);
        }

        Workflows.ContinueAsNew(context, requestId);
        return new DispatchStep(RequestStatus.Dispatching, null, "continued as new");
    }
}

public sealed class AdvanceDispatchActivity(Dispatching dispatching) : TaskActivity<string, DispatchStep>
{
    public override Task<DispatchStep> RunAsync(TaskActivityContext context, string input) => dispatching.AdvanceAsync(input);
}

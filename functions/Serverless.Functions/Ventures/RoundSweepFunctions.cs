using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The sweep under the rounds' durable timers: the schedule that finds overdue rounds and the queue it feeds.</summary>
public static class RoundSweepFunctions
{
    [Function(nameof(RoundSweep.CloseOverdueRounds))]
    public static Task CloseOverdueRounds(
        [TimerTrigger(Crons.EveryMinute)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.RunScheduleAsync(nameof(RoundSweep.CloseOverdueRounds), durable, context.InstanceServices, context.CancellationToken);

    [Function(nameof(RoundSweep.WakeReviewedRounds))]
    public static Task WakeReviewedRounds(
        [TimerTrigger(Crons.EveryMinute)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.RunScheduleAsync(nameof(RoundSweep.WakeReviewedRounds), durable, context.InstanceServices, context.CancellationToken);

    // The core enqueues base64 (the trigger's default encoding), so the binding hands over the JSON text as sent.
    [Function(nameof(RoundSweep.RequestRoundClose))]
    public static Task RequestRoundClose(
        [QueueTrigger(RoundSweep.CloseQueue)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.HandleQueueAsync(nameof(RoundSweep.RequestRoundClose), message, durable, context.InstanceServices, context.CancellationToken);

    [Function(nameof(RoundSweep.CheckReviews))]
    public static Task CheckReviews(
        [QueueTrigger(RoundSweep.ReviewCheckQueue)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.HandleQueueAsync(nameof(RoundSweep.CheckReviews), message, durable, context.InstanceServices, context.CancellationToken);
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;

namespace Serverless.Functions.Common;

/// <summary>The outbox relay of the route table: a queue message per write, and the every-minute sweep behind it.</summary>
public static class OutboxFunctions
{
    [Function(nameof(OutboxRelay.RelayPendingEvents))]
    public static Task RelayPendingEvents(
        [TimerTrigger(Crons.EveryMinute)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.RunScheduleAsync(nameof(OutboxRelay.RelayPendingEvents), durable, context.InstanceServices, context.CancellationToken);

    [Function(nameof(OutboxRelay.RelayOutbox))]
    public static Task RelayOutbox(
        [QueueTrigger(Outbox.RelayQueue)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.HandleQueueAsync(nameof(OutboxRelay.RelayOutbox), message, durable, context.InstanceServices, context.CancellationToken);
}

/// <summary>The queues' operations endpoints of the route table (the bureau's).</summary>
public static class QueueFunctions
{
    [Function(nameof(QueueEndpoints.ListQueues))]
    public static Task<Microsoft.AspNetCore.Http.IResult> ListQueues(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Queues)] Microsoft.AspNetCore.Http.HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(QueueEndpoints.ListQueues), req, durable, context.InstanceServices);

    [Function(nameof(QueueEndpoints.ReplayPoison))]
    public static Task<Microsoft.AspNetCore.Http.IResult> ReplayPoison(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.QueueReplay)] Microsoft.AspNetCore.Http.HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(QueueEndpoints.ReplayPoison), req, durable, context.InstanceServices);
}

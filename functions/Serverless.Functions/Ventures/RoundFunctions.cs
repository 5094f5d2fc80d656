using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The round endpoints of the route table. Authorization is the core's, so every trigger is anonymous.</summary>
public static class RoundFunctions
{
    [Function(nameof(RoundEndpoints.CreateRound))]
    public static Task<IResult> CreateRound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Rounds)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.CreateRound), req, durable, context.InstanceServices);

    [Function(nameof(RoundEndpoints.ListRounds))]
    public static Task<IResult> ListRounds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Rounds)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.ListRounds), req, durable, context.InstanceServices);

    [Function(nameof(RoundEndpoints.GetRound))]
    public static Task<IResult> GetRound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Round)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.GetRound), req, durable, context.InstanceServices);

    [Function(nameof(RoundEndpoints.PublishRound))]
    public static Task<IResult> PublishRound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RoundPublish)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.PublishRound), req, durable, context.InstanceServices);

    [Function(nameof(RoundEndpoints.CancelRound))]
    public static Task<IResult> CancelRound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RoundCancel)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.CancelRound), req, durable, context.InstanceServices);

    [Function(nameof(RoundEndpoints.GetRoundWorkflow))]
    public static Task<IResult> GetRoundWorkflow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RoundWorkflow)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(RoundEndpoints.GetRoundWorkflow), req, durable, context.InstanceServices);
}

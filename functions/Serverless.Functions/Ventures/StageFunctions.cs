using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The human steps after a round closes: screening, reviews, the committee, objections.</summary>
public static class StageFunctions
{
    [Function(nameof(StageEndpoints.DecideScreening))]
    public static Task<IResult> DecideScreening(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApplicationScreening)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.DecideScreening), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.MyReviews))]
    public static Task<IResult> MyReviews(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.MyReviews)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.MyReviews), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.SubmitReview))]
    public static Task<IResult> SubmitReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApplicationReviews)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.SubmitReview), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.DeclineReview))]
    public static Task<IResult> DeclineReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApplicationReviewDecline)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.DeclineReview), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.GetResults))]
    public static Task<IResult> GetResults(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RoundResults)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.GetResults), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.ApproveStage))]
    public static Task<IResult> ApproveStage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.StageApprove)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.ApproveStage), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.RejectStage))]
    public static Task<IResult> RejectStage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.StageReject)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.RejectStage), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.LodgeObjection))]
    public static Task<IResult> LodgeObjection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Objections)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.LodgeObjection), req, durable, context.InstanceServices);

    [Function(nameof(StageEndpoints.RuleObjection))]
    public static Task<IResult> RuleObjection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ObjectionRuling)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(StageEndpoints.RuleObjection), req, durable, context.InstanceServices);
}

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The grant endpoints of the route table.</summary>
public static class GrantFunctions
{
    [Function(nameof(GrantEndpoints.ListRoundGrants))]
    public static Task<IResult> ListRoundGrants(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RoundGrants)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.ListRoundGrants), req, durable, context.InstanceServices);

    [Function(nameof(GrantEndpoints.GetGrant))]
    public static Task<IResult> GetGrant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Grant)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.GetGrant), req, durable, context.InstanceServices);

    [Function(nameof(GrantEndpoints.SignGrant))]
    public static Task<IResult> SignGrant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.GrantSign)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.SignGrant), req, durable, context.InstanceServices);

    [Function(nameof(GrantEndpoints.SubmitReport))]
    public static Task<IResult> SubmitReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.GrantReports)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.SubmitReport), req, durable, context.InstanceServices);

    [Function(nameof(GrantEndpoints.ReviewReport))]
    public static Task<IResult> ReviewReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.GrantReportReview)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.ReviewReport), req, durable, context.InstanceServices);

    [Function(nameof(GrantEndpoints.EvaluateGrant))]
    public static Task<IResult> EvaluateGrant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.GrantEvaluation)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(GrantEndpoints.EvaluateGrant), req, durable, context.InstanceServices);
}

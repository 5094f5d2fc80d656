using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The application endpoints of the route table. Authorization is the core's, so every trigger is anonymous.</summary>
public static class ApplicationFunctions
{
    [Function(nameof(ApplicationEndpoints.SubmitApplication))]
    public static Task<IResult> SubmitApplication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Applications)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ApplicationEndpoints.SubmitApplication), req, durable, context.InstanceServices);

    [Function(nameof(ApplicationEndpoints.ListApplications))]
    public static Task<IResult> ListApplications(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Applications)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ApplicationEndpoints.ListApplications), req, durable, context.InstanceServices);

    [Function(nameof(ApplicationEndpoints.GetApplication))]
    public static Task<IResult> GetApplication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Application)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ApplicationEndpoints.GetApplication), req, durable, context.InstanceServices);

    [Function(nameof(ApplicationEndpoints.EditApplication))]
    public static Task<IResult> EditApplication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Application)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ApplicationEndpoints.EditApplication), req, durable, context.InstanceServices);

    [Function(nameof(ApplicationEndpoints.WithdrawApplication))]
    public static Task<IResult> WithdrawApplication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApplicationWithdraw)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ApplicationEndpoints.WithdrawApplication), req, durable, context.InstanceServices);
}

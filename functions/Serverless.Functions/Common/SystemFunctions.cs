using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;

namespace Serverless.Functions.Common;

/// <summary>The system endpoints of the route table. Authorization is the core's, so every trigger is anonymous.</summary>
public static class SystemFunctions
{
    [Function(nameof(SystemEndpoints.Health))]
    public static Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(SystemEndpoints.Health), req, durable, context.InstanceServices);

    [Function(nameof(SystemEndpoints.WhoAmI))]
    public static Task<IResult> WhoAmI(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Me)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(SystemEndpoints.WhoAmI), req, durable, context.InstanceServices);

    [Function(nameof(SystemEndpoints.OpenApi))]
    public static Task<IResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(SystemEndpoints.OpenApi), req, durable, context.InstanceServices);

    [Function(nameof(SystemEndpoints.ApiReferencePage))]
    public static Task<IResult> ApiReferencePage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ApiReference)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(SystemEndpoints.ApiReferencePage), req, durable, context.InstanceServices);
}

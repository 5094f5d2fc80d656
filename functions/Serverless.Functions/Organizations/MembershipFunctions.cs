using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;

namespace Serverless.Functions.Organizations;

/// <summary>The membership endpoints of the route table: the bureau binds sign-ins to organizations, volunteers, communities.</summary>
public static class MembershipFunctions
{
    [Function(nameof(MembershipEndpoints.GetMember))]
    public static Task<IResult> GetMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Member)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(MembershipEndpoints.GetMember), req, durable, context.InstanceServices);

    [Function(nameof(MembershipEndpoints.SetMember))]
    public static Task<IResult> SetMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Member)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(MembershipEndpoints.SetMember), req, durable, context.InstanceServices);
}

/// <summary>The audit trail endpoint of the route table (the bureau's).</summary>
public static class AuditFunctions
{
    [Function(nameof(AuditEndpoints.GetAuditTrail))]
    public static Task<IResult> GetAuditTrail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuditTrail)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AuditEndpoints.GetAuditTrail), req, durable, context.InstanceServices);
}

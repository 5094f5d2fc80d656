using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Functions.Organizations;

/// <summary>The organization endpoints of the route table. Authorization is the core's, so every trigger is anonymous.</summary>
public static class OrganizationFunctions
{
    [Function(nameof(OrganizationEndpoints.RegisterOrganization))]
    public static Task<IResult> RegisterOrganization(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Organizations)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(OrganizationEndpoints.RegisterOrganization), req, durable, context.InstanceServices);

    [Function(nameof(OrganizationEndpoints.GetOrganization))]
    public static Task<IResult> GetOrganization(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Organization)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(OrganizationEndpoints.GetOrganization), req, durable, context.InstanceServices);
}

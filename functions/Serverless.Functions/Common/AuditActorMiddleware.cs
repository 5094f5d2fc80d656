using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Serverless.Core.Common;

namespace Serverless.Functions.Common;

/// <summary>
/// Names the system as the actor of what activities, timers and queue triggers write, on the audit trail.
/// HTTP functions go through the core's dispatcher, which names the signed-in caller instead.
/// </summary>
internal sealed class AuditActorMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        using var actor = AuditContext.Use(new AuditActor("system", [], $"function:{context.FunctionDefinition.Name}"));
        await next(context);
    }
}

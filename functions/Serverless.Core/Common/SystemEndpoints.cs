using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Serverless.Core.Common;

public static class SystemEndpoints
{
    /// <summary>Storage and durable engine reachability: 200 when both answer, 503 otherwise.</summary>
    public static async Task<IResult> Health(EndpointContext ctx)
    {
        var storage = await Probe(() => ctx.Service<Storage>().PingAsync(ctx.Aborted));
        var durable = await Probe(() => ctx.Durable.GetInstanceAsync("health-probe", ctx.Aborted));
        var healthy = storage.Status == "healthy" && durable.Status == "healthy";
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", ctx.Service<Storage>().Description, storage, durable,
            ctx.Service<Storage>().Operations?.Total);
        return Reply.Json(healthy ? 200 : 503, report);
    }

    /// <summary>Who the product thinks you are: the roles and bindings read from the platform's principal.</summary>
    public static Task<IResult> WhoAmI(EndpointContext ctx)
    {
        var c = ctx.Caller;
        return Task.FromResult(Reply.Ok(new CallerView(c.IsAuthenticated, c.Id, c.Name,
            c.Roles.Select(RoleNames.Of).Order(StringComparer.Ordinal).ToList(), c.OrganizationId, c.VolunteerId,
            c.Communities?.Order(StringComparer.Ordinal).ToList())));
    }

    /// <summary>The OpenAPI 3.1 document of every endpoint, generated from the route table and its types.</summary>
    public static Task<IResult> OpenApi(EndpointContext ctx) => Task.FromResult(Reply.Content(OpenApiDocument.Json, "application/json"));

    /// <summary>The API reference page, rendered from the OpenAPI document.</summary>
    public static Task<IResult> ApiReferencePage(EndpointContext ctx) => Task.FromResult(Reply.Content(ApiReference.Html, "text/html"));

    private static async Task<ProbeResult> Probe(Func<Task> probe)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await probe().WaitAsync(timeout.Token);
            return new ProbeResult("healthy", watch.ElapsedMilliseconds, null);
        }
#pragma warning disable CA1031 // health reports any failure rather than failing itself
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ProbeResult("unhealthy", watch.ElapsedMilliseconds, e.GetType().Name);
        }
    }
}

/// <summary>
/// The host's health: storage and the durable engine, each probed; and, when counting is on (the benchmarks'
/// DevHost, <see cref="Common.StorageOperations"/>), the product's storage operations since the process started.
/// </summary>
public sealed record HealthReport(string Status, string StorageKind, ProbeResult Storage, ProbeResult Durable, long? StorageOperations = null);

public sealed record ProbeResult(string Status, long Milliseconds, string? Error);

public sealed record CallerView(bool Authenticated, string? Id, string? Name, List<string> Roles, string? OrganizationId, string? VolunteerId, List<string>? Communities);

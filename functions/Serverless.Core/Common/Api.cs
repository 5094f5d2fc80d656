using System.Diagnostics;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Common;

/// <summary>An HTTP endpoint of the route table: the one declaration both hosts serve.</summary>
public sealed record HttpEndpoint(string Name, string Method, string Route, Func<EndpointContext, Task<IResult>> Handle, Access Access = Access.SignedIn);

/// <summary>Who may reach a handler at all. Roles and ownership are the handler's to decide.</summary>
public enum Access
{
    /// <summary>Anyone signed in; an anonymous call is refused with 401 before the handler runs.</summary>
    SignedIn,

    /// <summary>Anyone, signed in or not (listed explicitly in the route table).</summary>
    Public,
}

/// <summary>A schedule of the route table: six-field CRON (seconds first), as Functions timer triggers take.</summary>
public sealed record ScheduleEntry(string Name, string Cron, Func<JobContext, Task> Run);

/// <summary>A queue of the route table and the handler that drains it. Handlers must be idempotent.</summary>
public sealed record QueueEntry(string Name, string Queue, Func<JobContext, string, Task> Handle);

/// <summary>What a schedule or queue handler gets from its host.</summary>
public sealed record JobContext(IServiceProvider Services, DurableTaskClient Durable, CancellationToken Cancellation)
{
    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>What an HTTP handler gets from its host: the request, the caller, the route values, services.</summary>
public sealed class EndpointContext
{
    /// <summary>Bodies above this are refused with 413 before they are parsed.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    internal EndpointContext(HttpRequest request, IServiceProvider services, DurableTaskClient durable, Caller caller, RouteValueDictionary route)
    {
        Request = request;
        Services = services;
        Durable = durable;
        Caller = caller;
        RouteValues = route;
    }

    public HttpRequest Request { get; }

    public IServiceProvider Services { get; }

    public DurableTaskClient Durable { get; }

    public Caller Caller { get; }

    public RouteValueDictionary RouteValues { get; }

    public CancellationToken Aborted => Request.HttpContext.RequestAborted;

    public TimeProvider Clock => Service<TimeProvider>();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A query-string value, or null when absent or repeated.</summary>
    public string? Query(string name) => Request.Query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    public string Route(string name) => RouteValues.TryGetValue(name, out var value) && value is string s
        ? s
        : throw new InvalidOperationException($"The route has no value '{name}'.");

    /// <summary>
    /// The body as <typeparamref name="T"/>: JSON always; <c>application/x-www-form-urlencoded</c> when the
    /// caller gives a form reader (the HTML forms post to the same handlers as the JSON API).
    /// </summary>
    public async Task<T> ReadBodyAsync<T>(Func<IFormCollection, T>? fromForm = null)
    {
        if (Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge().ToException();
        }

        var mediaType = Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "application/x-www-form-urlencoded" && fromForm is not null)
        {
            var form = await Request.ReadFormAsync(Aborted);
            return fromForm(form);
        }

        if (mediaType is not ("application/json" or "application/problem+json" or null or ""))
        {
            throw new Problem(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type.",
                fromForm is null ? "Send application/json." : "Send application/json or application/x-www-form-urlencoded.").ToException();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await Request.Body.ReadAsync(chunk, Aborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw TooLarge().ToException();
            }
        }

        if (buffer.Length == 0)
        {
            throw Malformed("The request has no body.").ToException();
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ApiJson.Options)
                ?? throw Malformed("The body is null.").ToException();
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" at {e.Path}";
            throw Malformed($"The body is not valid JSON for this request{where}: {FirstSentence(e.Message)}").ToException();
        }
    }

    /// <summary>The body, or <paramref name="empty"/> when the request has none (an approval without a note).</summary>
    public Task<T> ReadOptionalBodyAsync<T>(T empty)
    {
        var hasBody = Request.ContentLength > 0 || (Request.ContentLength is null && Request.Headers.TransferEncoding.Count > 0);
        return hasBody ? ReadBodyAsync<T>() : Task.FromResult(empty);
    }

    /// <summary>The request's Idempotency-Key header, if any, validated.</summary>
    public string? IdempotencyKey()
    {
        var value = Request.Headers["Idempotency-Key"].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length > 128 || value.Any(c => c < 0x21 || c > 0x7e))
        {
            throw new Problem(400, ProblemCodes.InvalidIdempotencyKey, "Invalid Idempotency-Key.",
                "An Idempotency-Key is 1 to 128 visible ASCII characters (a UUID is ideal).").ToException();
        }

        return value;
    }

    private static Problem TooLarge() => new(413, ProblemCodes.PayloadTooLarge, "The request is too large.",
        $"Bodies are limited to {MaxBodyBytes / 1024} KiB.");

    private static Problem Malformed(string detail) => new(400, ProblemCodes.MalformedBody, "The body could not be read.", detail);

    // System.Text.Json messages end with a hint about the options; the first sentence is the useful part.
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>The dispatcher both hosts call: route values, caller, handler, and the mapping of failures to problems.</summary>
public static partial class Api
{
    private static readonly Dictionary<string, (HttpEndpoint Endpoint, TemplateMatcher Matcher)> Endpoints =
        RouteTable.Http.ToDictionary(e => e.Name, e => (e, new TemplateMatcher(TemplateParser.Parse(e.Route), [])));

    public static HttpEndpoint Endpoint(string name) => Endpoints[name].Endpoint;

    /// <summary>Runs the named endpoint of the route table for this request.</summary>
    public static async Task<IResult> InvokeAsync(string name, HttpRequest request, DurableTaskClient durable, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (endpoint, matcher) = Endpoints[name];
        try
        {
            var values = new RouteValueDictionary();
            var path = request.Path.Value ?? "/";
            if (path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            {
                path = path[4..];
            }

            if (!matcher.TryMatch(path, values))
            {
                return Reply.Problem(Problem.NotFound("This route"), request);
            }

            if (RouteValues.Refuse(values) is { } invalid)
            {
                return Reply.Problem(invalid, request);
            }

            var caller = ClientPrincipal.Read(request);
            if (endpoint.Access != Access.Public && !caller.IsAuthenticated)
            {
                return Reply.Problem(Problem.Unauthenticated(), request);
            }

            caller = await services.GetRequiredService<MembershipStore>().BindAsync(caller, request.HttpContext.RequestAborted);
            using var actor = AuditContext.Use(new AuditActor(caller.Id ?? "anonymous",
                caller.Roles.Select(RoleNames.Of).Order(StringComparer.Ordinal).ToList(), endpoint.Name));
            var context = new EndpointContext(request, services, durable, caller, values);
            return await endpoint.Handle(context);
        }
        catch (ProblemException e)
        {
            return Reply.Problem(e.Problem, request);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return Reply.Problem(Problem.Conflict(ProblemCodes.ConcurrentUpdate,
                "Someone else changed this at the same moment. Read it again and retry."), request);
        }
        catch (Exception e) when (IsStorageUnreachable(e))
        {
            // Not the client's fault and not a bug: storage did not answer. 503 tells clients to retry.
            return Reply.Problem(new Problem(503, ProblemCodes.StorageUnavailable, "Storage is not reachable.",
                "The request was not carried out; retry it in a moment."), request);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
#pragma warning disable CA1031 // the last line of defence: a fault of ours is a 500 problem, never a stack trace
        catch (Exception e)
#pragma warning restore CA1031
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? request.HttpContext.TraceIdentifier;
            if (services.GetService<ILoggerFactory>()?.CreateLogger("Serverless.Api") is { } logger)
            {
                EndpointFailed(logger, e, name, traceId);
            }

            return Reply.Problem(new Problem(500, ProblemCodes.ServerError, "Something went wrong on our side.",
                $"The failure was logged with trace id {traceId}. Nothing was changed by a request that failed before its write."), request);
        }
    }

    public static async Task RunScheduleAsync(string name, DurableTaskClient durable, IServiceProvider services, CancellationToken cancellation)
    {
        var entry = RouteTable.Schedules.Single(s => s.Name == name);
        using var actor = AuditContext.Use(new AuditActor("system", [], $"schedule:{name}"));
        await entry.Run(new JobContext(services, durable, cancellation));
    }

    public static async Task HandleQueueAsync(string name, string message, DurableTaskClient durable, IServiceProvider services, CancellationToken cancellation)
    {
        var entry = RouteTable.Queues.Single(q => q.Name == name);
        using var actor = AuditContext.Use(new AuditActor("system", [], $"queue:{name}"));
        await entry.Handle(new JobContext(services, durable, cancellation), message);
    }

    private static bool IsStorageUnreachable(Exception e) => e switch
    {
        RequestFailedException { Status: 0 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStorageUnreachable),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint {Endpoint} failed (trace {TraceId})")]
    private static partial void EndpointFailed(ILogger logger, Exception exception, string endpoint, string traceId);
}

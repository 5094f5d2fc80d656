using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Common;

/// <summary>
/// An HTTP endpoint of the route table: the one declaration both hosts serve, and the OpenAPI document
/// describes (<see cref="OpenApiDocument"/>): what JSON it reads and answers with are declared beside it.
/// </summary>
public sealed record HttpEndpoint(string Name, string Method, string Route, Func<EndpointContext, Task<IResult>> Handle, Access Access = Access.SignedIn)
{
    /// <summary>The JSON body the handler reads (<c>ReadBodyAsync&lt;T&gt;</c>); null when it reads none.</summary>
    public Type? Body { get; init; }

    /// <summary>Whether the handler also takes the body as an HTML form post (<c>application/x-www-form-urlencoded</c>).</summary>
    public bool AcceptsForm { get; init; }

    /// <summary>Whether the body is taken only as an HTML form post (a page's form), never as JSON.</summary>
    public bool FormOnly { get; init; }

    /// <summary>What a success answers with, as JSON; null when it answers with no body.</summary>
    public Type? Returns { get; init; }

    /// <summary>Whether a success answers with an HTML page rather than JSON.</summary>
    public bool Html { get; init; }

    /// <summary>
    /// The status of a success: 200, 201 when the handler creates something and says where, or 303 when a page's
    /// form post sends the reader on to the result (post/redirect/get).
    /// </summary>
    public int Success { get; init; } = 200;
}

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

    /// <summary>The most characters a query-string value may have.</summary>
    public const int MaxQueryText = 1000;

    /// <summary>The most fields an HTML form post may have (the application form has fewer than 200).</summary>
    public const int MaxFormFields = 500;

    private IFormCollection? form;

    public HttpRequest Request { get; }

    public IServiceProvider Services { get; }

    public DurableTaskClient Durable { get; }

    public Caller Caller { get; }

    public RouteValueDictionary RouteValues { get; }

    public CancellationToken Aborted => Request.HttpContext.RequestAborted;

    public TimeProvider Clock => Service<TimeProvider>();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// A query-string value, or null when absent or repeated. A value no field could take (control characters,
    /// over <see cref="MaxQueryText"/> characters) is refused with a problem naming the parameter.
    /// </summary>
    public string? Query(string name)
    {
        if (!Request.Query.TryGetValue(name, out var values) || values.Count != 1 || values[0] is not { } value)
        {
            return null;
        }

        return RequestText.Problem(value, MaxQueryText) is { } problem ? throw Problem.Validation(name, problem).ToException() : value;
    }

    /// <summary>The same request and caller with other route values: a page running a JSON endpoint's handler.</summary>
    internal EndpointContext WithRoute(RouteValueDictionary route) => new(Request, Services, Durable, Caller, route) { form = form };

    public string Route(string name) => RouteValues.TryGetValue(name, out var value) && value is string s
        ? s
        : throw new InvalidOperationException($"The route has no value '{name}'.");

    /// <summary>
    /// The body as <typeparamref name="T"/>: JSON always; <c>application/x-www-form-urlencoded</c> when the
    /// caller gives a form reader (the HTML forms post to the same handlers as the JSON API). Read strictly
    /// (<see cref="ApiJson.RequestOptions"/>): a refusal names the field at fault, in <c>errors</c> and in the detail.
    /// </summary>
    public async Task<T> ReadBodyAsync<T>(Func<IFormCollection, T>? fromForm = null)
    {
        if (Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge().ToException();
        }

        var mediaType = Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var isForm = mediaType == "application/x-www-form-urlencoded" && fromForm is not null;
        if (!isForm && mediaType is not ("application/json" or "application/problem+json" or null or ""))
        {
            throw new Problem(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type.",
                fromForm is null ? "Send application/json." : "Send application/json or application/x-www-form-urlencoded.").ToException();
        }

        if (isForm)
        {
            return fromForm!(await FormAsync());
        }

        // Buffered up to the limit whether or not the client announced a length (a chunked body has none).
        var body = await ReadLimitedAsync();

        if (body.Length == 0)
        {
            throw Malformed("The request has no body.").ToException();
        }

        try
        {
            if (Shape(body.Span) is { } refused)
            {
                throw Problem.Validation(refused.Field, refused.Reason).ToException();
            }

            return JsonSerializer.Deserialize<T>(body.Span, ApiJson.RequestOptions)
                ?? throw Malformed("The body is null.").ToException();
        }
        catch (JsonException e)
        {
            throw Refusal(e, typeof(T)).ToException();
        }
    }

    /// <summary>
    /// The body as an HTML form post (<c>application/x-www-form-urlencoded</c>), read once: the anti-forgery check,
    /// a page and the handler it calls all see the same fields. Within the limits of <see cref="MaxFormFields"/>
    /// and <see cref="MaxBodyBytes"/>, every value text a field could take.
    /// </summary>
    public async Task<IFormCollection> FormAsync()
    {
        if (form is null)
        {
            if (Request.ContentLength > MaxBodyBytes)
            {
                throw TooLarge().ToException();
            }

            var mediaType = Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
            form = mediaType == "application/x-www-form-urlencoded" ? await ReadFormAsync(await ReadLimitedAsync()) : FormCollection.Empty;
        }

        return form;
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

    /// <summary>
    /// The caller as handlers see it. Its id and bindings come from claims (or the development sign-in) and end
    /// up in table keys and filters: a sign-in whose id or organization, volunteer or community binding could
    /// not be one of this product's is not understood, and is refused before any handler reads with it.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>> ReadLimitedAsync()
    {
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

        return buffer.ToArray();
    }

    /// <summary>An HTML form post, within limits, every value text a field could take.</summary>
    private async Task<IFormCollection> ReadFormAsync(ReadOnlyMemory<byte> body)
    {
        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> fields;
        using (var reader = new FormReader(new MemoryStream(body.ToArray(), writable: false), Encoding.UTF8)
        {
            ValueCountLimit = MaxFormFields,
            KeyLengthLimit = 200,
            ValueLengthLimit = MaxBodyBytes,
        })
        {
            try
            {
                fields = await reader.ReadFormAsync(Aborted);
            }
            catch (InvalidDataException e)
            {
                // Too many fields, a name too long, a null character: the reader's own words name which.
                throw Malformed($"The form post could not be read: {e.Message} A form post has at most {MaxFormFields} fields, "
                    + "each named in at most 200 characters.").ToException();
            }
        }

        var v = new Validation();
        foreach (var (key, values) in fields)
        {
            if (RequestText.Problem(key, 200) is not null)
            {
                v.Add("form", "A field name has control characters.");
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null && RequestText.Problem(value) is { } problem)
                {
                    v.Add(key, problem);
                }
            }
        }

        v.ThrowIfAny();
        return new FormCollection(fields);
    }

    private static Problem TooLarge() => new(413, ProblemCodes.PayloadTooLarge, "The request is too large.",
        $"Bodies are limited to {MaxBodyBytes / 1024} KiB.");

    private static Problem Malformed(string detail, string? field = null, string? reason = null) =>
        new(400, ProblemCodes.MalformedBody, "The body could not be read.", detail,
            field is null ? null : new Dictionary<string, string[]> { [field] = [reason ?? detail] });

    /// <summary>
    /// A refused body as a problem naming the field: a value refused as read (too long, control characters,
    /// not an id) is a validation problem; anything else (syntax, a wrong type, an unknown or repeated field,
    /// nesting) a malformed body. Both carry the field in <c>errors</c>, keyed as validation keys it (lots[0].id).
    /// </summary>
    private static Problem Refusal(JsonException e, Type type)
    {
        var field = FieldOf(e.Path) + (e as RequestValueException)?.Suffix;
        var reason = e switch
        {
            RequestValueException => e.Message,
            _ when e.Message.StartsWith("Duplicate propert", StringComparison.Ordinal) => "Given more than once.",
            _ when e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => "Not a field of this request.",
            _ when e.Message.Contains("maximum configured depth", StringComparison.Ordinal) => $"Nested more than {ApiJson.MaxRequestDepth} levels deep.",
            _ when e.InnerException is InvalidOperationException inner && inner.Message.Contains("UTF-16", StringComparison.Ordinal) => "Not valid Unicode text.",
            _ when e.InnerException?.GetType().Name == "JsonReaderException" => FirstSentence(e.InnerException.Message),
            _ when e.InnerException is null or InvalidOperationException or FormatException && Expected(type, e.Path) is { } expected
                && !e.Message.StartsWith("Expected one of", StringComparison.Ordinal) => $"Expected {expected}.",
            _ => FirstSentence(e.Message),
        };
        if (field.Length == 0)
        {
            return Malformed($"The body is not valid JSON for this request: {reason}");
        }

        return e is RequestValueException
            ? Problem.Validation(field, reason)
            : Malformed($"The body is not valid JSON for this request at {field}: {reason}", field, reason);
    }

    /// <summary>STJ's path ($.lots[0].id, $['odd name']) as validation keys fields (lots[0].id, odd name).</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        var field = new StringBuilder();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                field.Append(field.Length == 0 ? string.Empty : ".").Append(path, i + 1, end - i - 1);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                field.Append(field.Length == 0 ? string.Empty : ".").Append(path, i + 2, end - i - 2);
                i = Math.Min(path.Length, end + 2);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length - 1 : end;
                field.Append(path, i, end - i + 1);
                i = end + 1;
            }
            else
            {
                field.Append(path[i]);
                i++;
            }
        }

        return field.ToString();
    }

    /// <summary>What the field at <paramref name="path"/> of <paramref name="type"/> takes, in words, when it can be found.</summary>
    private static string? Expected(Type type, string? path)
    {
        var segments = FieldOf(path).Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var current = type;
        foreach (var segment in segments)
        {
            current = Nullable.GetUnderlyingType(current) ?? current;
            var info = ApiJson.RequestOptions.GetTypeInfo(current);
            if (segment.StartsWith('[') || info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Dictionary)
            {
                current = info.ElementType ?? current;
                continue;
            }

            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }

            current = property.PropertyType;
        }

        current = Nullable.GetUnderlyingType(current) ?? current;
        return current switch
        {
            _ when current == typeof(string) => "text",
            _ when current == typeof(bool) => "true or false",
            _ when current == typeof(int) || current == typeof(long) => "a whole number",
            _ when current == typeof(decimal) || current == typeof(double) => "a number (an amount: at most two decimals)",
            _ when current == typeof(DateOnly) => "a date, yyyy-mm-dd",
            _ when current == typeof(DateTimeOffset) || current == typeof(DateTime) => "a date and time with its offset (ISO 8601), such as 2027-03-01T09:00:00+08:00",
            _ when current == typeof(TimeOnly) => "a time, HH:mm",
            _ when current.IsEnum => "one of: " + string.Join(", ", Enum.GetValues(current).Cast<object>().Select(v => JsonSerializer.Serialize(v, current, ApiJson.Options).Trim('"'))),
            _ => ApiJson.RequestOptions.GetTypeInfo(current).Kind switch
            {
                System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable => "a list",
                System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Dictionary or System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object => "an object",
                _ => null,
            },
        };
    }

    /// <summary>
    /// What the deserializer would let through but no form can use, found in one pass over the JSON: a null
    /// inside a list (validation would stumble on it) and a field name that is not text a field could have
    /// (too long, control characters, a lone surrogate), which would otherwise be repeated in the refusal.
    /// </summary>
    private static (string Field, string Reason)? Shape(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = ApiJson.MaxRequestDepth });
        var frames = new List<(string Segment, bool IsArray, int Count)>();
        var name = string.Empty;
        string Here(string? last = null)
        {
            var field = new StringBuilder();
            foreach (var segment in frames.Select(f => f.Segment).Append(last ?? string.Empty))
            {
                field.Append(segment.StartsWith('[') || field.Length == 0 || segment.Length == 0 ? string.Empty : ".").Append(segment);
            }

            return field.Length == 0 ? "body" : field.ToString();
        }

        try
        {
            while (reader.Read())
            {
                var inArray = frames.Count > 0 && frames[^1].IsArray;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = reader.GetString() ?? string.Empty;
                        if (RequestText.Problem(name, 200) is not null)
                        {
                            return (Here(), "A field name here is not one any form has (too long, or control characters).");
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Add((inArray ? $"[{frames[^1].Count}]" : name, reader.TokenType == JsonTokenType.StartArray, 0));
                        if (inArray)
                        {
                            frames[^2] = frames[^2] with { Count = frames[^2].Count + 1 };
                        }

                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.Null when inArray:
                        return (Here($"[{frames[^1].Count}]"), "A list item cannot be null.");
                    default:
                        if (inArray)
                        {
                            frames[^1] = frames[^1] with { Count = frames[^1].Count + 1 };
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the deserializer says where and why.
        }
        catch (InvalidOperationException)
        {
            // A field name that is not valid UTF-16 (an escaped lone surrogate).
            return (Here(), "A field name here is not valid Unicode text.");
        }

        return null;
    }

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

        // A page answers a refusal with a page in the reader's language; the JSON API with a problem document.
        IResult Refuse(Problem problem) => endpoint.Html ? Pages.PageReply.Problem(problem, request, services) : Reply.Problem(problem, request);
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
                return Refuse(Problem.NotFound("This route"));
            }

            if (RouteValues.Refuse(values) is { } invalid)
            {
                return Refuse(invalid);
            }

            var caller = ClientPrincipal.Read(request);
            if (endpoint.Access != Access.Public && !caller.IsAuthenticated)
            {
                return Refuse(Problem.Unauthenticated());
            }

            caller = await services.GetRequiredService<MembershipStore>().BindAsync(caller, request.HttpContext.RequestAborted);
            using var actor = AuditContext.Use(new AuditActor(caller.Id ?? "anonymous",
                caller.Roles.Select(RoleNames.Of).Order(StringComparer.Ordinal).ToList(), endpoint.Name));
            var context = new EndpointContext(request, services, durable, caller, values);
            if (FormProtection.IsForgeable(request))
            {
                var token = request.Headers[FormProtection.Header].ToString() is { Length: > 0 } header
                    ? header
                    : (await context.FormAsync())[FormProtection.Field].ToString();
                if (services.GetRequiredService<FormProtection>().Check(token, caller) is { } forged)
                {
                    return Refuse(forged);
                }
            }

            if (services.GetRequiredService<Storage>().Operations is null)
            {
                return await endpoint.Handle(context);
            }

            // Counting (the benchmarks): the reply says how many storage operations its handler caused.
            using var tally = StorageOperations.Begin();
            var result = await endpoint.Handle(context);
            request.HttpContext.Response.Headers[StorageOperations.Header] = tally.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return result;
        }
        catch (ProblemException e)
        {
            return Refuse(e.Problem);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return Refuse(Problem.Conflict(ProblemCodes.ConcurrentUpdate,
                "Someone else changed this at the same moment. Read it again and retry."));
        }
        catch (Exception e) when (IsStorageUnreachable(e))
        {
            // Not the client's fault and not a bug: storage did not answer. 503 tells clients to retry.
            return Refuse(new Problem(503, ProblemCodes.StorageUnavailable, "Storage is not reachable.",
                "The request was not carried out; retry it in a moment."));
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

            return Refuse(new Problem(500, ProblemCodes.ServerError, "Something went wrong on our side.",
                $"The failure was logged with trace id {traceId}. Nothing was changed by a request that failed before its write."));
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

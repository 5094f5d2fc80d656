using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serverless.Core.Common;

/// <summary>Replies in the product's JSON dialect, with the same bytes on both hosts.</summary>
public static class Reply
{
    public static IResult Ok<T>(T value) => Json(200, value);

    public static IResult Json<T>(int status, T value) => new JsonReply<T>(status, value, null, "application/json");

    public static IResult Created<T>(string location, T value) => new JsonReply<T>(201, value, location, "application/json");

    public static IResult Problem(Problem problem, HttpRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var document = new ProblemDocument($"urn:serverless:problem:{problem.Code}", problem.Title, problem.Status,
            problem.Code, problem.Detail, request?.Path.Value, problem.Errors);
        return new JsonReply<ProblemDocument>(problem.Status, document, null, "application/problem+json");
    }

    /// <summary>
    /// A body already rendered: JSON text (the OpenAPI document) or an HTML page. Pages run no script and load
    /// nothing from elsewhere, which their Content-Security-Policy enforces.
    /// </summary>
    public static IResult Content(string body, string mediaType) => new ContentReply(body, mediaType);

    /// <summary>
    /// What a handler answered, as the value it serialized: a page runs the JSON API's handler and renders its
    /// answer. Any other reply (no body, a rendered body) is a fault of the caller's expectations.
    /// </summary>
    public static T ValueOf<T>(IResult reply) => reply is IValueReply { Value: T value }
        ? value
        : throw new InvalidOperationException($"The handler did not answer with a {typeof(T).Name}.");

    private interface IValueReply
    {
        object? Value { get; }
    }

    private sealed class ContentReply(string body, string mediaType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = 200;
            response.ContentType = mediaType + "; charset=utf-8";
            response.Headers.XContentTypeOptions = "nosniff";
            if (mediaType == "text/html")
            {
                response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
                response.Headers.XFrameOptions = "DENY";
            }

            await response.WriteAsync(body, httpContext.RequestAborted);
        }
    }

    private sealed class JsonReply<T>(int status, T value, string? location, string contentType) : IResult, IValueReply
    {
        public object? Value => value;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = contentType + "; charset=utf-8";
            // Replies are JSON and only JSON: a browser must never sniff one into HTML.
            response.Headers.XContentTypeOptions = "nosniff";
            if (location is not null)
            {
                response.Headers.Location = location;
            }

            await JsonSerializer.SerializeAsync(response.Body, value, ApiJson.Options, httpContext.RequestAborted);
        }
    }
}

/// <summary>A workflow's state as a reader sees it: the engine's runtime status and the workflow's own words.</summary>
public sealed record RoundProgressView(string RuntimeStatus, string Message);

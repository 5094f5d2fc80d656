using System.Text.Json.Serialization;

namespace Serverless.Core.Common;

/// <summary>
/// An RFC 9457 problem: every refusal the product gives has a stable <see cref="Code"/> that clients can
/// branch on, a human title and detail, and for validation the failing fields.
/// </summary>
public sealed record Problem(
    int Status,
    string Code,
    string Title,
    string? Detail = null,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static Problem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(400, ProblemCodes.ValidationFailed, "The request has fields that are not valid.",
            "See 'errors' for each failing field.", errors);

    public static Problem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static Problem NotFound(string what) =>
        new(404, ProblemCodes.NotFound, "Not found.", $"{what} does not exist or is not visible to you.");

    public static Problem Unauthenticated() =>
        new(401, ProblemCodes.Unauthenticated, "Sign-in required.", "This operation needs a signed-in caller.");

    public static Problem Forbidden(string detail) =>
        new(403, ProblemCodes.Forbidden, "Not allowed.", detail);

    public static Problem Conflict(string code, string detail) =>
        new(409, code, "The request conflicts with the current state.", detail);

    public static Problem DeadlinePassed(string detail) =>
        new(409, ProblemCodes.DeadlinePassed, "The deadline has passed.", detail);

    public static Problem InvalidState(string detail) =>
        new(409, ProblemCodes.InvalidState, "Not possible in the current state.", detail);

    public ProblemException ToException() => new(this);
}

/// <summary>The stable problem codes. Clients depend on these strings: never rename one.</summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "validation-failed";
    public const string MalformedBody = "malformed-body";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string PayloadTooLarge = "payload-too-large";
    public const string NotFound = "not-found";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string ConcurrentUpdate = "concurrent-update";
    public const string DeadlinePassed = "deadline-passed";
    public const string NotYetOpen = "not-yet-open";
    public const string InvalidState = "invalid-state";
    public const string DuplicateCreditCode = "duplicate-credit-code";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string InvalidIdempotencyKey = "invalid-idempotency-key";
    public const string InvalidPrincipal = "invalid-principal";
    public const string DevSignInDisabled = "dev-sign-in-disabled";
    public const string ServerError = "server-error";
    public const string StorageUnavailable = "storage-unavailable";
    public const string BidsSealed = "bids-sealed";
    public const string EvaluationIncomplete = "evaluation-incomplete";
    public const string OfferClosed = "offer-closed";
    public const string OfferTaken = "offer-taken";
    public const string AlreadyBooked = "already-booked";
    public const string FormForged = "form-not-verified";
    public const string FormExpired = "form-expired";
}

/// <summary>Thrown anywhere below a handler to answer with a problem; the dispatcher renders it.</summary>
public sealed class ProblemException(Problem problem) : Exception(problem.Detail ?? problem.Title)
{
    public Problem Problem { get; } = problem;
}

/// <summary>The wire shape of a problem (application/problem+json).</summary>
internal sealed record ProblemDocument(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("instance")] string? Instance,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors);

namespace Serverless.Core.Common;

/// <summary>
/// The outcome of a pure domain function: the next value, or the problem that refuses it. State machines
/// return this instead of throwing so their rules can be tested without any host.
/// </summary>
public readonly record struct Result<T>
{
    private Result(T? value, Problem? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public Problem? Error { get; }

    public bool IsOk => Error is null;

#pragma warning disable CA2225 // the implicit conversions are the point: `return problem;` or `return round;`
    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Problem error) => new(default, error);
#pragma warning restore CA2225

    /// <summary>The value, or a <see cref="ProblemException"/> for the handler to answer with.</summary>
    public T OrThrow() => Error is null ? Value! : throw Error.ToException();
}

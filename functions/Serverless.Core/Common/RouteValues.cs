using System.Buffers;
using Microsoft.AspNetCore.Routing;

namespace Serverless.Core.Common;

/// <summary>
/// Route values are checked before any handler sees them. Every id this product issues is letters, digits,
/// '-' and '_' (a prefix and hex, or a lot's code); a value with anything else (quotes, OData operators,
/// '/', '#', '?', control characters, which Table keys refuse or a query could misread) names nothing here,
/// so it is answered 404 without touching storage.
/// </summary>
public static class RouteValues
{
    public const int MaxIdLength = 100;

    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>True for a value that could be an id of this product.</summary>
    public static bool IsId(string? value) =>
        value is { Length: > 0 and <= MaxIdLength } && !value.AsSpan().ContainsAnyExcept(IdCharacters);

    /// <summary>The problem for the first route value that cannot name anything, or null when all can.</summary>
    public static Problem? Refuse(RouteValueDictionary values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (name, raw) in values)
        {
            var value = raw as string;
            var ok = name switch
            {
                "index" => value is { Length: > 0 and <= 3 } && value.All(char.IsAsciiDigit),
                _ => IsId(value),
            };
            if (!ok)
            {
                return Problem.NotFound($"The {name} in the address");
            }
        }

        return null;
    }
}

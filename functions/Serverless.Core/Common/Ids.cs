using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Core.Common;

/// <summary>Identifiers: readable prefixes, time-ordered when new, deterministic when derived from a key.</summary>
public static class Ids
{
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdef");

    /// <summary>A new id, time-ordered (UUID v7) so rows sort by creation within a partition.</summary>
    public static string New(string prefix, TimeProvider clock) =>
        $"{prefix}-{Guid.CreateVersion7(clock.GetUtcNow()):N}";

    /// <summary>
    /// The same id for the same parts, every time: the basis of idempotent creation (a retried request
    /// with the same Idempotency-Key maps to the row the first attempt wrote).
    /// </summary>
    public static string Derive(string prefix, params string[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return $"{prefix}-{Convert.ToHexStringLower(bytes, 0, 16)}";
    }

    /// <summary>True for ids this product could have issued: prefix, dash, 32 lowercase hex digits.</summary>
    public static bool LooksValid(string prefix, string? id) =>
        id is not null && id.Length == prefix.Length + 33 && id.StartsWith(prefix + "-", StringComparison.Ordinal)
        && id.AsSpan(prefix.Length + 1).ContainsAnyExcept(Hex) is false;

    /// <summary>A SHA-256 of a canonical request, to tell a true retry from a reused key.</summary>
    public static string Fingerprint(string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Common;

/// <summary>
/// Anti-forgery for requests a browser sends on its own. A signed-in browser carries its session in a cookie
/// (App Service Authentication's in Azure, the development sign-in's locally), and a page of another site can make
/// it post a form here with that cookie attached. Such a post must carry a token this product issued to the same
/// caller: an HMAC of the caller's id and an expiry under <c>Forms:ProtectionKey</c> (32 bytes, base64; from Key
/// Vault in Azure), so another site can neither read one (it cannot read our pages) nor make one.
/// <para>
/// The token is stateless and bound to the caller rather than to one session: a token leaks nothing that the
/// caller's own session would not, and needs no store. It lives <see cref="Lifetime"/>, long enough to fill in
/// an application form over a working day.
/// </para>
/// <para>
/// Requests that no other site can forge are not asked for one: safe methods, JSON bodies (a cross-site form
/// cannot send <c>application/json</c>, and this product answers no CORS preflight), requests whose credentials
/// are a header (<c>Authorization</c>, the development sign-in's <c>X-Dev-Principal</c>: no browser attaches
/// those by itself), and requests with no cookie at all (nothing ambient to abuse).
/// </para>
/// </summary>
public sealed class FormProtection
{
    /// <summary>The hidden field every form of the pages carries.</summary>
    public const string Field = "_csrf";

    /// <summary>Where a script-free client may send the token instead.</summary>
    public const string Header = "X-CSRF-Token";

    public const string KeySetting = "Forms:ProtectionKey";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly byte[]? key;
    private readonly TimeProvider clock;

    public FormProtection(IConfiguration configuration, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        this.clock = clock;
        var configured = configuration[KeySetting];
        key = string.IsNullOrWhiteSpace(configured) ? null : Convert.FromBase64String(configured);
        if (key is { Length: < 32 })
        {
            throw new InvalidOperationException($"{KeySetting} must be at least 32 bytes (base64).");
        }
    }

    /// <summary>A token for this caller's forms.</summary>
    public string Issue(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var expires = clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{expires}.{Sign(caller, expires)}";
    }

    /// <summary>Null when the token is this caller's and current; otherwise the problem to answer with.</summary>
    public Problem? Check(string? token, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return Refused();
        }

        var expected = Encoding.ASCII.GetBytes(Sign(caller, token[..dot]));
        var given = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return Refused();
        }

        return DateTimeOffset.FromUnixTimeSeconds(expires) <= clock.GetUtcNow()
            ? new Problem(403, ProblemCodes.FormExpired, "The form has expired.",
                $"Forms are accepted for {Lifetime.TotalHours:0} hours after they are shown. Load the page again and send it again.")
            : null;
    }

    /// <summary>Whether another site could have made a browser send this request, so it must carry a token.</summary>
    public static bool IsForgeable(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return false;
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType is not ("application/json" or "application/problem+json")
            && request.Headers.Cookie.Count > 0
            && request.Headers.Authorization.Count == 0
            && request.Headers["X-Dev-Principal"].Count == 0;
    }

    private static Problem Refused() => new(403, ProblemCodes.FormForged, "The form could not be verified.",
        $"A form sent from a browser must carry the '{Field}' field of the page it came from. Load the page again and send it from there.");

    private string Sign(Caller caller, string expires)
    {
        var secret = key ?? throw new InvalidOperationException(
            $"No form protection key: set {KeySetting} (32 bytes, base64; from Key Vault in Azure).");
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"form|{caller.Id ?? "anonymous"}|{expires}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

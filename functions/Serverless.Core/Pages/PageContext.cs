using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serverless.Core.Common;

namespace Serverless.Core.Pages;

/// <summary>The languages of the pages: Chinese first, as the district reads, and English.</summary>
public enum Lang
{
    Zh,
    En,
}

/// <summary>
/// What a page handler works with: the endpoint's context, the reader's language, and the local formats. Every
/// word a page shows is written in both languages where it is used (<see cref="T"/>), so neither can be missed.
/// </summary>
public sealed class PageContext
{
    /// <summary>The query parameter of the language switch, and the cookie that remembers it.</summary>
    public const string LangParameter = "lang";

    /// <summary>The hidden field that makes a form's post idempotent: one value per form shown.</summary>
    public const string KeyField = "_key";

    /// <summary>China keeps one time zone and no daylight saving: Beijing time is UTC+8 all year.</summary>
    public static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private string? token;

    public PageContext(EndpointContext endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Lang = LanguageOf(endpoint.Request);
    }

    public EndpointContext Endpoint { get; }

    public Lang Lang { get; }

    public Caller Caller => Endpoint.Caller;

    public HttpRequest Request => Endpoint.Request;

    /// <summary>The value of the html element's lang attribute.</summary>
    public string LangTag => Lang == Lang.Zh ? "zh-CN" : "en";

    /// <summary>The anti-forgery token for this caller's forms (<see cref="FormProtection"/>).</summary>
    public string Token => token ??= Endpoint.Service<FormProtection>().Issue(Caller);

    /// <summary>The text in the reader's language.</summary>
    public string T(string zh, string en) => Lang == Lang.Zh ? zh : en;

    /// <summary>Money in yuan as the district writes it: ¥50,000.00, or CNY 50,000.00 in English.</summary>
    public string Money(decimal amount) => Money(Lang, amount);

    public static string Money(Lang lang, decimal amount) =>
        (lang == Lang.Zh ? "¥" : "CNY ") + amount.ToString("#,0.00", CultureInfo.InvariantCulture);

    /// <summary>A moment in Beijing time: 2027年3月1日 09:00, or 1 Mar 2027, 09:00.</summary>
    public string When(DateTimeOffset at) => When(Lang, at);

    public static string When(Lang lang, DateTimeOffset at)
    {
        var local = at.ToOffset(Beijing);
        return lang == Lang.Zh
            ? local.ToString("yyyy'年'M'月'd'日' HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>A day: 2027年12月31日, or 31 Dec 2027.</summary>
    public string Day(DateOnly day) => Lang == Lang.Zh
        ? day.ToString("yyyy'年'M'月'd'日'", CultureInfo.InvariantCulture)
        : day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>A whole number with thousands separators.</summary>
    public static string Number(decimal n) => n.ToString("#,0.##", CultureInfo.InvariantCulture);

    /// <summary>The name of a domain value (a programme area, a status) in the reader's language.</summary>
    public string Name(Enum value) => Words.Name(Lang, value);

    /// <summary>
    /// The reader's language: the switch (<c>?lang=en</c>) when given, else the one it set before (a cookie), else
    /// the browser's first preference of Chinese or English (<c>Accept-Language</c>), else Chinese.
    /// </summary>
    public static Lang LanguageOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Parse(request.Query[LangParameter].ToString()) is { } chosen)
        {
            return chosen;
        }

        if (request.Cookies.TryGetValue(LangParameter, out var remembered) && Parse(remembered) is { } kept)
        {
            return kept;
        }

        var preferences = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is null or > 0)
            .OrderByDescending(l => l.Quality ?? 1);
        foreach (var preference in preferences)
        {
            if (Parse(preference.Value.Value) is { } preferred)
            {
                return preferred;
            }
        }

        return Lang.Zh;
    }

    /// <summary>"zh", "zh-CN", "zh-Hans"… is Chinese; "en", "en-GB"… English; anything else nothing.</summary>
    public static Lang? Parse(string? tag) =>
        tag is null ? null
        : tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase) ? Lang.Zh
        : tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase) ? Lang.En
        : null;

    /// <summary>
    /// Runs a JSON endpoint's handler of the route table for this page (the forms post to the same handlers as the
    /// JSON API) and returns what it answered. Its refusals come as <see cref="ProblemException"/>s.
    /// </summary>
    public async Task<T> CallAsync<T>(string endpointName, RouteValueDictionary? routeValues = null)
    {
        var context = Endpoint;
        if (routeValues is not null)
        {
            var values = new RouteValueDictionary(Endpoint.RouteValues);
            foreach (var (name, value) in routeValues)
            {
                values[name] = value;
            }

            context = Endpoint.WithRoute(values);
        }

        var reply = await Api.Endpoint(endpointName).Handle(context);
        return Reply.ValueOf<T>(reply);
    }

    /// <summary>An address of the pages, in the reader's language when it was switched.</summary>
    public static string Href(string path) => "/api/" + path;
}

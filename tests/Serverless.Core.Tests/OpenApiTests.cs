using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Serverless.Core;
using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>
/// The OpenAPI document is generated from the route table: every route is in it with its method, who may call
/// it, its path values, what it reads and answers; it is a valid OpenAPI 3.1 document by Microsoft.OpenApi's
/// reader and rules; and the reference page shows every operation.
/// </summary>
public sealed class OpenApiTests
{
    private static readonly JsonObject Document = JsonNode.Parse(Serverless.Core.Common.OpenApiDocument.Json)!.AsObject();

    [Fact]
    public void Every_route_of_the_table_is_in_the_document_under_its_path_and_method()
    {
        var paths = Document["paths"]!.AsObject();

        foreach (var endpoint in RouteTable.Http)
        {
            var operation = paths["/" + endpoint.Route]?[endpoint.Method.ToLowerInvariant()];
            Assert.True(operation is JsonObject, $"{endpoint.Method} /{endpoint.Route} ({endpoint.Name}) is not in the document");
            Assert.Equal(endpoint.Name, operation!["operationId"]!.GetValue<string>());
        }

        var operations = paths.Sum(p => p.Value!.AsObject().Count(o => o.Key != "parameters"));
        Assert.Equal(RouteTable.Http.Count, operations);
    }

    [Fact]
    public void The_document_reads_as_valid_OpenAPI_3_1_with_no_errors_or_rule_violations()
    {
        var (document, diagnostic) = Microsoft.OpenApi.OpenApiDocument.Parse(Serverless.Core.Common.OpenApiDocument.Json, "json");

        Assert.NotNull(document);
        Assert.True(diagnostic!.Errors.Count == 0, string.Join("\n", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        var violations = document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(violations.Count == 0, string.Join("\n", violations.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public void Public_operations_need_no_sign_in_and_every_other_one_says_it_answers_401()
    {
        foreach (var endpoint in RouteTable.Http)
        {
            var operation = Operation(endpoint);
            var anonymous = operation["security"] is JsonArray security && security.Any(s => s is JsonObject { Count: 0 });
            Assert.Equal(endpoint.Access == Access.Public, anonymous);
            // A page answers every refusal, 401 included, with a page (the "default" response); the JSON API with problems.
            Assert.Equal(endpoint.Access == Access.SignedIn && !endpoint.Html, operation["responses"]!.AsObject().ContainsKey("401"));
            Assert.Equal(endpoint.Html, operation["responses"]!.AsObject().ContainsKey("default"));
        }
    }

    [Fact]
    public void Bodies_and_replies_are_the_declared_types_and_every_reference_resolves()
    {
        var schemas = Document["components"]!["schemas"]!.AsObject();
        foreach (var endpoint in RouteTable.Http)
        {
            var operation = Operation(endpoint);
            Assert.Equal(endpoint.Body is not null, operation["requestBody"] is not null);
            Assert.Equal(endpoint.AcceptsForm, operation["requestBody"]?["content"]?["application/x-www-form-urlencoded"] is not null);
            var success = operation["responses"]![endpoint.Success.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            Assert.NotNull(success);
            // A form post of a page answers 303 with no body: the reader's browser goes on to the result page.
            Assert.Equal((endpoint.Returns is not null || endpoint.Html) && endpoint.Success != 303, success!["content"] is not null);
            Assert.Equal(endpoint.FormOnly, operation["requestBody"]?["content"]?["application/json"] is null && endpoint.Body is not null);
        }

        foreach (var reference in References(Document))
        {
            Assert.StartsWith("#/components/", reference, StringComparison.Ordinal);
            JsonNode? target = Document;
            foreach (var segment in reference[2..].Split('/'))
            {
                target = target?[segment];
            }

            Assert.True(target is not null, $"{reference} does not resolve");
        }

        // Every read says what it answers: a route added without its reply type fails here.
        Assert.All(RouteTable.Http.Where(e => e.Method == "GET" && !e.Html), e => Assert.True(e.Returns is not null, $"{e.Name} declares no reply type"));

        // Same-named types of two areas are two schemas, not one.
        Assert.True(schemas.ContainsKey("RulingForm") && schemas.ContainsKey("ProcurementRulingForm"));
    }

    [Fact]
    public void Schemas_read_as_the_API_writes_enums_by_their_kebab_case_names_and_ids_by_their_route_rule()
    {
        var round = Document["components"]!["schemas"]!["RoundSummary"]!;
        var status = round["properties"]!["status"]!;
        Assert.Contains("open", status["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("publicity", status["enum"]!.AsArray().Select(v => v!.GetValue<string>()));

        var roundId = Document["paths"]!["/rounds/{roundId}"]!["parameters"]![0]!;
        Assert.Equal(("roundId", "path"), (roundId["name"]!.GetValue<string>(), roundId["in"]!.GetValue<string>()));
        Assert.Matches(roundId["schema"]!["pattern"]!.GetValue<string>(), "rnd-01938a6e7b2c7d4e8f9a0b1c2d3e4f50");
        Assert.DoesNotMatch(roundId["schema"]!["pattern"]!.GetValue<string>(), "rnd' or 1 eq 1");
    }

    [Fact]
    public void Refusals_are_problem_documents_and_descriptions_come_from_the_handlers_documentation()
    {
        var problem = Document["components"]!["responses"]!["Problem409"]!["content"]![Serverless.Core.Common.OpenApiDocument.ProblemMediaType]!["schema"]!;
        Assert.Equal("#/components/schemas/Problem", problem["$ref"]!.GetValue<string>());
        var properties = Document["components"]!["schemas"]!["Problem"]!["properties"]!.AsObject();
        Assert.True(new[] { "type", "title", "status", "code", "detail", "errors" }.All(properties.ContainsKey));

        var submitReview = Operation(RouteTable.Http.Single(e => e.Name == nameof(Serverless.Core.Ventures.StageEndpoints.SubmitReview)));
        Assert.Contains("scores every criterion", submitReview["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_reference_page_shows_every_operation_and_runs_no_script()
    {
        var html = ApiReference.Html;

        foreach (var endpoint in RouteTable.Http)
        {
            Assert.Contains($"id=\"{endpoint.Name}\"", html, StringComparison.Ordinal);
            Assert.Contains($"/api/{endpoint.Route}</code>", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<meta name=\"viewport\"", html, StringComparison.Ordinal);
    }

    private static JsonObject Operation(HttpEndpoint endpoint) =>
        Document["paths"]!["/" + endpoint.Route]![endpoint.Method.ToLowerInvariant()]!.AsObject();

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };
}

using NJsonSchema;
using NJsonSchema.Generation;
using NJsonSchema.Validation;

// The shared test folder's namespace: "Shared" is a Visual Basic keyword, which does not matter for test code.
#pragma warning disable CA1716
namespace Serverless.Tests.Shared;
#pragma warning restore CA1716

/// <summary>
/// Validates JSON against the official OCDS 1.1.5 release package schema (draft-04, with NJsonSchema), copied
/// to the test output under <c>schemas/ocds-1.1.5</c> (see tests/schemas/README.md). The package schema's
/// <c>$ref</c> to the release schema's URL is answered with the local copy: validation never uses the network.
/// </summary>
public static class OcdsSchema
{
    private const string ReleaseSchemaUrl = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

    private static readonly Lazy<JsonSchema> Package = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The validation errors, one line each with its JSON path; empty when the package is valid.</summary>
    public static IReadOnlyList<string> Validate(string json)
    {
        var errors = new List<string>();
        foreach (var error in Package.Value.Validate(json))
        {
            Flatten(error, errors);
        }

        return errors;
    }

    private static void Flatten(ValidationError error, List<string> into)
    {
        into.Add($"{error.Path}: {error.Kind}");
        if (error is ChildSchemaValidationError child)
        {
            foreach (var nested in child.Errors.SelectMany(e => e.Value))
            {
                Flatten(nested, into);
            }
        }
    }

    private static JsonSchema Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "schemas", "ocds-1.1.5");
        var releasePath = Path.Combine(folder, "release-schema.json");
        var packagePath = Path.Combine(folder, "release-package-schema.json");
        var release = JsonSchema.FromFileAsync(releasePath).GetAwaiter().GetResult();
        return JsonSchema.FromJsonAsync(File.ReadAllText(packagePath), packagePath, schema =>
        {
            var resolver = new LocalOnlyResolver(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()));
            resolver.AddDocumentReference(ReleaseSchemaUrl, release);
            return resolver;
        }).GetAwaiter().GetResult();
    }

    /// <summary>Refuses any URL not registered above, so a missing local copy fails loudly instead of downloading.</summary>
    private sealed class LocalOnlyResolver(JsonSchemaAppender appender) : JsonReferenceResolver(appender)
    {
        public override Task<NJsonSchema.References.IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"OCDS schema reference {url} is not available locally (tests/schemas).");
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>
/// Compiles and lints infra/main.bicep with the Bicep CLI that restore downloads (PackageDownload in this
/// project), so a template azd cannot deploy fails here rather than at `azd provision`, and holds the compiled
/// ARM template to what the bureau's IT team must be able to trust: no key or connection string to storage,
/// identity-only access everywhere, the role assignments the code needs, authentication on. Offline: no
/// registry modules.
/// </summary>
public sealed partial class InfrastructureTests
{
    private const string BicepPackage = "azure.bicep.commandline.linux-x64";
    private const string BicepVersion = "0.49.2";
    private const string MainTemplate = "infra/main.bicep";

    [Fact]
    public async Task Main_template_builds_to_an_ARM_template_that_creates_the_resource_group_and_gives_azd_its_outputs()
    {
        var result = await RunBicepAsync("build", MainTemplate, "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build failed ({result.ExitCode}):\n{result.StandardError}");
        Assert.True(result.StandardError.Length == 0, $"bicep build reported diagnostics:\n{result.StandardError}");

        using var template = JsonDocument.Parse(result.StandardOutput);
        var root = template.RootElement;
        Assert.Contains("subscriptionDeploymentTemplate.json", root.GetProperty("$schema").GetString(), StringComparison.Ordinal);

        var resourceTypes = Members(root.GetProperty("resources"))
            .Select(resource => resource.GetProperty("type").GetString())
            .ToList();
        Assert.Contains("Microsoft.Resources/resourceGroups", resourceTypes);

        var outputs = root.GetProperty("outputs").EnumerateObject().Select(output => output.Name).ToList();
        Assert.Contains("AZURE_RESOURCE_GROUP", outputs);
        Assert.Contains("AZURE_STORAGE_ACCOUNT_NAME", outputs);
        Assert.Contains("AZURE_LOCATION", outputs);
        Assert.Contains("AZURE_FUNCTION_APP_NAME", outputs);
        Assert.Contains("AZURE_KEY_VAULT_NAME", outputs); // the postprovision hook reads it
        Assert.All(outputs, name => Assert.Matches("^[A-Z][A-Z0-9_]*$", name));
    }

    [Fact]
    public async Task No_storage_key_SAS_or_connection_string_appears_anywhere_and_the_host_connects_by_identity()
    {
        var (text, resources) = await CompiledAsync();

        foreach (var forbidden in new[] { "listKeys", "listAccountSas", "listServiceSas", "AccountKey", "DefaultEndpointsProtocol", "SharedAccessSignature", "primaryKey" })
        {
            Assert.DoesNotContain(forbidden, text, StringComparison.OrdinalIgnoreCase);
        }

        var settings = AppSettings(resources);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // the key-based form
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].GetString());
        foreach (var uri in new[] { "blobServiceUri", "queueServiceUri", "tableServiceUri", "clientId" })
        {
            Assert.True(settings.ContainsKey($"AzureWebJobsStorage__{uri}"), $"AzureWebJobsStorage__{uri} is missing");
        }

        // The product's own settings name what the code reads (Storage, OutboxRelay, BidSealing).
        Assert.True(settings.ContainsKey("EventGrid__TopicEndpoint") && settings.ContainsKey("EventGrid__ClientId"));
        Assert.False(settings.ContainsKey("EventGrid__Key"));
        Assert.Contains("@Microsoft.KeyVault(VaultName=", settings["Procurement__BidSealingKey"].GetString(), StringComparison.Ordinal);
        Assert.Contains("@Microsoft.KeyVault(VaultName=", settings["Procurement__PreviousBidSealingKey"].GetString(), StringComparison.Ordinal);
        Assert.Contains("SecretName=form-protection-key)", settings[FormProtection.KeySetting.Replace(":", "__", StringComparison.Ordinal)].GetString(), StringComparison.Ordinal);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_resource_refuses_keys_and_plain_http_and_the_app_runs_on_flex_consumption_with_its_own_identity()
    {
        var (_, resources) = await CompiledAsync();

        var storage = Single(resources, "Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());

        var plan = Single(resources, "Microsoft.Web/serverfarms").GetProperty("sku");
        Assert.Equal(("FlexConsumption", "FC1"), (plan.GetProperty("tier").GetString(), plan.GetProperty("name").GetString()));

        var app = Single(resources, "Microsoft.Web/sites");
        Assert.Equal("UserAssigned", app.GetProperty("identity").GetProperty("type").GetString());
        var site = app.GetProperty("properties");
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        var config = site.GetProperty("functionAppConfig");
        Assert.Equal(("dotnet-isolated", "10.0"), (config.GetProperty("runtime").GetProperty("name").GetString(), config.GetProperty("runtime").GetProperty("version").GetString()));
        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal(("blobContainer", "UserAssignedIdentity"), (deployment.GetProperty("type").GetString(), deployment.GetProperty("authentication").GetProperty("type").GetString()));
        Assert.Contains("maximumInstanceCount", config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetString(), StringComparison.Ordinal);
        Assert.Contains("instanceMemoryMB", config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetString(), StringComparison.Ordinal);
        Assert.All(resources.Where(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            policy => Assert.False(policy.GetProperty("properties").GetProperty("allow").GetBoolean()));

        var topic = Single(resources, "Microsoft.EventGrid/topics").GetProperty("properties");
        Assert.Equal("CloudEventSchemaV1_0", topic.GetProperty("inputSchema").GetString());
        Assert.True(topic.GetProperty("disableLocalAuth").GetBoolean());
        var subscription = Single(resources, "Microsoft.EventGrid/topics/eventSubscriptions").GetProperty("properties");
        Assert.Equal("StorageBlob", subscription.GetProperty("deadLetterWithResourceIdentity").GetProperty("deadLetterDestination").GetProperty("endpointType").GetString());

        Assert.True(Single(resources, "Microsoft.Insights/components").GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        Assert.True(Single(resources, "Microsoft.OperationalInsights/workspaces").GetProperty("properties").GetProperty("features").GetProperty("disableLocalAuth").GetBoolean());

        var vault = Single(resources, "Microsoft.KeyVault/vaults").GetProperty("properties");
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
    }

    /// <summary>What the code does in Azure, and the role on which resource that needs; nothing broader is given to the app.</summary>
    public static TheoryData<string, string, string> RolesTheCodeNeeds => new()
    {
        { "Microsoft.Storage/storageAccounts", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner: the host's leases, the durable engine's large messages, the deployment package" },
        { "Microsoft.Storage/storageAccounts", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor: the durable engine's queues and the product's (outbox-relay, closes, openings)" },
        { "Microsoft.Storage/storageAccounts", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor: the durable history and every table of the product" },
        { "Microsoft.EventGrid/topics", "d5a91429-5739-47e2-a06b-3470a27159e7", "EventGrid Data Sender: the outbox relay publishes domain events" },
        { "Microsoft.KeyVault/vaults", "4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User: the bid-sealing key, by Key Vault reference" },
        { "Microsoft.Insights/components", "3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher: telemetry with local auth off" },
    };

    [Theory]
    [MemberData(nameof(RolesTheCodeNeeds))]
    public async Task The_app_identity_holds_each_role_the_code_needs_on_that_resource_only(string scopeType, string roleId, string why)
    {
        var (_, resources) = await CompiledAsync();

        var granted = AppRoleAssignments(resources).Where(a => a.RoleIds.Contains(roleId)).ToList();

        Assert.True(granted.Count == 1, $"{why}: expected one assignment to the app's identity, found {granted.Count}");
        Assert.Contains(scopeType, granted[0].Scope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_identity_holds_no_role_beyond_those_the_code_needs()
    {
        var (_, resources) = await CompiledAsync();
        var needed = RolesTheCodeNeeds.Select(row => (string)row[1]).ToHashSet(StringComparer.Ordinal);

        const string durableTaskDataContributor = "0ad04412-c4d5-4796-b79c-f76d14c8d402";

        var granted = AppRoleAssignments(resources).SelectMany(a => a.RoleIds).ToList();

        Assert.All(granted.Where(role => role != durableTaskDataContributor), role => Assert.Contains(role, needed));
        Assert.Equal(needed.Count, granted.Where(role => role != durableTaskDataContributor).Distinct(StringComparer.Ordinal).Count());
        // Durable Task Data Contributor only with the managed backend: the scheduler's module is deployed on that condition alone.
        var scheduler = Assert.Single(resources, r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == "durabletask");
        Assert.Contains("parameters('durableBackend'), 'DurableTaskScheduler'", scheduler.GetProperty("condition").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_Service_Authentication_with_Entra_ID_is_on_and_the_app_roles_are_the_products_roles()
    {
        var (_, resources) = await CompiledAsync();

        var auth = resources.Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config" && r.GetProperty("name").GetString()!.Contains("authsettingsV2", StringComparison.Ordinal))
            .GetProperty("properties");
        Assert.True(auth.GetProperty("platform").GetProperty("enabled").GetBoolean());
        var entra = auth.GetProperty("identityProviders").GetProperty("azureActiveDirectory");
        Assert.True(entra.GetProperty("enabled").GetBoolean());
        Assert.Contains("authClientId", entra.GetProperty("registration").GetProperty("clientId").GetString(), StringComparison.Ordinal);
        Assert.True(auth.GetProperty("httpSettings").GetProperty("requireHttps").GetBoolean());

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(FindRepositoryRoot(), "infra", "entra-app-roles.json")));
        var values = manifest.RootElement.EnumerateArray().Select(r => r.GetProperty("value").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(Enum.GetValues<Role>().Select(RoleNames.Of).Order(StringComparer.Ordinal), values);
    }

    [Fact]
    public void Azd_deploys_the_Functions_project_after_provisioning_the_main_template()
    {
        var root = FindRepositoryRoot();
        var azure = File.ReadAllText(Path.Combine(root, "azure.yaml"));

        Assert.Contains("host: function", azure, StringComparison.Ordinal);
        var project = AzdProject().Match(azure).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(root, project, Path.GetFileName(project) + ".csproj")), $"azure.yaml names {project}, which has no project file");
        Assert.Contains("path: infra", azure, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "infra", "hooks", "postprovision.sh")));
        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "infra", "main.parameters.json")));
        var names = parameters.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("environmentName", names);
        Assert.Contains("location", names);
        Assert.Contains("principalId", names);
    }

    private static JsonElement Single(List<JsonElement> resources, string type) =>
        Assert.Single(resources, r => r.GetProperty("type").GetString() == type);

    private static Dictionary<string, JsonElement> AppSettings(List<JsonElement> resources)
    {
        var resource = resources.Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config" && r.GetProperty("name").GetString()!.Contains("appsettings", StringComparison.Ordinal));
        var variables = VariablesOf(resource);
        var settings = resource.GetProperty("properties");
        // union(storageSettings, productSettings, schedulerSettings): the variables hold the literal settings.
        var text = settings.ValueKind == JsonValueKind.String ? settings.GetString()! : settings.GetRawText();
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (Match variable in VariableReference().Matches(text))
        {
            if (variables.TryGetValue(variable.Groups[1].Value, out var value) && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in value.EnumerateObject())
                {
                    merged[property.Name] = property.Value;
                }
            }
        }

        return merged;
    }

    private sealed record RoleAssignment(string Scope, IReadOnlyList<string> RoleIds);

    /// <summary>The role assignments to the app's identity, each with its scope and the role ids it grants (literal or through variables).</summary>
    private static IEnumerable<RoleAssignment> AppRoleAssignments(List<JsonElement> resources) =>
        resources.Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
                && r.GetProperty("properties").GetProperty("principalId").GetString()!.Contains("parameters('appPrincipalId')", StringComparison.Ordinal))
            .Select(r =>
            {
                var text = r.GetRawText();
                var variables = VariablesOf(r);
                var ids = Guid().Matches(text).Select(m => m.Value).ToList();
                foreach (Match reference in RoleVariable().Matches(text))
                {
                    var value = variables[reference.Groups[1].Value];
                    ids.Add(reference.Groups[2].Success ? value.GetProperty(reference.Groups[2].Value).GetString()! : value.GetString()!);
                }

                // Role ids only: the guid() of a name is an expression, not a literal.
                return new RoleAssignment(r.GetProperty("scope").GetString()!, ids.Where(id => KnownRoles.Contains(id)).Distinct(StringComparer.Ordinal).ToList());
            });

    private static readonly HashSet<string> KnownRoles = new(StringComparer.Ordinal)
    {
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "d5a91429-5739-47e2-a06b-3470a27159e7", "4633458b-17de-408a-b874-0445c86b69e6",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "3913510d-42f4-4e42-8a64-420c390055eb", "0ad04412-c4d5-4796-b79c-f76d14c8d402",
    };

    private static readonly SemaphoreSlim Compiling = new(1, 1);
    private static (string Text, List<JsonElement> Resources, List<Dictionary<string, JsonElement>> Variables)? compiled;

    /// <summary>The variables of the module that declares <paramref name="resource"/> (modules reuse names such as <c>roles</c>).</summary>
    private static Dictionary<string, JsonElement> VariablesOf(JsonElement resource)
    {
        var (_, resources, variables) = compiled ?? throw new InvalidOperationException("Compile first.");
        var raw = resource.GetRawText();
        return variables[resources.FindIndex(r => r.GetRawText() == raw)];
    }

    /// <summary>main.bicep compiled once per run: its text, and every resource of every nested module, flattened.</summary>
    private static async Task<(string Text, List<JsonElement> Resources)> CompiledAsync()
    {
        await Compiling.WaitAsync();
        try
        {
            if (compiled is { } done)
            {
                return (done.Text, done.Resources);
            }

            var result = await RunBicepAsync("build", MainTemplate, "--stdout");
            Assert.True(result.ExitCode == 0, result.StandardError);
            var root = JsonDocument.Parse(result.StandardOutput).RootElement;
            var resources = new List<JsonElement>();
            var variables = new List<Dictionary<string, JsonElement>>();
            void Walk(JsonElement template)
            {
                var own = template.TryGetProperty("variables", out var vars)
                    ? vars.EnumerateObject().ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal)
                    : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var resource in Members(template.GetProperty("resources")))
                {
                    resources.Add(resource);
                    variables.Add(own);
                    if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
                    {
                        Walk(resource.GetProperty("properties").GetProperty("template"));
                    }
                }
            }

            Walk(root);
            compiled = (result.StandardOutput, resources, variables);
            return (result.StandardOutput, resources);
        }
        finally
        {
            Compiling.Release();
        }
    }

    [GeneratedRegex("variables\\('(\\w+)'\\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex("variables\\('(\\w+)'\\)(?:\\.(\\w+))?")]
    private static partial Regex RoleVariable();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"project:\s*\./(\S+)")]
    private static partial Regex AzdProject();

    [Fact]
    public async Task Main_template_and_its_modules_lint_without_warnings()
    {
        // bicep lint exits 0 on warnings and prints them to stderr; SARIF on stdout lists every one of them,
        // modules included, so the assertion is on the results, not the exit code alone.
        var result = await RunBicepAsync("lint", MainTemplate, "--diagnostics-format", "sarif");

        Assert.True(result.ExitCode == 0, $"bicep lint failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");

        using var sarif = JsonDocument.Parse(result.StandardOutput);
        var findings = sarif.RootElement.GetProperty("runs").EnumerateArray()
            .SelectMany(run => run.GetProperty("results").EnumerateArray())
            .Select(finding => $"{finding.GetProperty("ruleId").GetString()}: {finding.GetProperty("message").GetProperty("text").GetString()}")
            .ToList();
        Assert.True(findings.Count == 0, "bicep lint findings:\n" + string.Join('\n', findings));
    }

    private static IEnumerable<JsonElement> Members(JsonElement element) =>
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name, older ones in an array.
        element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray()
            : element.EnumerateObject().Select(property => property.Value);

    private static async Task<BicepResult> RunBicepAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(FindBicep())
        {
            WorkingDirectory = FindRepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var standardError = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new BicepResult(process.ExitCode, await standardOutput, await standardError);
    }

    private static string FindBicep()
    {
        var packagesRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packagesRoot))
        {
            packagesRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var bicep = Path.Combine(packagesRoot, BicepPackage, BicepVersion, "tools", "bicep");
        Assert.True(File.Exists(bicep), $"Bicep CLI not found at {bicep}; restore this project (its PackageDownload fetches it).");

        // NuGet extracts the package without guaranteeing the execute bit.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(bicep);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(bicep, mode | UnixFileMode.UserExecute);
            }
        }

        return bicep;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Serverless.sln above {AppContext.BaseDirectory}.");
    }

    private sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError);
}

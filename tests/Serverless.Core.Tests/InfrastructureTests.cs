using System.Diagnostics;
using System.Text.Json;

namespace Serverless.Core.Tests;

/// <summary>
/// Compiles and lints infra/main.bicep with the Bicep CLI that restore downloads (PackageDownload in this
/// project), so a template azd cannot deploy fails here rather than at `azd provision`. Offline: no registry modules.
/// </summary>
public sealed class InfrastructureTests
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
    }

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

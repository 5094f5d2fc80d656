using System.Text.Json;

namespace Serverless.Core.Tests;

/// <summary>
/// The Functions app declares its triggers in attributes; the DevHost maps the route table. These tests read
/// the functions.metadata the Functions build writes (what the Functions host itself loads) and prove it
/// declares exactly the table, so the two hosts cannot drift apart. Lists are compared as sorted strings so
/// a missing or extra function shows up by name in the failure.
/// </summary>
public sealed class FunctionsAppTests
{
    private static readonly Lazy<IReadOnlyList<DeclaredFunction>> Declared = new(ReadMetadata);

    [Fact]
    public void Every_http_function_matches_an_endpoint_of_the_route_table_by_name_method_and_route()
    {
        var expected = RouteTable.Http
            .Select(e => $"{e.Name} {e.Method.ToUpperInvariant()} {e.Route}");
        var declared = Triggers("httpTrigger")
            .Select(f => $"{f.Name} {Methods(f.Trigger)} {f.Trigger.GetProperty("route").GetString()}");

        Assert.Equal(Sorted(expected), Sorted(declared));
    }

    [Fact]
    public void Every_timer_function_matches_a_schedule_of_the_route_table_by_name_and_cron()
    {
        var expected = RouteTable.Schedules.Select(s => $"{s.Name} {s.Cron}");
        var declared = Triggers("timerTrigger")
            .Select(f => $"{f.Name} {f.Trigger.GetProperty("schedule").GetString()}");

        Assert.Equal(Sorted(expected), Sorted(declared));
    }

    [Fact]
    public void Every_queue_function_matches_a_queue_of_the_route_table_by_name_and_queue()
    {
        var expected = RouteTable.Queues.Select(q => $"{q.Name} {q.Queue}");
        var declared = Triggers("queueTrigger")
            .Select(f => $"{f.Name} {f.Trigger.GetProperty("queueName").GetString()}");

        Assert.Equal(Sorted(expected), Sorted(declared));
    }

    [Fact]
    public void Orchestration_and_activity_functions_are_exactly_those_of_the_route_table()
    {
        Assert.Equal(Sorted(RouteTable.Orchestrations), Sorted(Triggers("orchestrationTrigger").Select(f => f.Name)));
        Assert.Equal(Sorted(RouteTable.Activities), Sorted(Triggers("activityTrigger").Select(f => f.Name)));
    }

    [Fact]
    public void The_app_declares_no_function_outside_the_route_table()
    {
        // The per-kind tests only see the trigger types they ask for; a function of any other kind would slip past them.
        var expected = RouteTable.Http.Select(e => e.Name)
            .Concat(RouteTable.Schedules.Select(s => s.Name))
            .Concat(RouteTable.Queues.Select(q => q.Name))
            .Concat(RouteTable.Orchestrations)
            .Concat(RouteTable.Activities);

        Assert.Equal(Sorted(expected), Sorted(Declared.Value.Select(f => f.Name)));
    }

    [Fact]
    public void The_host_json_the_app_ships_serves_under_api_and_names_its_durable_task_hub()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "host.json")));
        var extensions = host.RootElement.GetProperty("extensions");

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal("api", extensions.GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(string.IsNullOrWhiteSpace(extensions.GetProperty("durableTask").GetProperty("hubName").GetString()),
            "host.json names no durable task hub (extensions.durableTask.hubName).");
    }

    private sealed record DeclaredFunction(string Name, JsonElement Trigger);

    private static IEnumerable<DeclaredFunction> Triggers(string type) =>
        Declared.Value.Where(f => f.Trigger.GetProperty("type").GetString() == type);

    private static List<string> Sorted(IEnumerable<string> items) => items.Order(StringComparer.Ordinal).ToList();

    // The metadata spells methods in the attribute's case (lowercase here); the route table in upper case.
    private static string Methods(JsonElement trigger) => string.Join(',',
        trigger.GetProperty("methods").EnumerateArray()
            .Select(m => m.GetString()!.ToUpperInvariant())
            .Order(StringComparer.Ordinal));

    private static List<DeclaredFunction> ReadMetadata()
    {
        // This test's output is tests/<project>/bin/<Configuration>/<TargetFramework>/; the Functions build
        // under the same configuration and framework (Directory.Build.props) writes beside its own binaries.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var path = Path.Combine(RepositoryRoot(), "functions", "Serverless.Functions", "bin", configuration, framework, "functions.metadata");
        Assert.True(File.Exists(path),
            $"No {path}: build functions/Serverless.Functions -c {configuration} (this project references it so that its build does).");

        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        return metadata.RootElement.EnumerateArray()
            .Select(function => new DeclaredFunction(
                function.GetProperty("name").GetString()!,
                function.GetProperty("bindings").EnumerateArray()
                    .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
                    .Clone()))
            .ToList();
    }

    private static string RepositoryRoot()
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
}

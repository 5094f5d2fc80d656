using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;

namespace Serverless.Integration.Tests.Harness;

/// <summary>
/// The DevHost as its own process, exactly as a developer runs it, over the shared Azurite. Restart tests
/// kill it with SIGKILL and start it again on the same task hub and tables.
/// </summary>
public sealed class DevHostProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> settings;
    private readonly ConcurrentQueue<string> output = new();
    private Process? process;

    private DevHostProcess(Dictionary<string, string> settings)
    {
        this.settings = settings;
    }

    public int Port => int.Parse(settings["DevHost__Port"], CultureInfo.InvariantCulture);

    public ApiClient Client { get; private set; } = null!;

    public string StoragePrefix => settings["Storage__Prefix"];

    public string ConnectionString => settings["Storage__ConnectionString"];

    /// <summary>The durable engine's task hub (its tables are named after it).</summary>
    public string TaskHub => settings["Durable__TaskHub"];

    /// <summary>Time from process start to the first healthy answer, for the notes (not asserted).</summary>
    public TimeSpan LastStartup { get; private set; }

    public string Output => string.Join(Environment.NewLine, output);

    /// <summary>The running DevHost's process id (the benchmarks read its memory), or null when it is not running.</summary>
    public int? ProcessId => process is { HasExited: false } ? process.Id : null;

    public static async Task<DevHostProcess> StartAsync(string environment = "Development", IDictionary<string, string>? extra = null)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["DOTNET_ENVIRONMENT"] = environment,
            ["Storage__ConnectionString"] = await Azurite.ConnectionStringAsync(),
            ["Storage__Prefix"] = "t" + id,
            ["Durable__TaskHub"] = "Hub" + id,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Serverless"] = "Information",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var host = new DevHostProcess(settings);

        // A port found free may be taken by another test's process before this one binds it (tests run in
        // parallel): then the DevHost exits with "address already in use", and it is started on another.
        for (var attempt = 1; ; attempt++)
        {
            settings["DevHost__Port"] = Repository.FreePort().ToString(CultureInfo.InvariantCulture);
            settings["DevHost__GrpcPort"] = Repository.FreePort().ToString(CultureInfo.InvariantCulture);
            host.Client?.Dispose();
            host.Client = new ApiClient(new Uri($"http://127.0.0.1:{host.Port}/api/"), () => host.Output);
            try
            {
                await host.StartAgainAsync();
                return host;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                host.output.Clear();
            }
        }
    }

    /// <summary>Starts the process (again) with the same settings, and waits for a healthy answer.</summary>
    public async Task StartAgainAsync()
    {
        var dir = Path.Combine(Repository.Root, "functions", "Serverless.DevHost", "bin", Repository.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(dir, "Serverless.DevHost.dll"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var watch = Stopwatch.StartNew();
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The DevHost exited with {process.ExitCode}:{Environment.NewLine}{Output}");
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"The DevHost was not healthy within 60 s:{Environment.NewLine}{Output}");
            }

            // Healthy, and from this process: its own log says it listens on the port (another test's
            // DevHost that took the port would answer the health check too).
            if (Output.Contains($"listening on http://127.0.0.1:{Port}/api", StringComparison.Ordinal) && await Client.IsHealthyAsync())
            {
                LastStartup = watch.Elapsed;
                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The product's storage as this DevHost sees it (its Azurite, its table prefix): for tests that read or tamper behind its back.</summary>
    public Storage Storage() => Azurite.Storage(ConnectionString, StoragePrefix);

    /// <summary>A crash: SIGKILL, no chance to release leases or finish anything.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        Client.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 400)
        {
            output.TryDequeue(out _);
        }
    }
}

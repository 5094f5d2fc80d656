using System.Diagnostics;
using System.Net.Sockets;

namespace Serverless.DevHost;

/// <summary>
/// Starts Azurite from the repository's pinned npm package when no storage answers on the configured
/// endpoints, and stops it when the DevHost stops. Storage that is already running is used as it is.
/// </summary>
internal sealed partial class AzuriteLauncher : IAsyncDisposable
{
    private readonly Process process;

    private AzuriteLauncher(Process process) => this.process = process;

    public static async Task<AzuriteLauncher?> EnsureAsync(string connectionString, ILogger logger, CancellationToken cancellation)
    {
        var endpoints = Endpoints(connectionString);
        if (endpoints is null)
        {
            return null; // not Azurite: a real account, nothing to start
        }

        if (await AllReachableAsync(endpoints.Value, cancellation))
        {
            Log.UsingRunningStorage(logger, endpoints.Value.Blob.Port);
            return null;
        }

        var root = RepositoryRoot()
            ?? throw new InvalidOperationException("Storage is not reachable and no package.json pinning Azurite was found above the DevHost: start Azurite yourself.");
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            Log.InstallingAzurite(logger, root);
            await RunAsync("npm", File.Exists(Path.Combine(root, "package-lock.json")) ? "ci --no-audit --no-fund" : "install --no-audit --no-fund", root, cancellation);
        }

        var data = Path.Combine(root, ".azurite");
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            script, "--silent", "--skipApiVersionCheck", "--loose", "--location", data,
            "--blobHost", "127.0.0.1", "--blobPort", endpoints.Value.Blob.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", endpoints.Value.Queue.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", endpoints.Value.Table.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Log.AzuriteSaid(logger, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var launcher = new AzuriteLauncher(process);
        while (!await AllReachableAsync(endpoints.Value, cancellation))
        {
            if (process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                await launcher.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not start (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100, cancellation);
        }

        Log.StartedAzurite(logger, process.Id, watch.ElapsedMilliseconds, data);
        return launcher;
    }

    /// <summary>Azurite closes its ports on SIGTERM but may not exit: ask, wait briefly, then kill.</summary>
    public async ValueTask DisposeAsync()
    {
        if (process.HasExited)
        {
            process.Dispose();
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private static (Uri Blob, Uri Queue, Uri Table)? Endpoints(string connectionString)
    {
        if (connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return (new Uri("http://127.0.0.1:10000"), new Uri("http://127.0.0.1:10001"), new Uri("http://127.0.0.1:10002"));
        }

        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("BlobEndpoint", out var blob) || !parts.TryGetValue("QueueEndpoint", out var queue)
            || !parts.TryGetValue("TableEndpoint", out var table))
        {
            return null;
        }

        var uris = (new Uri(blob), new Uri(queue), new Uri(table));
        return uris.Item1.IsLoopback && uris.Item2.IsLoopback && uris.Item3.IsLoopback ? uris : null;
    }

    private static async Task<bool> AllReachableAsync((Uri Blob, Uri Queue, Uri Table) endpoints, CancellationToken cancellation) =>
        await ReachableAsync(endpoints.Blob, cancellation) && await ReachableAsync(endpoints.Queue, cancellation)
        && await ReachableAsync(endpoints.Table, cancellation);

    private static async Task<bool> ReachableAsync(Uri endpoint, CancellationToken cancellation)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var package = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(package) && File.ReadAllText(package).Contains("\"azurite\"", StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static async Task RunAsync(string file, string arguments, string directory, CancellationToken cancellation)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory })
            ?? throw new InvalidOperationException($"Could not run {file}.");
        await process.WaitForExitAsync(cancellation);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {arguments}' failed with exit code {process.ExitCode}.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Using the storage already listening (blob port {Port}).")]
        public static partial void UsingRunningStorage(ILogger logger, int port);

        [LoggerMessage(Level = LogLevel.Information, Message = "Installing the pinned Azurite with npm in {Root}.")]
        public static partial void InstallingAzurite(ILogger logger, string root);

        [LoggerMessage(Level = LogLevel.Information, Message = "Started Azurite (pid {Pid}) in {Milliseconds} ms, data in {Data}.")]
        public static partial void StartedAzurite(ILogger logger, int pid, long milliseconds, string data);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Azurite: {Line}")]
        public static partial void AzuriteSaid(ILogger logger, string line);
    }
}

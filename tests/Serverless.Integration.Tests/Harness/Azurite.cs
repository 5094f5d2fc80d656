using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;

namespace Serverless.Integration.Tests.Harness;

/// <summary>
/// One Azurite for the whole test run, on free ports, in memory, started from the repository's pinned npm
/// package. Each DevHost under test gets its own table/queue prefix and task hub inside it.
/// </summary>
internal static class Azurite
{
    private static readonly Lazy<Task<string>> Started = new(StartAsync);
    private static Process? process;

    public static Task<string> ConnectionStringAsync() => Started.Value;

    /// <summary>The product's storage on this Azurite under a table and queue prefix: a DevHost's, or a test's own.</summary>
    public static Storage Storage(string connectionString, string prefix) => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Storage:ConnectionString"] = connectionString,
        ["Storage:Prefix"] = prefix,
    }).Build());

    /// <summary>Storage of a test's own, under a fresh prefix beginning <paramref name="name"/>: no DevHost shares it.</summary>
    public static async Task<Storage> OwnStorageAsync(string name) =>
        Storage(await ConnectionStringAsync(), name + Guid.NewGuid().ToString("N")[..8]);

    private static async Task<string> StartAsync()
    {
        var script = Path.Combine(Repository.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            // A fresh clone: install the pinned Azurite, as the DevHost does, so 'dotnet test' alone works.
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = Repository.Root })!;
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0 || !File.Exists(script))
            {
                throw new InvalidOperationException("Could not install Azurite with 'npm ci' at the repository root.");
            }
        }

        var (blob, queue, table) = (Repository.FreePort(), Repository.FreePort(), Repository.FreePort());
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            script, "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent",
            "--blobPort", Port(blob), "--queuePort", Port(queue), "--tablePort", Port(table),
        })
        {
            start.ArgumentList.Add(arg);
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        };

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in new[] { blob, queue, table })
        {
            while (!await ListensAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("Azurite did not start.");
                }

                await Task.Delay(100);
            }
        }

        const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;"
            + $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Serverless.Benchmarks;

/// <summary>
/// Runs operations at a fixed concurrency (each worker starts the next as soon as its last one ends) and keeps
/// their latencies, their failures and the elapsed time: the load of a district's busy hour, driven from here.
/// </summary>
public static class LoadDriver
{
    public sealed record Outcome(int Done, int Failed, TimeSpan Elapsed, Latencies Latencies, string? FirstFailure)
    {
        public double PerSecond => Done / Elapsed.TotalSeconds;
    }

    public static async Task<Outcome> RunAsync(int count, int concurrency, Func<int, Task<HttpStatusCode?>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var latencies = new Latencies();
        var next = -1;
        var failed = 0;
        string? firstFailure = null;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await operation(i);
                if (status is null or >= HttpStatusCode.BadRequest)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, $"#{i.ToString(CultureInfo.InvariantCulture)}: {status?.ToString() ?? "exception"}", null);
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started));
            }
        }).ToList();
        await Task.WhenAll(workers);
        return new Outcome(count - failed, failed, watch.Elapsed, latencies, firstFailure);
    }
}

/// <summary>A process's resident memory, sampled while a load runs (Linux: /proc/&lt;pid&gt;/status).</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;

    public MemorySampler(int processId)
    {
        sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (ResidentMegabytes(processId) is { } mb && mb > PeakMegabytes)
                {
                    PeakMegabytes = mb;
                }

                try
                {
                    await Task.Delay(250, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public double PeakMegabytes { get; private set; }

    public static double? ResidentMegabytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
    }
}

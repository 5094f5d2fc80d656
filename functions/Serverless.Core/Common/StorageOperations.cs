using Azure.Core;
using Azure.Core.Pipeline;

namespace Serverless.Core.Common;

/// <summary>
/// Counts the product's storage operations: every request its table and queue clients send (a retry is another,
/// as Azure bills it). Storage operations are what the product costs in Azure, so the benchmarks count them per
/// business operation. On when <c>Storage:CountOperations</c> is true (the benchmarks' DevHost); then each HTTP
/// reply says how many its handler caused (<see cref="Header"/>), and <c>/api/health</c> gives the process's total.
/// The durable engine's own storage traffic (its queues, history and leases) goes through its own clients and is
/// not counted here.
/// </summary>
public sealed class StorageOperations : HttpPipelinePolicy
{
    public const string Setting = "Storage:CountOperations";

    public const string Header = "X-Storage-Operations";

    private static readonly AsyncLocal<Tally?> Current = new();

    private long total;

    /// <summary>Every operation of this process's clients since it started.</summary>
    public long Total => Interlocked.Read(ref total);

    /// <summary>Counts, until disposed, the operations made by the code that runs in this async flow (a request's handler).</summary>
    public static Tally Begin() => Current.Value = new Tally();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count();
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count();
        return ProcessNextAsync(message, pipeline);
    }

    private void Count()
    {
        Interlocked.Increment(ref total);
        if (Current.Value is { } tally)
        {
            tally.Add();
        }
    }

    /// <summary>The operations of one flow.</summary>
    public sealed class Tally : IDisposable
    {
        private long count;

        public long Count => Interlocked.Read(ref count);

        internal void Add() => Interlocked.Increment(ref count);

        public void Dispose()
        {
            if (ReferenceEquals(Current.Value, this))
            {
                Current.Value = null;
            }
        }
    }
}

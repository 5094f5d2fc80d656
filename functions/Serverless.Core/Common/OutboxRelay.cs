using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Common;

/// <summary>Where relayed events go.</summary>
public interface IEventPublisher
{
    /// <summary>What <c>PublishedTo</c> records: the topic's host, or <c>local</c>.</summary>
    string Destination { get; }

    /// <summary>Publishes the events, all or none (throws on failure; the rows then stay pending).</summary>
    Task PublishAsync(IReadOnlyList<DomainEvent> events, CancellationToken cancellation);
}

/// <summary>
/// An Event Grid topic (CloudEvents 1.0 schema): <c>EventGrid:TopicEndpoint</c>, with <c>EventGrid:Key</c> (an
/// access key; plain http works, as a local test receiver needs) or, without a key, the app's managed identity
/// (https only; the identity needs the EventGrid Data Sender role on the topic).
/// </summary>
public sealed class EventGridEventPublisher : IEventPublisher
{
    private readonly EventGridPublisherClient client;

    public EventGridEventPublisher(Uri endpoint, string? key, string? managedIdentityClientId)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var options = new EventGridPublisherClientOptions();
        options.Retry.MaxRetries = 2; // the relay's queue retries with backoff beyond that
        client = key is { Length: > 0 }
            ? new EventGridPublisherClient(endpoint, new AzureKeyCredential(key), options)
            : new EventGridPublisherClient(endpoint, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = managedIdentityClientId }), options);
        Destination = endpoint.Host;
    }

    public string Destination { get; }

    public async Task PublishAsync(IReadOnlyList<DomainEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(events);
        var cloudEvents = events.Select(e => new CloudEvent(e.Source, e.Type, BinaryData.FromString(e.Data), "application/json", CloudEventDataFormat.Json)
        {
            Id = e.Id,
            Subject = e.Subject,
            Time = e.Time,
        });
        await client.SendEventsAsync(cloudEvents, cancellation);
    }
}

/// <summary>
/// No topic configured (the DevHost by default): events are recorded as published to <c>local</c>, where the
/// product's own readers (the outbox's list, tests) see them. Never used in Azure: there a missing topic is an
/// error, and events wait in the outbox until it is configured.
/// </summary>
public sealed class LocalEventPublisher : IEventPublisher
{
    public string Destination => "local";

    public Task PublishAsync(IReadOnlyList<DomainEvent> events, CancellationToken cancellation) => Task.CompletedTask;
}

/// <summary>In Azure without a topic: refuses to publish, so nothing is marked published that was not.</summary>
public sealed class MissingEventPublisher : IEventPublisher
{
    public string Destination => "none";

    public Task PublishAsync(IReadOnlyList<DomainEvent> events, CancellationToken cancellation) =>
        throw new InvalidOperationException("No Event Grid topic is configured (EventGrid:TopicEndpoint); events wait in the outbox.");
}

public static class EventPublishers
{
    public static IEventPublisher Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration["EventGrid:TopicEndpoint"];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            return new EventGridEventPublisher(new Uri(endpoint), configuration["EventGrid:Key"], configuration["EventGrid:ClientId"]);
        }

        return PlatformAuthentication.InAzure(name => configuration[name]) ? new MissingEventPublisher() : new LocalEventPublisher();
    }
}

/// <summary>
/// Publishes outbox rows and marks them. Asked promptly through the relay queue after every write, and by the
/// every-minute sweep for anything a lost message or a failed publish left behind. A row is marked only after
/// its event was accepted; a failure leaves it pending, to be tried again with the queue's backoff and by the
/// sweep, never dropped. A row published twice (a crash between the publish and the mark) sends the same event
/// id, which is what subscribers deduplicate on.
/// </summary>
public sealed partial class OutboxRelay(Storage storage, IEventPublisher publisher, TimeProvider clock, ILogger<OutboxRelay> logger)
{
    private const int BatchSize = 50;

    /// <summary>
    /// Publishes the partition's pending events; how many. (Its pending mark is the sweep's to clear.) The pending
    /// pointers say which events those are; <paramref name="everyRow"/> (the sweep's) also reads every outbox row of
    /// the partition, for an event whose pointer is gone while it is still unpublished (written before pointers).
    /// </summary>
    public async Task<int> RelayAsync(string tableName, string partition, bool everyRow = false, CancellationToken cancellation = default)
    {
        if (!Outbox.Tables.Contains(tableName, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"'{tableName}' holds no outbox rows.");
        }

        // One relay of a partition at a time in this process: two that read the same pointers before either removed
        // them would publish the same events twice (same ids, but noise for subscribers). The gates are striped, a
        // fixed number whatever the partitions a process relays (a volunteer's, a request's: hundreds of thousands);
        // two partitions on one stripe only take turns.
        var gate = Gates[(int)((uint)StringComparer.Ordinal.GetHashCode(Outbox.PendingRow(tableName, partition)) % (uint)Gates.Length)];
        await gate.WaitAsync(cancellation);
        try
        {
            return await RelayOnceAsync(tableName, partition, everyRow, cancellation);
        }
        finally
        {
            gate.Release();
        }
    }

    private static readonly SemaphoreSlim[] Gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    private async Task<int> RelayOnceAsync(string tableName, string partition, bool everyRow, CancellationToken cancellation)
    {
        var table = await storage.TableAsync(tableName, cancellation);
        var pending = new Dictionary<string, DomainEvent>(StringComparer.Ordinal);
        await foreach (var pointer in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {Outbox.PendingPrefix} and RowKey lt {Outbox.PendingEnd}"), cancellationToken: cancellation))
        {
            var evt = Documents.FromEntity<DomainEvent>(pointer);
            pending[evt.Id] = evt;
        }

        var unpointed = new HashSet<string>(StringComparer.Ordinal);
        if (everyRow)
        {
            await foreach (var row in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {Outbox.RowPrefix} and RowKey lt {Outbox.RowEnd}"), cancellationToken: cancellation))
            {
                if (!row.ContainsKey(Outbox.PublishedAtColumn) && Documents.FromEntity<DomainEvent>(row) is var evt && pending.TryAdd(evt.Id, evt))
                {
                    unpointed.Add(evt.Id);
                }
            }
        }

        foreach (var batch in pending.Values.Chunk(BatchSize))
        {
            await publisher.PublishAsync(batch, cancellation);
            var now = clock.GetUtcNow();
            TableEntity Mark(DomainEvent e) => new(partition, Outbox.RowPrefix + e.Id)
            {
                [Outbox.PublishedAtColumn] = now,
                [Outbox.PublishedToColumn] = publisher.Destination,
            };

            // Marked and unpointed together, one batch for up to 50 events (a pointer goes only with its mark, so a
            // crash between the publish and this batch publishes them again, with the same ids).
            var actions = batch.SelectMany(e => unpointed.Contains(e.Id)
                ? new[] { new TableTransactionAction(TableTransactionActionType.UpdateMerge, Mark(e)) }
                : [new TableTransactionAction(TableTransactionActionType.UpdateMerge, Mark(e)),
                   new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, Outbox.PendingPrefix + e.Id), ETag.All)]).ToList();
            try
            {
                await table.SubmitTransactionAsync(actions, cancellation);
            }
            catch (TableTransactionFailedException e) when (e.Status is 404)
            {
                // A relay running at the same time removed some pointers first: the rest one by one.
                foreach (var action in actions)
                {
                    try
                    {
                        await table.SubmitTransactionAsync([action], cancellation);
                    }
                    catch (TableTransactionFailedException one) when (one.Status is 404)
                    {
                    }
                }
            }
        }

        return pending.Count;
    }

    /// <summary>
    /// Relays every partition with a pending mark, then clears each mark old enough that no write can still be
    /// on its way; how many events. The marks are read before the partitions: a write marked after this read
    /// changes its mark's ETag, and the mark then stays for the next sweep.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellation = default)
    {
        var relayed = 0;
        var outbox = await storage.TableAsync(TableNames.Outbox, cancellation);
        var marks = new List<TableEntity>();
        var now = clock.GetUtcNow();
        await foreach (var mark in outbox.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Outbox.PendingPartition}"),
            select: ["PartitionKey", "RowKey", "Table", "Partition", "At"], cancellationToken: cancellation))
        {
            if (mark.GetDateTimeOffset("At") is not { } at || now - at >= Outbox.SweepAfter)
            {
                marks.Add(mark);
            }
        }

        foreach (var mark in marks)
        {
            var (tableName, partition) = (mark.GetString("Table"), mark.GetString("Partition"));
            try
            {
                relayed += await RelayAsync(tableName, partition, everyRow: true, cancellation);
                if (mark.GetDateTimeOffset("At") is { } at && now - at >= Outbox.PendingGrace)
                {
                    await ClearAsync(outbox, mark, cancellation);
                }
            }
            catch (Exception e) when (e is RequestFailedException or InvalidOperationException)
            {
                // One partition's failure must not hold back the others; it stays pending for the next sweep.
                SweepFailed(logger, e, tableName, partition);
            }
        }

        return relayed;
    }

    private static async Task ClearAsync(TableClient outbox, TableEntity mark, CancellationToken cancellation)
    {
        try
        {
            await outbox.DeleteEntityAsync(mark.PartitionKey, mark.RowKey, mark.ETag, cancellation);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Cleared by another sweep, or marked again by a newer write: that one keeps it.
        }
    }

    /// <summary>The relay queue's handler: publish the partition named (idempotent: published rows are skipped).</summary>
    public static async Task RelayOutbox(JobContext job, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ApiJson.Deserialize<RelayRequest>(message);
        await job.Service<OutboxRelay>().RelayAsync(request.Table, request.Partition, cancellation: job.Cancellation);
    }

    /// <summary>The schedule's handler: the safety net behind the queue.</summary>
    public static Task RelayPendingEvents(JobContext job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Service<OutboxRelay>().SweepAsync(job.Cancellation);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox sweep could not relay {Table}/{Partition}; it stays pending.")]
    private static partial void SweepFailed(ILogger logger, Exception exception, string table, string partition);
}

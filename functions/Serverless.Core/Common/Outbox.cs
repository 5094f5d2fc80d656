using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>A domain event as CloudEvents 1.0 describes it; <see cref="Id"/> is stable, so consumers deduplicate on it.</summary>
public sealed record DomainEvent(string Id, string Type, string Source, string Subject, DateTimeOffset Time, string Data);

/// <summary>Which partition of which table holds outbox rows to relay: the message of the relay queue.</summary>
public sealed record RelayRequest(string Table, string Partition);

/// <summary>
/// Domain events waiting to be relayed to Event Grid. A row's key is the event's id, derived from what caused
/// it, so a step that runs twice records its event once. Each row is an outbox row (<see cref="RowPrefix"/>):
/// pending until the relay marks it published (<c>PublishedAt</c>). Writing one also asks the relay, through a
/// queue, to publish the partition at once; the every-minute sweep publishes whatever that message missed.
/// </summary>
public sealed class Outbox(Storage storage, TimeProvider clock)
{
    /// <summary>Outbox rows sort after documents (and before the audit trail's '~audit|').</summary>
    public const string RowPrefix = "~outbox|";

    /// <summary>The first key after every outbox row ('}' follows '|'): the end of their key range.</summary>
    public const string RowEnd = "~outbox}";

    public const string PublishedAtColumn = "PublishedAt";
    public const string PublishedToColumn = "PublishedTo";
    public const string RelayQueue = "outbox-relay";

    /// <summary>
    /// The tables that hold outbox rows, which the sweep reads: the <c>Outbox</c> table for events written on
    /// their own (reminders, and steps not yet moved into their change's batch), and the tables whose writes
    /// carry their events in the same batch (<see cref="Actions"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> Tables = [TableNames.Outbox, TableNames.ServiceRequests, TableNames.Challenges, TableNames.Contracts];

    public async Task AddAsync(string source, string type, string idWithinSource, string subject, object data, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Outbox, cancellation);
        var evt = Event(source, type, idWithinSource, subject, data);
        // False when an earlier run of the same step recorded it; the relay is asked again all the same (a
        // crash may have come between the row and the message).
        await table.TryAddAsync(Row(PartitionOf(source), evt), cancellation);
        await RequestRelayAsync(TableNames.Outbox, PartitionOf(source), cancellation);
    }

    /// <summary>The event, with its id derived from its source, type and what within the source caused it.</summary>
    public DomainEvent Event(string source, string type, string idWithinSource, string subject, object data)
    {
        var json = ApiJson.Serialize(data);
        EventCatalogue.RequireKnown(type, json);
        return new DomainEvent(Ids.Derive("evt", source, type, idWithinSource), type, source, subject, clock.GetUtcNow(), json);
    }

    /// <summary>The outbox row of an event in a partition: insert it in the same batch as the change it announces.</summary>
    public static TableEntity Row(string partition, DomainEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return Documents.ToEntity(partition, RowPrefix + evt.Id, evt, new Dictionary<string, object?> { ["Type"] = evt.Type, ["Source"] = evt.Source });
    }

    /// <summary>
    /// The outbox rows of events for a change's batch, in the change's partition: the change and its events are
    /// stored together or not at all. Upserted (merged), so a step that writes again keeps a published mark.
    /// </summary>
    public static IEnumerable<TableTransactionAction> Actions(string partition, IEnumerable<DomainEvent> events) =>
        events.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, Row(partition, e)));

    /// <summary>Asks the relay to publish a partition's pending rows now. Losing this message loses nothing: the sweep finds them.</summary>
    public async Task RequestRelayAsync(string table, string partition, CancellationToken cancellation = default)
    {
        try
        {
            await storage.SendAsync(RelayQueue, ApiJson.Serialize(new RelayRequest(table, partition)), cancellation);
        }
        catch (RequestFailedException)
        {
            // The row is written; the sweep relays it within a minute.
        }
    }

    /// <summary>The events of a source in time order, published or not, wherever their rows live.</summary>
    public async Task<List<DomainEvent>> ListAsync(string source, CancellationToken cancellation = default)
    {
        var events = new List<DomainEvent>();
        foreach (var name in Tables)
        {
            var table = await storage.TableAsync(name, cancellation);
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
                $"Source eq {source} and RowKey ge {RowPrefix} and RowKey lt {RowEnd}"), cancellationToken: cancellation))
            {
                events.Add(Documents.FromEntity<DomainEvent>(row));
            }
        }

        return events.OrderBy(e => e.Time).ToList();
    }

    // Table keys cannot hold '/', which CloudEvents sources do.
    private static string PartitionOf(string source) => source.Replace('/', '|');
}

using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>A domain event as CloudEvents 1.0 describes it; <see cref="Id"/> is stable, so consumers deduplicate on it.</summary>
public sealed record DomainEvent(string Id, string Type, string Source, string Subject, DateTimeOffset Time, string Data);

/// <summary>Which partition of which table holds outbox rows to relay: the message of the relay queue.</summary>
public sealed record RelayRequest(string Table, string Partition);

/// <summary>
/// Domain events waiting to be relayed to Event Grid. A row's key is the event's id, derived from what caused
/// it, so a step that runs twice records its event once. An event's row is written in the same batch as the
/// change it announces, in the aggregate's own partition (<see cref="CommitAsync{T}"/>), so the two are stored
/// together or not at all; events with no change of their own (reminders) go to the <c>Outbox</c> table.
/// <para>
/// Before such a write, a small pending mark for its table and partition goes to the <c>Outbox</c> table's
/// <see cref="PendingPartition"/>; after it, a queue message asks the relay to publish the partition at once.
/// The every-minute sweep reads only the marks, never the tables (a scan of the ledger or the offers would grow
/// with the district), so its work is the recent writes: it relays whatever a lost message or a failed publish
/// left behind, and clears the marks old enough that no write can still be on its way.
/// </para>
/// </summary>
public sealed class Outbox(Storage storage, TimeProvider clock)
{
    /// <summary>Outbox rows sort after documents (and before the audit trail's '~audit|').</summary>
    public const string RowPrefix = "~outbox|";

    /// <summary>The first key after every outbox row ('}' follows '|'): the end of their key range.</summary>
    public const string RowEnd = "~outbox}";

    /// <summary>
    /// A pointer per unpublished event, written in the same batch as its outbox row and deleted once the event is
    /// published: the relay reads this range, which holds only what is pending, instead of every event a
    /// partition ever had (a round's partition gathers 10,000 ApplicationSubmitted rows).
    /// </summary>
    public const string PendingPrefix = "~pending|";

    /// <summary>The first key after every pending pointer.</summary>
    public const string PendingEnd = "~pending}";

    public const string PublishedAtColumn = "PublishedAt";
    public const string PublishedToColumn = "PublishedTo";
    public const string RelayQueue = "outbox-relay";

    /// <summary>The partition of the <c>Outbox</c> table holding one pending mark per table and partition with events to relay.</summary>
    public const string PendingPartition = "pending";

    /// <summary>
    /// A mark younger than this is kept after the sweep relayed its partition: the write it announces may still be
    /// on its way (marked, not yet stored), and its own relay message may be lost in a crash; the sweep clears
    /// it on a later turn. Longer than any write's retries take.
    /// </summary>
    public static readonly TimeSpan PendingGrace = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The sweep leaves a mark younger than this to the relay message its write just sent: relaying it at the
    /// same moment would only publish the same events twice (harmless, same ids, but noise for subscribers).
    /// </summary>
    public static readonly TimeSpan SweepAfter = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The tables that hold outbox rows, which the relay may be asked to read (a queue message naming another is
    /// refused): the <c>Outbox</c> table for events written on their own, and the tables whose writes carry their
    /// events in the same batch.
    /// </summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        TableNames.Outbox, TableNames.Rounds, TableNames.Applications, TableNames.Results, TableNames.Grants,
        TableNames.Tenders, TableNames.Evaluations, TableNames.Awards, TableNames.Challenges, TableNames.Contracts,
        TableNames.ServiceRequests, TableNames.Offers, TableNames.Ledger, TableNames.Pairings,
    ];

    /// <summary>
    /// Writes a change with its events: marks the partition pending, runs <paramref name="write"/> with the
    /// events' outbox rows (which it must put in the change's own batch, in <paramref name="partition"/>), then
    /// asks the relay to publish. Without events it is just the write.
    /// </summary>
    public static async Task<T> CommitAsync<T>(Storage storage, string table, string partition, IReadOnlyList<DomainEvent> events,
        Func<IReadOnlyList<TableTransactionAction>, Task<T>> write, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(write);
        if (events.Count == 0)
        {
            return await write([]);
        }

        await MarkPendingAsync(storage, table, partition, cancellation);
        var result = await write(Actions(partition, events).ToList());
        await RequestRelayAsync(storage, table, partition, cancellation);
        return result;
    }

    /// <inheritdoc cref="CommitAsync{T}"/>
    public static Task CommitAsync(Storage storage, string table, string partition, IReadOnlyList<DomainEvent> events,
        Func<IReadOnlyList<TableTransactionAction>, Task> write, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return CommitAsync(storage, table, partition, events, async rows =>
        {
            await write(rows);
            return true;
        }, cancellation);
    }

    /// <summary>Records that a partition may hold events to relay, before they are written (a write that then fails leaves a mark the sweep clears).</summary>
    private static async Task MarkPendingAsync(Storage storage, string table, string partition, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!Tables.Contains(table, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"'{table}' is not an outbox table (Outbox.Tables).");
        }

        // A mark this process wrote moments ago still stands: only the sweep removes marks, and only ones older
        // than PendingGrace. Under load (a round's partition taking an application every few milliseconds) one
        // mark every MarkEvery does, and stays younger than SweepAfter, so the sweep still leaves the partition to
        // the prompt relay.
        var now = DateTimeOffset.UtcNow;
        var marked = RecentMarks.GetOrCreateValue(storage);
        var key = PendingRow(table, partition);
        if (marked.TryGet(key, MarkEvery, now, out _))
        {
            return;
        }

        var outbox = await storage.TableAsync(TableNames.Outbox, cancellation);
        await outbox.UpsertEntityAsync(new TableEntity(PendingPartition, key)
        {
            ["Table"] = table,
            ["Partition"] = partition,
            ["At"] = now,
        }, TableUpdateMode.Replace, cancellation);
        marked.Keep(key, true, now);
    }

    /// <summary>How long after a write its relay runs, and so how long writes of one partition share a relay message.</summary>
    public static readonly TimeSpan RelayDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a mark this process wrote is trusted to stand without being written again.</summary>
    public static readonly TimeSpan MarkEvery = TimeSpan.FromSeconds(10);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Storage, Recent<bool>> RecentMarks = new();

    public static string PendingRow(string table, string partition) => $"{table}|{partition}";

    public async Task AddAsync(string source, string type, string idWithinSource, string subject, object data, CancellationToken cancellation = default)
    {
        var evt = Event(source, type, idWithinSource, subject, data);
        // Not added when an earlier run of the same step recorded it; the relay is asked again all the same (a
        // crash may have come between the row and the message).
        await CommitAsync(storage, TableNames.Outbox, PartitionOf(source), [evt], async _ =>
        {
            var table = await storage.TableAsync(TableNames.Outbox, cancellation);
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, Row(PartitionOf(source), evt)),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, PendingPointer(PartitionOf(source), evt)),
                ], cancellation);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Recorded by an earlier run of the same step, with its pointer.
            }
        }, cancellation);
    }

    /// <summary>The event, with its id derived from its source, type and what within the source caused it.</summary>
    public DomainEvent Event(string source, string type, string idWithinSource, string subject, object data)
    {
        var json = ApiJson.Serialize(data);
        EventCatalogue.RequireKnown(type, json);
        return new DomainEvent(Ids.Derive("evt", source, type, idWithinSource), type, source, subject, clock.GetUtcNow(), json);
    }

    /// <summary>The outbox row of an event in a partition: insert it in the same batch as the change it announces.</summary>
    private static TableEntity Row(string partition, DomainEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return Documents.ToEntity(partition, RowPrefix + evt.Id, evt, new Dictionary<string, object?> { ["Type"] = evt.Type, ["Source"] = evt.Source });
    }

    /// <summary>
    /// The outbox rows of events for a change's batch, in the change's partition: the change and its events are
    /// stored together or not at all. Upserted (merged), so a step that writes again keeps a published mark.
    /// </summary>
    /// <remarks>
    /// Each event also gets its pending pointer. A step that writes again after the event was published puts the
    /// pointer back; the relay then finds the row marked published and only removes the pointer.
    /// </remarks>
    private static IEnumerable<TableTransactionAction> Actions(string partition, IEnumerable<DomainEvent> events) =>
        events.SelectMany(e => new[]
        {
            new TableTransactionAction(TableTransactionActionType.UpsertMerge, Row(partition, e)),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, PendingPointer(partition, e)),
        });

    /// <summary>
    /// The pending pointer of an event (<see cref="PendingPrefix"/>): a copy of the event, so the relay publishes
    /// from one query of the pointers without reading the outbox rows.
    /// </summary>
    public static TableEntity PendingPointer(string partition, DomainEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return Documents.ToEntity(partition, PendingPrefix + evt.Id, evt);
    }

    /// <summary>
    /// Asks the relay to publish a partition's pending rows, in <see cref="RelayDelay"/>. Writes to one partition in
    /// quick succession (a round's applications) share one message: a process sends at most one a partition per
    /// delay, and the relay it asks for runs after the writes that skipped theirs. Losing this message loses
    /// nothing: the sweep finds the rows.
    /// </summary>
    public static Task RequestRelayAsync(Storage storage, string table, string partition, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.RequestAsync(RelayQueue, PendingRow(table, partition), ApiJson.Serialize(new RelayRequest(table, partition)), RelayDelay, cancellation);
    }

    /// <summary>The events of a source in time order, published or not, wherever their rows live (a scan of every outbox table: for tests and investigations, not for requests).</summary>
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

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>Who is changing things, as the audit trail records it: a person's sign-in, or the system and which of its steps.</summary>
public sealed record AuditActor(string Id, IReadOnlyList<string> Roles, string Via)
{
    /// <summary>The product's own workflows, when no host said more.</summary>
    public static readonly AuditActor System = new("system", [], "workflow");
}

/// <summary>
/// The actor of the current operation, set once where work enters the product (the HTTP dispatcher, a schedule,
/// a queue message, an activity) and read by every audited write below it, so stores need no extra parameter.
/// </summary>
public static class AuditContext
{
    private static readonly AsyncLocal<AuditActor?> Ambient = new();

    public static AuditActor Current => Ambient.Value ?? AuditActor.System;

    /// <summary>Makes <paramref name="actor"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(AuditActor actor)
    {
        var previous = Ambient.Value;
        Ambient.Value = actor;
        return new Scope(previous);
    }

    private sealed class Scope(AuditActor? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>One change of an aggregate: who, when, through what, which fields went from what to what.</summary>
public sealed record AuditRecord(
    string Aggregate,
    string Id,
    long Seq,
    DateTimeOffset At,
    string Actor,
    IReadOnlyList<string> Roles,
    string Via,
    string Operation,
    IReadOnlyList<AuditChange> Changes,
    string DocumentHash,
    string PreviousHash);

/// <summary>A field's value before and after (compact JSON, shortened, personal data masked); null where absent.</summary>
public sealed record AuditChange(string Path, string? Before, string? After);

/// <summary>A record as the trail shows it, with the hash that the next record holds.</summary>
public sealed record AuditEntry(AuditRecord Record, string Hash);

/// <summary>The outcome of walking a chain: intact, or each break found.</summary>
public sealed record AuditVerification(bool Intact, long Records, IReadOnlyList<string> Breaks);

/// <summary>
/// The audit trail. Every audited write is one entity-group transaction that changes the aggregate's row and
/// appends its audit row in the same partition, so the change and its record are stored together or not at all.
/// Records of one aggregate are hash-chained: each holds the hash of the one before, and the aggregate row holds
/// the head (sequence number and hash) and each record the hash of the document it produced. Editing, removing
/// or reordering a record, or editing the aggregate's row outside the product, breaks the chain where it happened.
/// </summary>
public static class Audit
{
    /// <summary>Audit rows sort after every document row ('~' is above letters and digits).</summary>
    public const string RowPrefix = "~audit|";

    public const string SeqColumn = "AuditSeq";
    public const string HashColumn = "AuditHash";
    public const string Genesis = "genesis";

    private const int MaxChanges = 40;
    private const int MaxValueLength = 160;

    /// <summary>Field names whose values the trail masks: the documents keep them; the trail need not repeat them.</summary>
    private static readonly HashSet<string> PersonalFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "phone", "contactPhone", "idNumber", "beneficiaryName", "beneficiaryId", "contact", "sealed", "sealedBid", "ciphertext",
    };

    public static string RowKey(string aggregateRowKey, long seq) =>
        $"{RowPrefix}{aggregateRowKey}|{seq.ToString("D10", CultureInfo.InvariantCulture)}";

    /// <summary>Inserts the aggregate's first row with record 1; false when the row exists.</summary>
    public static Task<bool> TryAddAuditedAsync(this TableClient table, string aggregate, string id, TableEntity entity, CancellationToken cancellation = default) =>
        table.TryAddAuditedAsync(aggregate, id, entity, [], cancellation);

    /// <summary>Inserts the aggregate's first row with record 1, and <paramref name="with"/> in the same batch; false when the row exists.</summary>
    public static async Task<bool> TryAddAuditedAsync(this TableClient table, string aggregate, string id, TableEntity entity,
        IEnumerable<TableTransactionAction> with, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(entity);
        try
        {
            await table.SubmitTransactionAsync([.. AddActions(aggregate, id, entity), .. with], cancellation);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Inserts many aggregates of one partition with their first records, 50 a batch (each is two actions of the
    /// batch's 100): an import, a round's assignments. A batch that meets one already there (an earlier attempt of
    /// the same step) is written again one by one, and the ones there are left as they are.
    /// </summary>
    public static async Task AddAllAuditedAsync(this TableClient table, string aggregate, IEnumerable<(string Id, TableEntity Entity)> rows, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        await Parallel.ForEachAsync(rows.Chunk(50), Batches(cancellation), async (batch, token) =>
        {
            try
            {
                await table.SubmitTransactionAsync(batch.SelectMany(r => AddActions(aggregate, r.Id, r.Entity)), token);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                foreach (var (id, entity) in batch)
                {
                    await table.TryAddAuditedAsync(aggregate, id, entity, token);
                }
            }
        });
    }

    /// <summary>
    /// Batches of one partition sent a few at a time: each is its own transaction, and while the service applies one
    /// the next is being built (its records hashed, its body written), so neither side waits on the other.
    /// </summary>
    private static ParallelOptions Batches(CancellationToken cancellation) => new() { MaxDegreeOfParallelism = 4, CancellationToken = cancellation };

    /// <summary>The two actions that create an aggregate's row with its first record.</summary>
    private static TableTransactionAction[] AddActions(string aggregate, string id, TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var audit = Append(aggregate, id, entity, null, "create");
        return [new TableTransactionAction(TableTransactionActionType.Add, entity), new TableTransactionAction(TableTransactionActionType.Add, audit)];
    }

    /// <summary>
    /// Replaces (or merges) the aggregate's row if it still has <paramref name="etag"/>, appending the next record
    /// (and any other rows of the partition given, in the same batch). A row changed since it was read fails with
    /// 412, as a conditional update does.
    /// </summary>
    public static Task UpdateAuditedAsync(this TableClient table, string aggregate, string id, TableEntity entity, ETag etag, CancellationToken cancellation = default) =>
        table.UpdateAuditedAsync(aggregate, id, entity, etag, TableUpdateMode.Replace, [], cancellation);

    /// <inheritdoc cref="UpdateAuditedAsync(TableClient, string, string, TableEntity, ETag, CancellationToken)"/>
    public static async Task UpdateAuditedAsync(this TableClient table, string aggregate, string id, TableEntity entity, ETag etag,
        TableUpdateMode mode, IEnumerable<TableTransactionAction> with, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(with);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(entity);
        // The row as the caller read it, when that read is the version named by the ETag (the usual case: a store
        // reads, decides, writes); otherwise read it now. Either way the batch below is conditional on that ETag.
        var current = ReadVersions.Recall(table, entity.PartitionKey, entity.RowKey, etag)
            ?? await table.FindAsync(entity.PartitionKey, entity.RowKey, cancellation)
            ?? throw new RequestFailedException(404, "The row to update does not exist.", "ResourceNotFound", null);
        if (etag != ETag.All && current.ETag != etag)
        {
            throw new RequestFailedException(412, "The row changed since it was read.", "UpdateConditionNotSatisfied", null);
        }

        if (mode == TableUpdateMode.Merge && !entity.ContainsKey(Documents.DataColumn) && current.GetString(Documents.DataColumn) is { } data)
        {
            entity[Documents.DataColumn] = data;
        }

        var audit = Append(aggregate, id, entity, current, "update");
        var action = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace;
        await table.SubmitTransactionAsync(
            [new TableTransactionAction(action, entity, current.ETag), new TableTransactionAction(TableTransactionActionType.Add, audit), .. with],
            cancellation);
    }

    /// <summary>
    /// Updates many aggregates of one partition, each from the row as it was read (its ETag, its chain's head), 50 a
    /// batch with their records: a stage that touches every application of a round. A batch fails as a whole when
    /// one of its rows changed since it was read (412); its rows are returned, unwritten, for the caller to read
    /// again and update one by one.
    /// </summary>
    public static async Task<List<string>> UpdateAllAuditedAsync(this TableClient table, string aggregate,
        IEnumerable<(string Id, TableEntity Entity, TableEntity Current)> rows, TableUpdateMode mode, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var changed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var action = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace;
        await Parallel.ForEachAsync(rows.Chunk(50), Batches(cancellation), async (batch, token) =>
        {
            try
            {
                await table.SubmitTransactionAsync(batch.SelectMany(r => new[]
                {
                    new TableTransactionAction(action, r.Entity, r.Current.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, Append(aggregate, r.Id, r.Entity, r.Current, "update")),
                }), token);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // 409: a record with the next number exists, written by a change that landed after the read.
                foreach (var row in batch)
                {
                    changed.Add(row.Id);
                }
            }
        });

        return [.. changed];
    }

    /// <summary>
    /// Writes the row whatever it holds (a recomputed result, a score replaced by its evaluator), appending the next
    /// record. Two writers at once collide on the record's key; the loser reads the new head and tries again.
    /// </summary>
    public static async Task UpsertAuditedAsync(this TableClient table, string aggregate, string id, TableEntity entity, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(entity);
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.FindAsync(entity.PartitionKey, entity.RowKey, cancellation);
            if (current is not null && current.GetString(Documents.DataColumn) == entity.GetString(Documents.DataColumn))
            {
                return; // nothing changes, so nothing to record (a step run again)
            }

            var audit = Append(aggregate, id, entity, current, current is null ? "create" : "update");
            var write = current is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, current.ETag);
            try
            {
                await table.SubmitTransactionAsync([write, new TableTransactionAction(TableTransactionActionType.Add, audit)], cancellation);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 5)
            {
                // Someone else wrote the row between the read and the batch: read again and chain after them.
            }
        }
    }

    /// <summary>The records of one aggregate in order, and whether its chain is intact.</summary>
    public static async Task<(List<AuditEntry> Entries, AuditVerification Verification)?> ReadAsync(
        this TableClient table, string partitionKey, string rowKey, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        // The row and its records are two reads, and a write landing between them (a workflow moving the
        // aggregate on while the bureau reads its trail; the emulator even shows a batch's rows one by one)
        // looks like a break. A real break stays: read again a few times before reporting one.
        for (var attempt = 1; ; attempt++)
        {
            var read = await ReadOnceAsync(table, partitionKey, rowKey, cancellation);
            if (read is null || read.Value.Verification.Intact || attempt == 5)
            {
                return read;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25 * attempt), cancellation);
        }
    }

    private static async Task<(List<AuditEntry> Entries, AuditVerification Verification)?> ReadOnceAsync(
        TableClient table, string partitionKey, string rowKey, CancellationToken cancellation)
    {
        var head = await table.FindAsync(partitionKey, rowKey, cancellation);
        if (head is null)
        {
            return null;
        }

        var from = $"{RowPrefix}{rowKey}|";
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {from} and RowKey lt {from + "~"}"), cancellationToken: cancellation))
        {
            rows.Add(row);
        }

        var entries = new List<AuditEntry>();
        var breaks = new List<string>();
        var previous = Genesis;
        long expected = 1;
        foreach (var row in rows.OrderBy(r => r.RowKey, StringComparer.Ordinal))
        {
            var json = row.GetString(Documents.DataColumn) ?? string.Empty;
            var stored = row.GetString(HashColumn) ?? string.Empty;
            AuditRecord? record = null;
            try
            {
                record = ApiJson.Deserialize<AuditRecord>(json);
            }
            catch (JsonException)
            {
                breaks.Add($"{row.RowKey}: the record is not readable.");
            }

            if (!string.Equals(Hash(json), stored, StringComparison.Ordinal))
            {
                breaks.Add($"{row.RowKey}: the record does not match its hash (edited).");
            }

            if (record is not null)
            {
                if (record.Seq != expected)
                {
                    breaks.Add($"{row.RowKey}: record {record.Seq} where {expected} was due (removed or inserted records).");
                }

                if (!string.Equals(record.PreviousHash, previous, StringComparison.Ordinal))
                {
                    breaks.Add($"{row.RowKey}: does not hold the hash of the record before it.");
                }

                if (!string.Equals(RowKey(rowKey, record.Seq), row.RowKey, StringComparison.Ordinal))
                {
                    breaks.Add($"{row.RowKey}: stored under another record's key.");
                }

                entries.Add(new AuditEntry(record, stored));
                expected = record.Seq + 1;
            }

            previous = stored;
        }

        var headSeq = head.GetInt64(SeqColumn) ?? 0;
        if (headSeq != entries.Count || !string.Equals(head.GetString(HashColumn) ?? Genesis, previous, StringComparison.Ordinal))
        {
            breaks.Add($"The row's head (record {headSeq}) is not the last record of the trail ({entries.Count}): records removed, or the row written outside the product.");
        }

        if (entries.Count > 0 && !string.Equals(entries[^1].Record.DocumentHash, Hash(head.GetString(Documents.DataColumn) ?? string.Empty), StringComparison.Ordinal))
        {
            breaks.Add("The row's document is not the one the last record produced: it was changed outside the product.");
        }

        return (entries, new AuditVerification(breaks.Count == 0, entries.Count, breaks));
    }

    /// <summary>Builds the next record for a write of <paramref name="entity"/> over <paramref name="current"/>, and moves the head onto the entity.</summary>
    private static TableEntity Append(string aggregate, string id, TableEntity entity, TableEntity? current, string operation)
    {
        var seq = (current?.GetInt64(SeqColumn) ?? 0) + 1;
        var previous = current?.GetString(HashColumn) ?? Genesis;
        var before = current?.GetString(Documents.DataColumn);
        var after = entity.GetString(Documents.DataColumn);
        var actor = AuditContext.Current;
        var record = new AuditRecord(aggregate, id, seq, DateTimeOffset.UtcNow, actor.Id, actor.Roles, actor.Via, operation,
            Changes(before, after), Hash(after ?? string.Empty), previous);
        var json = ApiJson.Serialize(record);
        var hash = Hash(json);
        entity[SeqColumn] = seq;
        entity[HashColumn] = hash;
        return new TableEntity(entity.PartitionKey, RowKey(entity.RowKey, seq))
        {
            [Documents.DataColumn] = json,
            [HashColumn] = hash,
        };
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The fields that differ between two documents, by JSON path, at most <see cref="MaxChanges"/> of them.</summary>
    public static List<AuditChange> Changes(string? before, string? after)
    {
        var changes = new List<AuditChange>();
        // A creation lists each field of the new document (compared with an empty one), not one blob.
        var b = Parse(before) ?? (after is null ? null : new JsonObject());
        Compare(string.Empty, b, Parse(after), changes);
        return changes;
    }

    private static JsonNode? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    private static void Compare(string path, JsonNode? before, JsonNode? after, List<AuditChange> changes)
    {
        if (changes.Count >= MaxChanges || JsonNode.DeepEquals(before, after))
        {
            return;
        }

        if (before is JsonObject b && after is JsonObject a)
        {
            foreach (var key in b.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Compare(path.Length == 0 ? key : $"{path}.{key}", b[key], a[key], changes);
            }

            return;
        }

        if (changes.Count == MaxChanges - 1)
        {
            changes.Add(new AuditChange("…", null, "more changes not listed"));
            return;
        }

        var name = path[(path.LastIndexOf('.') + 1)..];
        var personal = PersonalFields.Contains(name);
        changes.Add(new AuditChange(path.Length == 0 ? "$" : path, Render(before, personal), Render(after, personal)));
    }

    private static string? Render(JsonNode? node, bool personal)
    {
        if (node is null)
        {
            return null;
        }

        if (personal)
        {
            return "(personal data, masked)";
        }

        var text = node.ToJsonString(ApiJson.Options);
        return text.Length <= MaxValueLength ? text : string.Concat(text.AsSpan(0, MaxValueLength), "…");
    }
}

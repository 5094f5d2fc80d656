using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>
/// The last version of each row this process read: what an audited update needs of the row it replaces (the
/// document before, the chain's head), so the read a store just made is not made again. An entry is used only for
/// the exact ETag it was read at, which names that content and nothing else; a row changed since is read afresh,
/// and the update stays conditional on the ETag. Bounded: it empties itself when full.
/// </summary>
internal static class ReadVersions
{
    private const int Capacity = 20_000;

    private static readonly ConcurrentDictionary<(string Table, string Partition, string Row), Snapshot> Rows = new();

    public static void Remember(TableClient table, TableEntity entity)
    {
        if (Rows.Count >= Capacity)
        {
            Rows.Clear();
        }

        Rows[(table.Uri.AbsoluteUri, entity.PartitionKey, entity.RowKey)] = new Snapshot(entity.ETag,
            entity.GetString(Documents.DataColumn), entity.GetInt64(Audit.SeqColumn), entity.GetString(Audit.HashColumn));
    }

    /// <summary>The row at exactly <paramref name="etag"/>, as read before; null when not known.</summary>
    public static TableEntity? Recall(TableClient table, string partition, string row, ETag etag)
    {
        if (!Rows.TryGetValue((table.Uri.AbsoluteUri, partition, row), out var seen) || seen.ETag != etag || etag == ETag.All)
        {
            return null;
        }

        // Only what an audited update reads: the document and the head. Copied, so a caller cannot change it.
        var entity = new TableEntity(partition, row) { ETag = seen.ETag, [Documents.DataColumn] = seen.Data };
        if (seen.Seq is { } seq)
        {
            entity[Audit.SeqColumn] = seq;
            entity[Audit.HashColumn] = seen.Hash;
        }

        return entity;
    }

    private sealed record Snapshot(ETag ETag, string? Data, long? Seq, string? Hash);
}

using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>
/// A row that holds its aggregate as one JSON document (<c>Data</c>) plus the few columns its queries filter
/// on. Documents keep the schema in code, and each is bounded well under the 64 KiB of a string property.
/// </summary>
public static class Documents
{
    public const string DataColumn = "Data";

    public static TableEntity ToEntity<T>(string partitionKey, string rowKey, T document, IDictionary<string, object?>? columns = null)
    {
        var entity = new TableEntity(partitionKey, rowKey) { [DataColumn] = ApiJson.Serialize(document) };
        if (columns is not null)
        {
            foreach (var (key, value) in columns)
            {
                entity[key] = value;
            }
        }

        return entity;
    }

    public static T FromEntity<T>(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return ApiJson.Deserialize<T>(entity.GetString(DataColumn));
    }

    /// <summary>Reads one row, or null when it does not exist.</summary>
    public static async Task<TableEntity?> FindAsync(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellation);
        if (!response.HasValue || response.Value is not { } entity)
        {
            return null;
        }

        ReadVersions.Remember(table, entity);
        return entity;
    }

    /// <summary>The document and the ETag to make the next write conditional on.</summary>
    public static async Task<(T Document, ETag ETag)?> FindDocumentAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellation = default)
    {
        var entity = await table.FindAsync(partitionKey, rowKey, cancellation);
        return entity is null ? null : (FromEntity<T>(entity), entity.ETag);
    }

    /// <summary>Inserts the row unless one with its keys exists: false then (a retried create, a payment made before).</summary>
    public static async Task<bool> TryAddAsync(this TableClient table, ITableEntity entity, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        try
        {
            await table.AddEntityAsync(entity, cancellation);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The documents of the rows a filter selects (a partition, a key range), every page of them; never the audit trail's or the outbox's rows ('~' keys).</summary>
    public static async Task<List<T>> ListDocumentsAsync<T>(this TableClient table, string filter, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var documents = new List<T>();
        await foreach (var entity in table.QueryAsync<TableEntity>(DocumentsOnly(filter), cancellationToken: cancellation))
        {
            documents.Add(FromEntity<T>(entity));
        }

        return documents;
    }

    /// <summary>
    /// As <see cref="ListDocumentsAsync{T}"/>, with each row as read: what a batch of conditional updates needs (the
    /// ETag, and the audit chain's head and the document before).
    /// </summary>
    public static async Task<List<(T Document, TableEntity Row)>> ListRowsAsync<T>(this TableClient table, string filter, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = new List<(T, TableEntity)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(DocumentsOnly(filter), cancellationToken: cancellation))
        {
            rows.Add((FromEntity<T>(entity), entity));
        }

        return rows;
    }

    /// <summary>
    /// The filter narrowed to document rows. The audit trail and the outbox live beside the documents in their
    /// partition, under '~' keys: a round's reviews partition holds two or three audit records per review, and
    /// filtering them out in the service (a key range) spares reading and paging through them.
    /// </summary>
    internal static string DocumentsOnly(string filter) => $"({filter}) and {TableClient.CreateQueryFilter($"RowKey lt {"~"}")}";
}

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
        return response.HasValue ? response.Value : null;
    }

    /// <summary>The document and the ETag to make the next write conditional on.</summary>
    public static async Task<(T Document, ETag ETag)?> FindDocumentAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellation = default)
    {
        var entity = await table.FindAsync(partitionKey, rowKey, cancellation);
        return entity is null ? null : (FromEntity<T>(entity), entity.ETag);
    }
}

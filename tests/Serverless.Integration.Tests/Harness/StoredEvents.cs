using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Integration.Tests.Harness;

/// <summary>
/// Where the product stored its events, read behind its back: the tests that prove an event was written in
/// the batch of its change look at the rows themselves, not at the outbox's own listing.
/// </summary>
internal static class StoredEvents
{
    /// <summary>The outbox rows in one partition of one table.</summary>
    public static async Task<List<TableEntity>> RowsAsync(Storage storage, string table, string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in (await storage.TableAsync(table)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {Outbox.RowPrefix} and RowKey lt {Outbox.RowEnd}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The events stored in one partition of one table.</summary>
    public static async Task<List<DomainEvent>> InAsync(Storage storage, string table, string partition) =>
        (await RowsAsync(storage, table, partition)).Select(Documents.FromEntity<DomainEvent>).ToList();

    /// <summary>Every row holding the event, in every table that may hold events: the test sees which table and partition have it.</summary>
    public static async Task<List<(string Table, TableEntity Row)>> WhereAsync(Storage storage, DomainEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var found = new List<(string, TableEntity)>();
        foreach (var table in Outbox.Tables)
        {
            await foreach (var row in (await storage.TableAsync(table)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {Outbox.RowPrefix + evt.Id}")))
            {
                found.Add((table, row));
            }
        }

        return found;
    }
}

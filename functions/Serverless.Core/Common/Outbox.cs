using Azure;
using Azure.Data.Tables;

namespace Serverless.Core.Common;

/// <summary>A domain event as CloudEvents 1.0 describes it; <see cref="Id"/> is stable, so consumers deduplicate on it.</summary>
public sealed record DomainEvent(string Id, string Type, string Source, string Subject, DateTimeOffset Time, string Data);

/// <summary>
/// Domain events waiting to be relayed to Event Grid. A row's key is the event's id, derived from what
/// caused it, so a step that runs twice records its event once.
/// </summary>
public sealed class Outbox(Storage storage, TimeProvider clock)
{
    public async Task AddAsync(string source, string type, string idWithinSource, string subject, object data, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Outbox, cancellation);
        var id = Ids.Derive("evt", source, type, idWithinSource);
        var evt = new DomainEvent(id, type, source, subject, clock.GetUtcNow(), ApiJson.Serialize(data));
        // False when an earlier run of the same step recorded it.
        await table.TryAddAsync(Documents.ToEntity(PartitionOf(source), id, evt,
            new Dictionary<string, object?> { ["Type"] = type, ["Published"] = false }), cancellation);
    }

    public async Task<List<DomainEvent>> ListAsync(string source, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Outbox, cancellation);
        var events = await table.ListDocumentsAsync<DomainEvent>(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(source)}"), cancellation);
        return events.OrderBy(e => e.Time).ToList();
    }

    // Table keys cannot hold '/', which CloudEvents sources do.
    private static string PartitionOf(string source) => source.Replace('/', '|');
}

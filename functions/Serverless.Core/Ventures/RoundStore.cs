using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>
/// Rounds: one partition (a district runs a handful a year), so listing is one query. Status and ClosesAt
/// are columns for the sweep's query of open rounds past their deadline.
/// </summary>
public sealed class RoundStore(Storage storage)
{
    private const string Partition = "round";

    public const string Aggregate = "rounds";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Rounds, Partition, id);

    public async Task<(Round Round, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        return await table.FindDocumentAsync<Round>(Partition, id, cancellation);
    }

    /// <summary>
    /// The round as read at most <see cref="RecentFor"/> ago by this process (and never across a change this process
    /// wrote): for the submission path, which reads the round once per application and needs only its window, whose
    /// deadline is fixed. A cancellation written by another instance is seen within that second.
    /// </summary>
    public async Task<Round?> FindRecentAsync(string id, CancellationToken cancellation = default)
    {
        var now = DateTimeOffset.UtcNow;
        if (recent.TryGet(id, RecentFor, now, out var cached))
        {
            return cached;
        }

        var found = await FindAsync(id, cancellation);
        if (found is { } f)
        {
            recent.Keep(id, f.Round, now);
        }

        return found?.Round;
    }

    public static readonly TimeSpan RecentFor = TimeSpan.FromSeconds(1);

    private readonly Recent<Round> recent = new();

    public async Task<string?> FingerprintAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        return (await table.FindAsync(Partition, id, cancellation))?.GetString("Fingerprint");
    }

    /// <summary>Adds a new round; false when a round with this id exists (a retried create).</summary>
    public async Task<bool> TryAddAsync(Round round, string fingerprint, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(round);
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, round.Id, ToEntity(round, fingerprint), cancellation);
    }

    /// <summary>Replaces the round if nobody changed it since <paramref name="etag"/>; throws 412 otherwise.</summary>
    public Task UpdateAsync(Round round, ETag etag, CancellationToken cancellation = default) => UpdateAsync(round, etag, [], cancellation);

    /// <summary>
    /// Replaces the round (conditional on its ETag) with the events its change raises, in one batch in the rounds'
    /// partition: a stage that moved is announced, and one that failed to move announces nothing.
    /// </summary>
    public async Task UpdateAsync(Round round, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(round);
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        var entity = ToEntity(round, null);
        recent.Forget(round.Id);
        // Merge keeps the Fingerprint column written at creation.
        await Outbox.CommitAsync(storage, TableNames.Rounds, Partition, events,
            rows => table.UpdateAuditedAsync(Aggregate, round.Id, entity, etag, TableUpdateMode.Merge, rows, cancellation), cancellation);
        recent.Forget(round.Id);
    }

    public async Task<List<Round>> ListAsync(CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        return await table.ListDocumentsAsync<Round>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellation);
    }

    /// <summary>Open rounds whose deadline has passed: what the every-minute sweep closes.</summary>
    public Task<List<string>> OpenPastDeadlineAsync(DateTimeOffset now, CancellationToken cancellation = default) =>
        IdsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {nameof(RoundStatus.Open)} and ClosesAt le {now}"), cancellation);

    /// <summary>The ids of the rounds in a status (a few a year: one small partition, filtered on a column).</summary>
    public Task<List<string>> InStatusAsync(RoundStatus status, CancellationToken cancellation = default) =>
        IdsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {status.ToString()}"), cancellation);

    private async Task<List<string>> IdsAsync(string filter, CancellationToken cancellation)
    {
        var table = await storage.TableAsync(TableNames.Rounds, cancellation);
        var ids = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellation))
        {
            ids.Add(entity.RowKey);
        }

        return ids;
    }

    private static TableEntity ToEntity(Round round, string? fingerprint)
    {
        var columns = new Dictionary<string, object?>
        {
            ["Status"] = round.Status.ToString(),
            ["ClosesAt"] = round.ClosesAt,
        };
        if (fingerprint is not null)
        {
            columns["Fingerprint"] = fingerprint;
        }

        return Documents.ToEntity(Partition, round.Id, round, columns);
    }
}

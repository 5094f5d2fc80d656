using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>
/// Applications: one partition per round (the round's working set: close, screening and review read it
/// whole). An organization may submit several projects to a round; a retried submission carries the
/// same Idempotency-Key, hence the same id, and finds the first.
/// </summary>
public sealed class ApplicationStore(Storage storage)
{
    private const string AppPrefix = "app|";

    private static string AppRow(string id) => AppPrefix + id;

    public const string Aggregate = "applications";

    public static (string Table, string Partition, string Row) Locate(string roundId, string id) => (TableNames.Applications, roundId, AppRow(id));

    public async Task<(Application Application, ETag ETag, string? IdempotencyKey, string? Fingerprint)?> FindAsync(string roundId, string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        var entity = await table.FindAsync(roundId, AppRow(id), cancellation);
        return entity is null
            ? null
            : (Documents.FromEntity<Application>(entity), entity.ETag, entity.GetString("IdempotencyKey"), entity.GetString("Fingerprint"));
    }

    /// <summary>Stores a new application; false when one with this id exists (a retried submission).</summary>
    public Task<bool> TryAddAsync(Application application, string? idempotencyKey, string fingerprint, CancellationToken cancellation = default) =>
        TryAddAsync(application, idempotencyKey, fingerprint, [], cancellation);

    /// <summary>
    /// Stores a new application with its events, in one batch in the round's partition; false when one with this
    /// id exists: the batch then fails as a whole, so a retried submission raises no second event.
    /// </summary>
    public async Task<bool> TryAddAsync(Application application, string? idempotencyKey, string fingerprint, IReadOnlyList<DomainEvent> events,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        return await Outbox.CommitAsync(storage, TableNames.Applications, application.RoundId, events,
            rows => table.TryAddAuditedAsync(Aggregate, application.Id, ToEntity(application, idempotencyKey, fingerprint), rows, cancellation), cancellation);
    }

    /// <summary>Replaces the application if unchanged since <paramref name="etag"/>; 412 otherwise.</summary>
    public async Task UpdateAsync(Application application, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        await table.UpdateAuditedAsync(Aggregate, application.Id, ToEntity(application, null, null), etag, TableUpdateMode.Merge, [], cancellation);
    }

    /// <summary>
    /// Updates many applications of a round, each conditional on the row it was changed from, 50 a batch with their
    /// audit records (a stage's pass over every application). Returns the ids of those changed meanwhile, unwritten.
    /// </summary>
    public async Task<List<string>> UpdateAllAsync(IEnumerable<(Application Application, TableEntity Current)> changes, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        return await table.UpdateAllAuditedAsync(Aggregate, changes.Select(c => (c.Application.Id, ToEntity(c.Application, null, null), c.Current)),
            TableUpdateMode.Merge, cancellation);
    }

    /// <summary>The round's applications with their rows as read, for <see cref="UpdateAllAsync"/>.</summary>
    public async Task<List<(Application Application, TableEntity Row)>> ListRowsAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        return await table.ListRowsAsync<Application>(InRound(roundId), cancellation);
    }

    private static string InRound(string roundId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {roundId} and RowKey ge {AppPrefix} and RowKey lt {"app}"}");

    public async Task<List<Application>> ListAsync(string roundId, string? organizationId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        var filter = InRound(roundId);
        if (organizationId is not null)
        {
            filter += TableClient.CreateQueryFilter($" and OrganizationId eq {organizationId}");
        }

        return await table.ListDocumentsAsync<Application>(filter, cancellation);
    }

    /// <summary>Counts by status, reading only the status and submission time of each row.</summary>
    public async Task<ApplicationCounts> CountAsync(string roundId, DateTimeOffset? submittedBefore = null, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Applications, cancellation);
        var filter = InRound(roundId);
        int submitted = 0, withdrawn = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["Status", "SubmittedAt"], cancellationToken: cancellation))
        {
            if (submittedBefore is { } before && entity.GetDateTimeOffset("SubmittedAt") >= before)
            {
                continue;
            }

            if (entity.GetString("Status") == nameof(ApplicationStatus.Withdrawn))
            {
                withdrawn++;
            }
            else
            {
                submitted++;
            }
        }

        return new ApplicationCounts(submitted, withdrawn);
    }

    private static TableEntity ToEntity(Application application, string? idempotencyKey, string? fingerprint)
    {
        var columns = new Dictionary<string, object?>
        {
            ["OrganizationId"] = application.OrganizationId,
            ["Status"] = application.Status.ToString(),
            ["SubmittedAt"] = application.SubmittedAt,
        };
        if (fingerprint is not null)
        {
            columns["Fingerprint"] = fingerprint;
            columns["IdempotencyKey"] = idempotencyKey;
        }

        return Documents.ToEntity(application.RoundId, AppRow(application.Id), application, columns);
    }
}

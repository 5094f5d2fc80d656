using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>An application's place in the round's results: its score explained, its rank and its grant.</summary>
public sealed record RoundResult(
    string ApplicationId,
    string OrganizationId,
    string OrganizationName,
    string ProjectTitle,
    int Rank,
    decimal Score,
    decimal Bonus,
    decimal TotalScore,
    decimal AmountRequested,
    decimal Granted,
    bool Funded,
    bool Partial,
    string Reason,
    int ReviewCount,
    List<string> Steps,
    decimal FirstCriterionScore,
    DateTimeOffset SubmittedAt,
    decimal MatchingFunds,
    bool Removed = false,
    string? RemovalReason = null)
{
    public AllocationCandidate Candidate() => new(ApplicationId, Score, FirstCriterionScore, SubmittedAt, AmountRequested, MatchingFunds);

    /// <summary>The same result placed by a new allocation line.</summary>
    public RoundResult With(AllocationLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return this with
        {
            Rank = line.Rank, Bonus = line.Bonus, TotalScore = line.TotalScore, Granted = line.Granted,
            Funded = line.Funded, Partial = line.Partial, Reason = line.Reason,
        };
    }
}

/// <summary>
/// Results: one partition per round, one row per eligible application, so a round of 10,000 applications
/// stays within the service's entity limits. Rewritten whole when the allocation changes, in batches of 100.
/// </summary>
public sealed class ResultStore(Storage storage)
{
    public async Task<List<RoundResult>> ListAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Results, cancellation);
        var results = await table.ListDocumentsAsync<RoundResult>(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"), cancellation);
        return results.OrderBy(r => r.Removed).ThenBy(r => r.Rank).ToList();
    }

    public const string Aggregate = "results";

    public static (string Table, string Partition, string Row) Locate(string roundId, string applicationId) => (TableNames.Results, roundId, applicationId);

    /// <summary>
    /// Writes every result, each with its audit record (a result decides money, so a changed rank or amount is
    /// on the trail): the partition is read once, then new rows are added and changed rows replaced 50 a batch,
    /// and rows unchanged are not written (a step that runs twice writes nothing). A batch that meets a concurrent
    /// write is written again one row at a time.
    /// </summary>
    public async Task SaveAsync(string roundId, IReadOnlyList<RoundResult> results, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = await storage.TableAsync(TableNames.Results, cancellation);
        var stored = (await table.ListRowsAsync<RoundResult>(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"), cancellation))
            .ToDictionary(r => r.Row.RowKey, r => r.Row, StringComparer.Ordinal);
        var entities = results.Select(r => (r.ApplicationId, Entity: ToEntity(roundId, r))).ToList();
        await table.AddAllAuditedAsync(Aggregate, entities.Where(e => !stored.ContainsKey(e.ApplicationId)), cancellation);
        var changed = entities.Where(e => stored.TryGetValue(e.ApplicationId, out var row) && row.GetString(Documents.DataColumn) != e.Entity.GetString(Documents.DataColumn))
            .Select(e => (e.ApplicationId, e.Entity, stored[e.ApplicationId])).ToList();
        var conflicts = (await table.UpdateAllAuditedAsync(Aggregate, changed, TableUpdateMode.Replace, cancellation)).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, entity) in entities.Where(e => conflicts.Contains(e.ApplicationId)))
        {
            await table.UpsertAuditedAsync(Aggregate, id, entity, cancellation);
        }
    }

    private static TableEntity ToEntity(string roundId, RoundResult result) =>
        Documents.ToEntity(roundId, result.ApplicationId, result, new Dictionary<string, object?> { ["Rank"] = result.Rank, ["Funded"] = result.Funded });
}

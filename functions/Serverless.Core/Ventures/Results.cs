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
    /// on the trail). A step that runs twice finds the rows unchanged and writes nothing.
    /// </summary>
    public async Task SaveAsync(string roundId, IReadOnlyList<RoundResult> results, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = await storage.TableAsync(TableNames.Results, cancellation);
        foreach (var chunk in results.Chunk(8))
        {
            await Task.WhenAll(chunk.Select(r => table.UpsertAuditedAsync(Aggregate, r.ApplicationId,
                Documents.ToEntity(roundId, r.ApplicationId, r, new Dictionary<string, object?> { ["Rank"] = r.Rank, ["Funded"] = r.Funded }), cancellation)));
        }
    }
}

using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>
/// Volunteers: one partition per volunteer for the register, and a matching index with one partition per
/// (grid, skill): a match for a request reads the partitions of its first skill in the grids of one search
/// ring, a handful of small partitions rather than 130,000 rows. The index is rewritten from the volunteer
/// row after every change; the row is the truth, the index a projection of it.
/// </summary>
public sealed class VolunteerStore(Storage storage)
{
    private const string Row = "volunteer";

    public async Task<(Volunteer Volunteer, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Volunteers, cancellation);
        return await table.FindDocumentAsync<Volunteer>(id, Row, cancellation);
    }

    public async Task<bool> TryAddAsync(Volunteer volunteer, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(volunteer);
        var table = await storage.TableAsync(TableNames.Volunteers, cancellation);
        if (!await table.TryAddAsync(ToEntity(volunteer), cancellation))
        {
            return false;
        }

        await IndexAsync(null, volunteer, cancellation);
        return true;
    }

    /// <summary>Replaces the row (conditional on its ETag), then brings the index in line.</summary>
    public async Task UpdateAsync(Volunteer before, Volunteer after, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(after);
        var table = await storage.TableAsync(TableNames.Volunteers, cancellation);
        await table.UpdateEntityAsync(ToEntity(after), etag, TableUpdateMode.Replace, cancellation);
        await IndexAsync(before, after, cancellation);
    }

    /// <summary>
    /// Changes a volunteer's record (an offer, an acceptance, a completed task) with a read-modify-write that
    /// retries on a concurrent change.
    /// </summary>
    public async Task<Volunteer?> UpdateRecordAsync(string id, Func<VolunteerRecord, VolunteerRecord> change, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; ; attempt++)
        {
            if (await FindAsync(id, cancellation) is not { } found)
            {
                return null;
            }

            var after = found.Volunteer with { Record = change(found.Volunteer.Record) };
            try
            {
                await UpdateAsync(found.Volunteer, after, found.ETag, cancellation);
                return after;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
            }
        }
    }

    /// <summary>The index rows of one skill in the given grids, read in parallel (one small partition each).</summary>
    public async Task<List<MatchProfile>> CandidatesAsync(IEnumerable<string> gridIds, Skill skill, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(gridIds);
        var table = await storage.TableAsync(TableNames.VolunteerIndex, cancellation);
        var reads = gridIds.Select(async grid =>
        {
            var profiles = new List<MatchProfile>();
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {IndexPartition(grid, skill)}"),
                select: [Documents.DataColumn], cancellationToken: cancellation))
            {
                profiles.Add(Documents.FromEntity<MatchProfile>(row));
            }

            return profiles;
        });
        return (await Task.WhenAll(reads)).SelectMany(p => p).ToList();
    }

    /// <summary>Loads many volunteers at once (a seed, a benchmark): the rows and their index rows in batches per partition.</summary>
    public async Task AddManyAsync(IReadOnlyList<Volunteer> volunteers, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(volunteers);
        var table = await storage.TableAsync(TableNames.Volunteers, cancellation);
        var index = await storage.TableAsync(TableNames.VolunteerIndex, cancellation);
        await Parallel.ForEachAsync(volunteers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation },
            async (v, token) => await table.UpsertEntityAsync(ToEntity(v), TableUpdateMode.Replace, token));
        var rows = volunteers.SelectMany(v => v.Skills.Select(s => IndexEntity(v, s))).GroupBy(r => r.PartitionKey).ToList();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation }, async (group, token) =>
        {
            foreach (var chunk in group.Chunk(100))
            {
                await index.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), token);
            }
        });
    }

    private async Task IndexAsync(Volunteer? before, Volunteer after, CancellationToken cancellation)
    {
        var index = await storage.TableAsync(TableNames.VolunteerIndex, cancellation);
        var now = after.Skills.Select(s => IndexPartition(after.GridId, s)).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in (before?.Skills ?? []).Select(s => IndexPartition(before!.GridId, s)).Where(p => !now.Contains(p)))
        {
            await index.DeleteEntityAsync(stale, after.Id, ETag.All, cancellation);
        }

        foreach (var skill in after.Skills)
        {
            await index.UpsertEntityAsync(IndexEntity(after, skill), TableUpdateMode.Replace, cancellation);
        }
    }

    private static string IndexPartition(string gridId, Skill skill) => $"{gridId}|{skill}";

    private static TableEntity IndexEntity(Volunteer v, Skill skill) => Documents.ToEntity(IndexPartition(v.GridId, skill), v.Id, MatchProfile.Of(v));

    private static TableEntity ToEntity(Volunteer v) =>
        Documents.ToEntity(v.Id, Row, v, new Dictionary<string, object?> { ["GridId"] = v.GridId, ["CommunityId"] = v.CommunityId, ["Status"] = v.Status.ToString() });
}

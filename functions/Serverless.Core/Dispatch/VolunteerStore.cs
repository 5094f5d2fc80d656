using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>
/// Volunteers, laid out for matching at district scale (130,000 volunteers).
/// <list type="bullet">
/// <item>The register: one row per volunteer, spread over 16 tables by a hash of the id, so no single table
/// holds them all (Azurite's cost per lookup grows with its table's size; Azure's does not, and there the
/// spread costs nothing), and within a table over 256 partitions by the next part of the hash: a volunteer is
/// still a point read (the id gives table, partition and row), and an import writes up to 50 volunteers of a
/// partition in one batch (130,000 in about 4,000 batches instead of 130,000 requests).</item>
/// <item>The matching index: one table per street, one row per (grid, skill) holding the name-free match
/// profiles of every volunteer of that grid with that skill, packed. A match's first pass (the request's grid
/// and its neighbours, never beyond the street) is about eight point reads of one small table.</item>
/// </list>
/// The register row is the truth; its index entries are rewritten from it after every change, each a
/// read-modify-write conditional on the row's ETag.
/// </summary>
public sealed class VolunteerStore(Storage storage)
{
    private const int RegisterShards = 16;

    public const string Aggregate = "volunteers";

    public static (string Table, string Partition, string Row) Locate(string id) => ($"{TableNames.Volunteers}{Shard(id):D2}", Bucket(id), id);

    // A string property holds at most 32K UTF-16 characters: a packed row splits its JSON over columns.
    private const int ChunkChars = 30_000;

    public async Task<(Volunteer Volunteer, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await RegisterAsync(id, cancellation);
        return await table.FindDocumentAsync<Volunteer>(Bucket(id), id, cancellation);
    }

    public async Task<bool> TryAddAsync(Volunteer volunteer, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(volunteer);
        var table = await RegisterAsync(volunteer.Id, cancellation);
        if (!await table.TryAddAuditedAsync(Aggregate, volunteer.Id, ToEntity(volunteer), cancellation))
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
        var table = await RegisterAsync(after.Id, cancellation);
        await table.UpdateAuditedAsync(Aggregate, after.Id, ToEntity(after), etag, cancellation);
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

    /// <summary>The match profiles of one skill in the given grids (all of one street): a point read per grid, in parallel.</summary>
    public async Task<List<MatchProfile>> CandidatesAsync(IEnumerable<string> gridIds, Skill skill, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(gridIds);
        var reads = gridIds.Select(async grid =>
        {
            var table = await IndexTableAsync(grid, cancellation);
            return await table.FindAsync(grid, skill.ToString(), cancellation) is { } row ? Unpack(row) : [];
        });
        return (await Task.WhenAll(reads)).SelectMany(p => p).ToList();
    }

    /// <summary>
    /// One level of a match (the request's grid, its neighbours, its community, its street): the profiles of the
    /// ring's grids with the request's first skill, read from the index, then filtered and ranked.
    /// </summary>
    public async Task<(List<RankedCandidate> Ranked, List<Exclusion> Excluded)> MatchRingAsync(DistrictMap map, string gridId, int level, MatchNeed need, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(need);
        var ring = map.Rings(gridId)[level];
        var profiles = ring.Count == 0 ? [] : await CandidatesAsync(ring, need.Skills[0], cancellation);
        var candidates = profiles.Select(p => new Candidate(p, level, map.DistanceMetres(gridId, p.GridId))).ToList();
        return Matching.Rank(candidates, need);
    }

    /// <summary>
    /// Loads many volunteers at once (a seed, a benchmark): the register rows (each with its first audit record;
    /// one already registered is left as it is), then each packed index row once.
    /// </summary>
    public async Task AddManyAsync(IReadOnlyList<Volunteer> volunteers, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(volunteers);
        var options = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation };
        // One partition's volunteers in batches of 50, each with its first audit record.
        var partitions = volunteers.GroupBy(v => (Shard(v.Id), Bucket(v.Id))).ToList();
        await Parallel.ForEachAsync(partitions, options, async (partition, token) =>
        {
            var table = await RegisterAsync(partition.First().Id, token);
            await table.AddAllAuditedAsync(Aggregate, partition.Select(v => (v.Id, ToEntity(v))), token);
        });
        var rows = volunteers.SelectMany(v => v.Skills.Select(s => (v.GridId, Skill: s, Profile: MatchProfile.Of(v))))
            .GroupBy(x => (x.GridId, x.Skill)).ToList();
        await Parallel.ForEachAsync(rows, options, async (group, token) =>
        {
            var table = await IndexTableAsync(group.Key.GridId, token);
            await table.UpsertEntityAsync(Pack(group.Key.GridId, group.Key.Skill, group.Select(x => x.Profile).ToList()), TableUpdateMode.Replace, token);
        });
    }

    private async Task IndexAsync(Volunteer? before, Volunteer after, CancellationToken cancellation)
    {
        var keep = after.Skills.Select(s => (after.GridId, s)).ToHashSet();
        foreach (var (grid, skill) in (before?.Skills ?? []).Select(s => (before!.GridId, s)).Where(k => !keep.Contains(k)))
        {
            await ChangeRowAsync(grid, skill, list => list.RemoveAll(p => p.VolunteerId == after.Id), cancellation);
        }

        var profile = MatchProfile.Of(after);
        foreach (var skill in after.Skills)
        {
            await ChangeRowAsync(after.GridId, skill, list =>
            {
                list.RemoveAll(p => p.VolunteerId == after.Id);
                list.Add(profile);
            }, cancellation);
        }
    }

    /// <summary>Read-modify-write of one packed row, conditional on its ETag (or on its absence), retried on a race.</summary>
    private async Task ChangeRowAsync(string grid, Skill skill, Action<List<MatchProfile>> change, CancellationToken cancellation)
    {
        var table = await IndexTableAsync(grid, cancellation);
        for (var attempt = 0; ; attempt++)
        {
            var row = await table.FindAsync(grid, skill.ToString(), cancellation);
            var list = row is null ? [] : Unpack(row);
            change(list);
            var packed = Pack(grid, skill, list);
            try
            {
                if (row is null)
                {
                    await table.AddEntityAsync(packed, cancellation);
                }
                else
                {
                    await table.UpdateEntityAsync(packed, row.ETag, TableUpdateMode.Replace, cancellation);
                }

                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 20)
            {
            }
        }
    }

    private static TableEntity Pack(string grid, Skill skill, List<MatchProfile> profiles)
    {
        var json = ApiJson.Serialize(profiles);
        var entity = new TableEntity(grid, skill.ToString()) { ["Count"] = profiles.Count };
        for (var i = 0; i * ChunkChars < json.Length; i++)
        {
            entity[$"D{i}"] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - (i * ChunkChars)));
        }

        return entity;
    }

    private static List<MatchProfile> Unpack(TableEntity row)
    {
        var json = new System.Text.StringBuilder();
        for (var i = 0; row.TryGetValue($"D{i}", out var part) && part is string text; i++)
        {
            json.Append(text);
        }

        return json.Length == 0 ? [] : ApiJson.Deserialize<List<MatchProfile>>(json.ToString());
    }

    private static int Shard(string id) => Convert.ToInt32(Ids.Fingerprint(id)[..4], 16) % RegisterShards;

    /// <summary>The register partition within the shard's table: the hash's next two hex digits (256 partitions).</summary>
    private static string Bucket(string id) => "b" + Ids.Fingerprint(id)[4..6];

    private Task<TableClient> RegisterAsync(string id, CancellationToken cancellation) =>
        storage.TableAsync($"{TableNames.Volunteers}{Shard(id):D2}", cancellation);

    /// <summary>The index table of the grid's street (streets numbered in the map's order).</summary>
    private Task<TableClient> IndexTableAsync(string grid, CancellationToken cancellation) =>
        storage.TableAsync($"{TableNames.VolunteerIndex}{DistrictMap.Shipped.StreetNumber(DistrictMap.Shipped.StreetOf(grid)):D2}", cancellation);

    private static TableEntity ToEntity(Volunteer v) =>
        Documents.ToEntity(Bucket(v.Id), v.Id, v, new Dictionary<string, object?> { ["GridId"] = v.GridId, ["CommunityId"] = v.CommunityId, ["Status"] = v.Status.ToString() });
}

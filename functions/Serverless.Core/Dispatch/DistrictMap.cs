using System.Text.Json;

namespace Serverless.Core.Dispatch;

/// <summary>A street (街道) or town (镇) and its communities, in file order.</summary>
public sealed record Street(string Name, List<string> CommunityIds);

/// <summary>A community (社区) of one street and its grids, in file order.</summary>
public sealed record Community(string Id, string Name, string Street, List<string> GridIds);

/// <summary>A grid (网格): its position in metres on the district's plane and the grids adjacent to it (same street, never itself).</summary>
public sealed record Grid(string Id, string CommunityId, double X, double Y, List<string> Neighbours);

/// <summary>
/// The district's geography for volunteer matching: streets, communities, grids and grid adjacency. The shipped map is
/// the synthetic district embedded as <c>Dispatch/district.json</c> (written by <c>tools/geography/generate.py</c>).
/// Validated on load; immutable afterwards, so safe to share across threads.
/// </summary>
public sealed class DistrictMap
{
    /// <summary>The manifest name of the embedded geography.</summary>
    public const string ResourceName = "Serverless.Core.Dispatch.district.json";

    /// <summary>The ring levels of <see cref="Rings"/>: the grid, its neighbours, its community, its street.</summary>
    public const int GridRing = 0, NeighbourRing = 1, CommunityRing = 2, StreetRing = 3;

    private static readonly Lazy<DistrictMap> LazyShipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, Grid> _grids;
    private readonly Dictionary<string, Community> _communities;
    private readonly Dictionary<string, Street> _streets;

    private readonly Dictionary<string, int> _streetNumbers;

    private DistrictMap(Dictionary<string, Street> streets, Dictionary<string, Community> communities, Dictionary<string, Grid> grids)
    {
        _streets = streets;
        _communities = communities;
        _grids = grids;
        _streetNumbers = streets.Keys.Order(StringComparer.Ordinal).Select((name, i) => (name, i + 1)).ToDictionary(x => x.name, x => x.Item2, StringComparer.Ordinal);
    }

    /// <summary>A stable number for a street (1-based, by name in ordinal order): used to name its storage shard.</summary>
    public int StreetNumber(string street) => _streetNumbers.TryGetValue(street, out var n) ? n : throw new ArgumentException($"Unknown street '{street}'.", nameof(street));

    /// <summary>The geography shipped in this assembly, loaded and validated once, on first use.</summary>
    public static DistrictMap Shipped => LazyShipped.Value;

    /// <summary>Every grid by id, in file order.</summary>
    public IReadOnlyDictionary<string, Grid> Grids => _grids;

    /// <summary>Every community by id, in file order.</summary>
    public IReadOnlyDictionary<string, Community> Communities => _communities;

    /// <summary>Every street and town by name, in file order.</summary>
    public IReadOnlyDictionary<string, Street> Streets => _streets;

    /// <summary>The grid with this id, or null when there is none.</summary>
    public Grid? FindGrid(string id) => _grids.GetValueOrDefault(id);

    /// <summary>The community the grid belongs to.</summary>
    /// <exception cref="ArgumentException">No grid has this id.</exception>
    public Community CommunityOf(string gridId) => _communities[GridOrThrow(gridId).CommunityId];

    /// <summary>The name of the street the grid belongs to.</summary>
    /// <exception cref="ArgumentException">No grid has this id.</exception>
    public string StreetOf(string gridId) => CommunityOf(gridId).Street;

    /// <summary>The straight-line distance between two grids' positions, in metres.</summary>
    /// <exception cref="ArgumentException">Either id is not a grid.</exception>
    public double DistanceMetres(string gridA, string gridB) => Distance(GridOrThrow(gridA), GridOrThrow(gridB));

    /// <summary>
    /// The search rings for matching a request in this grid, in order and disjoint: [the grid itself], [its neighbours],
    /// [the other grids of its community], [the other grids of its street]. Always four rings (some may be empty), so the
    /// index is the level (<see cref="GridRing"/> … <see cref="StreetRing"/>). Together they are exactly the street's grids.
    /// Within a ring, grids are nearest first (ties by id).
    /// </summary>
    /// <exception cref="ArgumentException">No grid has this id.</exception>
    public IReadOnlyList<IReadOnlyList<string>> Rings(string gridId)
    {
        var grid = GridOrThrow(gridId);
        var community = _communities[grid.CommunityId];
        var seen = new HashSet<string>(StringComparer.Ordinal) { grid.Id };

        IReadOnlyList<string> Ring(IEnumerable<string> ids) =>
            ids.Where(seen.Add).Select(id => _grids[id]).OrderBy(g => Distance(grid, g)).ThenBy(g => g.Id, StringComparer.Ordinal)
                .Select(g => g.Id).ToArray();

        var neighbours = Ring(grid.Neighbours);
        var inCommunity = Ring(community.GridIds);
        var inStreet = Ring(_streets[community.Street].CommunityIds.SelectMany(c => _communities[c].GridIds));
        return [[grid.Id], neighbours, inCommunity, inStreet];
    }

    /// <summary>Parses and validates a geography in the shape of <c>district.json</c>.</summary>
    /// <exception cref="InvalidOperationException">The geography is malformed or inconsistent; the message says where.</exception>
    public static DistrictMap Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Build(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException)
        {
            throw new InvalidOperationException($"District geography: malformed JSON ({e.Message}).", e);
        }
    }

    private static DistrictMap LoadShipped()
    {
        using var stream = typeof(DistrictMap).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"District geography: embedded resource '{ResourceName}' is missing from {typeof(DistrictMap).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private static DistrictMap Build(JsonElement root)
    {
        var streets = new Dictionary<string, Street>(StringComparer.Ordinal);
        foreach (var s in root.GetProperty("streets").EnumerateArray())
        {
            var name = Text(s);
            if (!streets.TryAdd(name, new Street(name, [])))
                Fail($"street '{name}' is listed twice");
        }

        var communities = new Dictionary<string, Community>(StringComparer.Ordinal);
        foreach (var c in root.GetProperty("communities").EnumerateArray())
        {
            var community = new Community(Text(c.GetProperty("id")), Text(c.GetProperty("name")), Text(c.GetProperty("street")), []);
            if (!streets.TryGetValue(community.Street, out var street))
                Fail($"community '{community.Id}' is in street '{community.Street}', which does not exist");
            if (!communities.TryAdd(community.Id, community))
                Fail($"community '{community.Id}' is listed twice");
            street.CommunityIds.Add(community.Id);
        }

        var grids = new Dictionary<string, Grid>(StringComparer.Ordinal);
        foreach (var g in root.GetProperty("grids").EnumerateArray())
        {
            var grid = new Grid(Text(g.GetProperty("id")), Text(g.GetProperty("community")), g.GetProperty("x").GetDouble(), g.GetProperty("y").GetDouble(),
                [.. g.GetProperty("neighbours").EnumerateArray().Select(Text)]);
            if (!communities.TryGetValue(grid.CommunityId, out var community))
                Fail($"grid '{grid.Id}' is in community '{grid.CommunityId}', which does not exist");
            if (!double.IsFinite(grid.X) || !double.IsFinite(grid.Y))
                Fail($"grid '{grid.Id}' has no finite position");
            if (!grids.TryAdd(grid.Id, grid))
                Fail($"grid '{grid.Id}' is listed twice");
            community.GridIds.Add(grid.Id);
        }

        foreach (var grid in grids.Values)
        {
            var street = communities[grid.CommunityId].Street;
            if (grid.Neighbours.Distinct(StringComparer.Ordinal).Count() != grid.Neighbours.Count)
                Fail($"grid '{grid.Id}' lists a neighbour twice");
            foreach (var n in grid.Neighbours)
            {
                if (n == grid.Id)
                    Fail($"grid '{grid.Id}' lists itself as a neighbour");
                if (!grids.TryGetValue(n, out var neighbour))
                    Fail($"grid '{grid.Id}' has neighbour '{n}', which does not exist");
                if (!neighbour.Neighbours.Contains(grid.Id, StringComparer.Ordinal))
                    Fail($"grid '{grid.Id}' has neighbour '{n}', but '{n}' does not have '{grid.Id}' (neighbours must be symmetric)");
                if (communities[neighbour.CommunityId].Street != street)
                    Fail($"grid '{grid.Id}' ({street}) has neighbour '{n}' in another street ({communities[neighbour.CommunityId].Street})");
            }
        }

        return new DistrictMap(streets, communities, grids);
    }

    private Grid GridOrThrow(string gridId) =>
        _grids.TryGetValue(gridId, out var grid) ? grid : throw new ArgumentException($"No grid '{gridId}' in the district.", nameof(gridId));

    private static double Distance(Grid a, Grid b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    private static string Text(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString())
            ? e.GetString()!
            : throw new InvalidOperationException($"District geography: expected a non-empty string, found {e.ValueKind} '{e}'.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string problem) => throw new InvalidOperationException($"District geography: {problem}.");
}

using Serverless.Core.Common;
using Serverless.Core.Dispatch;

namespace Serverless.Core.Tests;

public sealed class DistrictMapTests
{
    private static readonly DistrictMap Map = DistrictMap.Shipped;

    [Fact]
    public void The_shipped_district_has_the_23_streets_of_Geography_127_communities_and_1500_grids()
    {
        Assert.Equal(23, Map.Streets.Count);
        Assert.True(Geography.Streets.SetEquals(Map.Streets.Keys));
        Assert.Equal(127, Map.Communities.Count);
        Assert.Equal(1_500, Map.Grids.Count);
        Assert.Same(Map, DistrictMap.Shipped);
    }

    [Fact]
    public void Every_street_has_at_least_3_communities_and_every_community_at_least_8_grids_with_unique_names()
    {
        Assert.All(Map.Streets.Values, s => Assert.True(s.CommunityIds.Count >= 3, $"{s.Name} has {s.CommunityIds.Count} communities"));
        Assert.All(Map.Communities.Values, c => Assert.True(c.GridIds.Count >= 8, $"{c.Id} has {c.GridIds.Count} grids"));
        Assert.Equal(Map.Communities.Count, Map.Communities.Values.Select(c => c.Name).Distinct().Count());
        Assert.All(Map.Communities.Values, c => Assert.Contains(c.Id, Map.Streets[c.Street].CommunityIds));
        Assert.All(Map.Grids.Values, g => Assert.Contains(g.Id, Map.CommunityOf(g.Id).GridIds));
    }

    [Fact]
    public void Neighbours_are_symmetric_never_the_grid_itself_and_at_least_two()
    {
        Assert.All(Map.Grids.Values, g =>
        {
            Assert.DoesNotContain(g.Id, g.Neighbours);
            Assert.True(g.Neighbours.Count >= 2, $"{g.Id} has {g.Neighbours.Count} neighbours");
            Assert.All(g.Neighbours, n => Assert.Contains(g.Id, Map.Grids[n].Neighbours));
            Assert.All(g.Neighbours, n => Assert.Equal(Map.StreetOf(g.Id), Map.StreetOf(n)));
        });
    }

    [Fact]
    public void Every_grid_reaches_every_other_grid_of_its_street_through_neighbour_links()
    {
        foreach (var street in Map.Streets.Values)
        {
            var gridIds = street.CommunityIds.SelectMany(c => Map.Communities[c].GridIds).ToHashSet();
            var reached = new HashSet<string> { gridIds.First() };
            var queue = new Queue<string>(reached);
            while (queue.TryDequeue(out var id))
                foreach (var n in Map.Grids[id].Neighbours.Where(reached.Add))
                    queue.Enqueue(n);

            Assert.True(gridIds.SetEquals(reached), $"{street.Name}: {gridIds.Count - reached.Count} grids unreachable");
        }
    }

    [Fact]
    public void The_rings_are_the_grid_its_neighbours_its_community_and_its_street_disjoint_and_covering_the_street()
    {
        Assert.All(Map.Grids.Values, g =>
        {
            var rings = Map.Rings(g.Id);
            Assert.Equal(4, rings.Count);
            Assert.Equal([g.Id], rings[DistrictMap.GridRing]);
            Assert.True(rings[DistrictMap.NeighbourRing].ToHashSet().SetEquals(g.Neighbours));

            var all = rings.SelectMany(r => r).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
            var street = Map.Streets[Map.StreetOf(g.Id)];
            Assert.True(street.CommunityIds.SelectMany(c => Map.Communities[c].GridIds).ToHashSet().SetEquals(all));
            Assert.All(rings[DistrictMap.CommunityRing], id => Assert.Equal(g.CommunityId, Map.Grids[id].CommunityId));
            Assert.All(rings[DistrictMap.StreetRing], id => Assert.NotEqual(g.CommunityId, Map.Grids[id].CommunityId));
        });
    }

    [Fact]
    public void Rings_list_nearest_first()
    {
        var rings = Map.Rings("g0001");
        Assert.All(rings.Skip(1), ring =>
        {
            var distances = ring.Select(id => Map.DistanceMetres("g0001", id)).ToArray();
            Assert.Equal(distances.Order(), distances);
        });
    }

    [Fact]
    public void Distances_are_symmetric_and_zero_to_the_grid_itself()
    {
        var ids = Map.Grids.Keys.Where((_, i) => i % 37 == 0).ToArray();
        foreach (var a in ids)
        {
            Assert.Equal(0d, Map.DistanceMetres(a, a));
            foreach (var b in ids)
                Assert.Equal(Map.DistanceMetres(a, b), Map.DistanceMetres(b, a));
        }
        Assert.All(Map.Grids.Values, g => Assert.All(g.Neighbours, n => Assert.InRange(Map.DistanceMetres(g.Id, n), 1d, 2_000d)));
    }

    [Fact]
    public void Unknown_grids_are_null_from_FindGrid_and_an_argument_error_elsewhere()
    {
        Assert.Null(Map.FindGrid("g9999"));
        Assert.Equal("g0001", Map.FindGrid("g0001")?.Id);
        Assert.Throws<ArgumentException>(() => Map.Rings("g9999"));
        Assert.Throws<ArgumentException>(() => Map.CommunityOf("g9999"));
        Assert.Throws<ArgumentException>(() => Map.DistanceMetres("g0001", "g9999"));
    }

    private const string Valid = """
        {"source":"synthetic","streets":["甲街道"],
         "communities":[{"id":"c1","name":"甲社区","street":"甲街道"}],
         "grids":[{"id":"g1","community":"c1","x":0,"y":0,"neighbours":["g2"]},
                  {"id":"g2","community":"c1","x":3,"y":4,"neighbours":["g1"]}]}
        """;

    [Fact]
    public void Parse_accepts_a_consistent_geography()
    {
        var map = DistrictMap.Parse(Valid);
        Assert.Equal(5d, map.DistanceMetres("g1", "g2"));
        Assert.Equal(["c1"], map.Streets["甲街道"].CommunityIds);
        Assert.Equal(["g1", "g2"], map.Communities["c1"].GridIds);
    }

    [Theory]
    [InlineData("\"community\":\"c1\",\"x\":0", "\"community\":\"c9\",\"x\":0", "community 'c9', which does not exist")]
    [InlineData("\"neighbours\":[\"g2\"]", "\"neighbours\":[\"g3\"]", "neighbour 'g3', which does not exist")]
    [InlineData("\"neighbours\":[\"g1\"]", "\"neighbours\":[]", "must be symmetric")]
    [InlineData("\"neighbours\":[\"g2\"]", "\"neighbours\":[\"g2\",\"g1\"]", "lists itself")]
    [InlineData("\"street\":\"甲街道\"", "\"street\":\"乙街道\"", "street '乙街道', which does not exist")]
    [InlineData("\"grids\":", "\"grid\":", "malformed")]
    public void Parse_rejects_an_inconsistent_geography_with_a_clear_message(string find, string replace, string expected)
    {
        var json = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);
        var e = Assert.Throws<InvalidOperationException>(() => DistrictMap.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

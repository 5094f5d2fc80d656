using System.Globalization;
using CsCheck;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class AllocationTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 20, 1, 0, 0, TimeSpan.Zero);

    private static AllocationCandidate Candidate(string id, decimal score, decimal requested, decimal firstCriterion = 5m, int minutesAfterMorning = 0, decimal matching = 0m) =>
        new(id, score, firstCriterion, Morning.AddMinutes(minutesAfterMorning), requested, matching);

    private static List<AllocationLine> Allocate(IReadOnlyList<AllocationCandidate> candidates, decimal budget, bool partial = false, MatchingBonus? bonus = null) =>
        Allocation.Allocate(candidates, budget, minGrant: 20_000m, maxGrant: 100_000m, partial, bonus);

    [Fact]
    public void Equal_scores_are_ranked_by_the_first_criterion_then_by_the_earlier_submission()
    {
        var candidates = new[]
        {
            Candidate("a", 80m, 50_000m, firstCriterion: 8m, minutesAfterMorning: 0),
            Candidate("b", 80m, 50_000m, firstCriterion: 9m, minutesAfterMorning: 60),
            Candidate("c", 80m, 50_000m, firstCriterion: 9m, minutesAfterMorning: 30),
            Candidate("d", 85m, 50_000m, firstCriterion: 1m, minutesAfterMorning: 90),
        };

        var lines = Allocate(candidates, 1_000_000m);

        Assert.Equal(["d", "c", "b", "a"], lines.Select(l => l.ApplicationId));
        Assert.Equal([1, 2, 3, 4], lines.Select(l => l.Rank));
        Assert.Equal(["d", "c", "b", "a"], Allocation.Rank(candidates, null).Select(r => r.Candidate.ApplicationId));
    }

    [Fact]
    public void Candidates_equal_in_everything_are_ranked_by_application_id()
    {
        var lines = Allocate([Candidate("app-b", 80m, 50_000m), Candidate("app-a", 80m, 50_000m)], 1_000_000m);

        Assert.Equal(["app-a", "app-b"], lines.Select(l => l.ApplicationId));
    }

    [Fact]
    public void Matching_funds_earn_bonus_points_that_can_reorder_two_projects()
    {
        // Matching 30% of the request earns 3 × 0.5 = 1.5 points: 79 + 1.5 passes 80.
        var candidates = new[] { Candidate("plain", 80m, 100_000m), Candidate("matched", 79m, 100_000m, matching: 30_000m) };
        var bonus = new MatchingBonus(PointsPerTenPercent: 0.5m, MaxPoints: 5m);

        var without = Allocate(candidates, 1_000_000m);
        var with = Allocate(candidates, 1_000_000m, bonus: bonus);

        Assert.Equal(["plain", "matched"], without.Select(l => l.ApplicationId));
        Assert.Equal(["matched", "plain"], with.Select(l => l.ApplicationId));
        Assert.Equal((1.5m, 80.5m), (with[0].Bonus, with[0].TotalScore));
        Assert.Equal((0m, 80m), (with[1].Bonus, with[1].TotalScore));
        Assert.Equal(79m, with[0].Score);
    }

    [Theory]
    [InlineData(29_999.99, 1.0)] // 2.9999 tenths: only whole tenths count
    [InlineData(30_000.00, 1.5)]
    [InlineData(0.00, 0.0)]
    [InlineData(200_000.00, 5.0)] // 20 tenths would be 10 points: capped at 5
    public void The_bonus_counts_whole_tenths_of_the_request_and_stops_at_its_maximum(double matching, double expected)
    {
        var candidate = Candidate("a", 70m, 100_000m, matching: (decimal)matching);

        Assert.Equal((decimal)expected, Allocation.Bonus(candidate, new MatchingBonus(0.5m, 5m)));
        Assert.Equal(0m, Allocation.Bonus(candidate, null));
    }

    [Fact]
    public void A_budget_that_funds_exactly_some_projects_stops_at_the_one_that_does_not_fit()
    {
        var candidates = new[] { Candidate("a", 90m, 50_000m), Candidate("b", 85m, 100_000m), Candidate("c", 80m, 30_000m) };

        var lines = Allocate(candidates, 150_000m);

        Assert.Equal([50_000m, 100_000m, 0m], lines.Select(l => l.Granted));
        Assert.Equal([true, true, false], lines.Select(l => l.Funded));
        Assert.Equal(
            [
                "funded in full: 50000 of remaining 150000",
                "funded in full: 100000 of remaining 100000",
                "not funded: 30000 does not fit the remaining 0",
            ],
            lines.Select(l => l.Reason));
    }

    [Fact]
    public void A_lower_project_that_fits_is_funded_after_a_higher_one_that_does_not()
    {
        var candidates = new[] { Candidate("a", 90m, 60_000m), Candidate("b", 85m, 60_000m), Candidate("c", 80m, 40_000m) };

        var lines = Allocate(candidates, 100_000m);

        Assert.Equal([60_000m, 0m, 40_000m], lines.Select(l => l.Granted));
        Assert.Equal("not funded: 60000 does not fit the remaining 40000", lines[1].Reason);
        Assert.Equal("funded in full: 40000 of remaining 40000", lines[2].Reason);
    }

    [Fact]
    public void A_request_above_the_maximum_grant_is_capped()
    {
        var line = Assert.Single(Allocate([Candidate("a", 90m, 150_000m)], 250_000m));

        Assert.Equal(100_000m, line.Granted);
        Assert.Equal(150_000m, line.AmountRequested);
        Assert.False(line.Partial);
        Assert.Equal("capped at the maximum grant 100000 (requested 150000): funded 100000 of remaining 250000", line.Reason);
    }

    [Fact]
    public void When_the_round_allows_it_the_first_project_that_does_not_fit_gets_what_remains()
    {
        var candidates = new[] { Candidate("a", 90m, 100_000m), Candidate("b", 85m, 80_000m), Candidate("c", 80m, 20_000m) };

        var lines = Allocate(candidates, 130_000m, partial: true);

        Assert.Equal([100_000m, 30_000m, 0m], lines.Select(l => l.Granted));
        Assert.Equal([false, true, false], lines.Select(l => l.Partial));
        Assert.True(lines[1].Funded);
        Assert.Equal("partially funded: 30000 remaining (minimum grant 20000) of the 80000 requested", lines[1].Reason);
    }

    [Fact]
    public void Without_partial_funding_the_same_project_gets_nothing()
    {
        var candidates = new[] { Candidate("a", 90m, 100_000m), Candidate("b", 85m, 80_000m) };

        var lines = Allocate(candidates, 130_000m, partial: false);

        Assert.Equal([100_000m, 0m], lines.Select(l => l.Granted));
        Assert.Equal("not funded: 80000 does not fit the remaining 30000", lines[1].Reason);
    }

    [Fact]
    public void No_partial_grant_is_made_below_the_minimum_grant()
    {
        var candidates = new[] { Candidate("a", 90m, 100_000m), Candidate("b", 85m, 80_000m) };

        var lines = Allocate(candidates, 110_000m, partial: true);

        Assert.Equal([100_000m, 0m], lines.Select(l => l.Granted));
        Assert.False(lines[1].Partial);
        Assert.Equal("not funded: 80000 does not fit the remaining 10000; the remainder is below the minimum grant 20000 for a partial grant", lines[1].Reason);
    }

    [Fact]
    public void Amounts_in_fen_are_shown_to_the_fen()
    {
        var line = Assert.Single(Allocate([Candidate("a", 90m, 45_678.90m)], 100_000.5m));

        Assert.Equal(45_678.90m, line.Granted);
        Assert.Equal("funded in full: 45678.90 of remaining 100000.50", line.Reason);
    }

    [Fact]
    public void Reasons_read_the_same_whatever_the_server_s_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");

            var line = Assert.Single(Allocate([Candidate("a", 90m, 45_678.90m)], 100_000.5m));

            Assert.Equal("funded in full: 45678.90 of remaining 100000.50", line.Reason);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Two_candidates_with_the_same_application_id_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Allocate([Candidate("a", 90m, 50_000m), Candidate("a", 80m, 50_000m)], 100_000m));
    }

    /// <summary>A round to allocate: realistic amounts in fen, scores on a coarse grid so that ties are common.</summary>
    private sealed record Input(List<AllocationCandidate> Candidates, decimal Budget, decimal MinGrant, decimal MaxGrant, bool AllowPartial, MatchingBonus? Bonus)
    {
        public List<AllocationLine> Allocate() => Allocation.Allocate(Candidates, Budget, MinGrant, MaxGrant, AllowPartial, Bonus);

        public decimal Cap(AllocationLine line) => Math.Min(line.AmountRequested, MaxGrant);
    }

    private static decimal Fen(long fen) => fen / 100m;

    private static readonly Gen<AllocationCandidate> AnyCandidate = Gen.Select(
        Gen.Int[0, 40], Gen.Int[0, 4], Gen.Int[0, 5], Gen.Long[1_000_000, 15_000_000], Gen.Long[0, 20_000_000],
        (score, first, hour, requested, matching) =>
            new AllocationCandidate(string.Empty, 60m + (score * 0.5m), first * 2.5m, Morning.AddHours(hour), Fen(requested), Fen(matching)));

    private static readonly Gen<MatchingBonus?> AnyBonus =
        Gen.Select(Gen.Bool, Gen.Int[0, 10], Gen.Int[0, 20], (on, perTenth, max) => on ? new MatchingBonus(perTenth / 2m, max) : null);

    private static readonly Gen<Input> AnyInput = Gen.Select(
        AnyCandidate.List[0, 25], Gen.Long[0, 150_000_000], Gen.Long[0, 5_000_000], Gen.Long[0, 15_000_000], Gen.Bool, AnyBonus,
        (candidates, budget, minGrant, aboveMin, partial, bonus) => new Input(
            candidates.Select((c, i) => c with { ApplicationId = $"app-{i:D2}" }).ToList(),
            Fen(budget), Fen(minGrant), Fen(minGrant + aboveMin), partial, bonus));

    private const int Cases = 400;

    [Fact]
    public void The_grants_never_add_up_to_more_than_the_budget()
    {
        AnyInput.Sample(input => Assert.True(input.Allocate().Sum(l => l.Granted) <= input.Budget), iter: Cases);
    }

    [Fact]
    public void No_grant_exceeds_the_request_or_the_maximum_grant()
    {
        AnyInput.Sample(input =>
        {
            foreach (var line in input.Allocate())
            {
                Assert.InRange(line.Granted, 0m, input.Cap(line));
                Assert.Equal(line.Granted > 0m, line.Funded);
                if (line.Funded && !line.Partial)
                {
                    Assert.Equal(input.Cap(line), line.Granted);
                }
            }
        }, iter: Cases);
    }

    [Fact]
    public void There_is_at_most_one_partial_grant_and_it_is_at_least_the_minimum_grant()
    {
        AnyInput.Sample(input =>
        {
            var partials = input.Allocate().Where(l => l.Partial).ToList();
            Assert.True(partials.Count <= (input.AllowPartial ? 1 : 0));
            Assert.All(partials, p => Assert.True(p.Granted >= input.MinGrant && p.Granted < input.Cap(p)));
        }, iter: Cases);
    }

    [Fact]
    public void An_unfunded_project_never_fitted_the_money_left_by_the_projects_ranked_above_it()
    {
        AnyInput.Sample(input =>
        {
            var granted = 0m;
            var partialAbove = false;
            foreach (var line in input.Allocate())
            {
                var remaining = input.Budget - granted;
                if (!line.Funded)
                {
                    Assert.True(input.Cap(line) > remaining, $"{line.ApplicationId} ({input.Cap(line)}) fitted the remaining {remaining}");
                    Assert.False(input.AllowPartial && !partialAbove && remaining >= input.MinGrant && remaining > 0m,
                        $"{line.ApplicationId} could have had a partial grant of the remaining {remaining}");
                }

                granted += line.Granted;
                partialAbove |= line.Partial;
            }
        }, iter: Cases);
    }

    [Fact]
    public void Ranks_run_from_one_in_the_documented_order()
    {
        AnyInput.Sample(input =>
        {
            var lines = input.Allocate();
            var byId = input.Candidates.ToDictionary(c => c.ApplicationId);

            Assert.Equal(Enumerable.Range(1, input.Candidates.Count), lines.Select(l => l.Rank));
            Assert.Equal(byId.Keys.Order(StringComparer.Ordinal), lines.Select(l => l.ApplicationId).Order(StringComparer.Ordinal));
            foreach (var line in lines)
            {
                Assert.Equal(byId[line.ApplicationId].Score + line.Bonus, line.TotalScore);
                Assert.InRange(line.Bonus, 0m, input.Bonus?.MaxPoints ?? 0m);
            }

            foreach (var (higher, lower) in lines.Zip(lines.Skip(1)))
            {
                var (h, l) = (byId[higher.ApplicationId], byId[lower.ApplicationId]);
                var inOrder = higher.TotalScore != lower.TotalScore ? higher.TotalScore > lower.TotalScore
                    : h.FirstCriterionScore != l.FirstCriterionScore ? h.FirstCriterionScore > l.FirstCriterionScore
                    : h.SubmittedAt != l.SubmittedAt ? h.SubmittedAt < l.SubmittedAt
                    : string.CompareOrdinal(h.ApplicationId, l.ApplicationId) < 0;
                Assert.True(inOrder, $"{higher.ApplicationId} is ranked above {lower.ApplicationId}");
            }
        }, iter: Cases);
    }

    [Fact]
    public void The_same_candidates_in_any_order_give_the_same_allocation()
    {
        AnyInput.SelectMany(input => Gen.Shuffle(input.Candidates.ToArray()).Select(shuffled => (input, shuffled))).Sample(
            (input, shuffled) => Assert.Equal(input.Allocate(), (input with { Candidates = [.. shuffled] }).Allocate()),
            iter: Cases);
    }
}

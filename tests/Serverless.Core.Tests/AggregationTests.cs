using System.Globalization;
using CsCheck;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class AggregationTests
{
    /// <summary>The sample round's rubric: community need 40% and project design 60%, each out of 10 points.</summary>
    private static readonly List<Criterion> Rubric = [new("need", "Community need", 40, 10), new("design", "Project design", 60, 10)];

    /// <summary>One criterion worth the whole score, so that a total is ten times the points given.</summary>
    private static readonly List<Criterion> Single = [new("overall", "Overall", 100, 10)];

    private static ReviewScores Review(string application, string reviewer, int need, int design) =>
        new(application, reviewer, new Dictionary<string, int> { ["need"] = need, ["design"] = design });

    private static ReviewScores Overall(string application, string reviewer, int points) =>
        new(application, reviewer, new Dictionary<string, int> { ["overall"] = points });

    [Fact]
    public void A_review_s_total_weighs_each_criterion_s_points_against_its_maximum()
    {
        var total = Aggregation.WeightedTotal(Rubric, new Dictionary<string, int> { ["need"] = 8, ["design"] = 7 });

        Assert.Equal(74m, total);
    }

    [Fact]
    public void A_review_s_total_is_not_rounded()
    {
        List<Criterion> thirds = [new("a", "A", 50, 3), new("b", "B", 50, 7)];

        var total = Aggregation.WeightedTotal(thirds, new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 });

        Assert.NotEqual(Math.Round(total, 2), total);
        Assert.True(Math.Abs(total - (500m / 21m)) < 0.0000000000000000000001m, $"{total} is not 500/21");
    }

    [Fact]
    public void A_review_that_misses_a_criterion_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Aggregation.WeightedTotal(Rubric, new Dictionary<string, int> { ["need"] = 8 }));

        Assert.Contains("design", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-1)]
    public void A_review_with_points_outside_the_criterion_s_range_is_refused(int points)
    {
        Assert.Throws<ArgumentException>(() => Aggregation.WeightedTotal(Rubric, new Dictionary<string, int> { ["need"] = points, ["design"] = 5 }));
        Assert.Throws<ArgumentException>(() => Aggregation.Aggregate(Rubric, AggregationMethod.Mean, [Review("app-1", "r1", 5, points)]));
    }

    [Fact]
    public void The_mean_averages_the_reviewers_totals_and_shows_each_step()
    {
        var reviews = new[] { Review("app-1", "r2", 6, 9), Review("app-1", "r1", 8, 7), Review("app-1", "r3", 5, 5) };

        var score = Assert.Single(Aggregation.Aggregate(Rubric, AggregationMethod.Mean, reviews));

        Assert.Equal("app-1", score.ApplicationId);
        Assert.Equal(67.33m, score.FinalScore);
        Assert.Equal(6.33m, score.FirstCriterionScore);
        Assert.Equal(3, score.ReviewCount);
        Assert.Equal(
            [
                "reviewer r1: 8×40/10 + 7×60/10 = 74.00",
                "reviewer r2: 6×40/10 + 9×60/10 = 78.00",
                "reviewer r3: 5×40/10 + 5×60/10 = 50.00",
                "final = mean of 3 = (74.00 + 78.00 + 50.00) / 3 = 67.33",
                "tie-breaker: mean points on the first criterion need = (8 + 6 + 5) / 3 = 6.33",
            ],
            score.Steps);
    }

    [Fact]
    public void With_five_reviews_the_trimmed_mean_drops_one_highest_and_one_lowest_total()
    {
        var reviews = new[]
        {
            Review("app-1", "r1", 10, 10), Review("app-1", "r2", 2, 1), Review("app-1", "r3", 8, 7),
            Review("app-1", "r4", 6, 9), Review("app-1", "r5", 5, 5),
        };

        var score = Assert.Single(Aggregation.Aggregate(Rubric, AggregationMethod.TrimmedMean, reviews));

        Assert.Equal(67.33m, score.FinalScore);
        Assert.Equal(5, score.ReviewCount);
        Assert.Contains("dropped highest 100.00 and lowest 14.00 (5 reviews)", score.Steps);
        Assert.Contains("final = mean of the remaining 3 = (50.00 + 74.00 + 78.00) / 3 = 67.33", score.Steps);
    }

    [Fact]
    public void The_trimmed_mean_drops_exactly_one_of_several_equal_highest_and_lowest_totals()
    {
        var reviews = new[]
        {
            Overall("app-1", "r1", 10), Overall("app-1", "r2", 10), Overall("app-1", "r3", 7),
            Overall("app-1", "r4", 5), Overall("app-1", "r5", 1), Overall("app-1", "r6", 1),
        };

        var score = Assert.Single(Aggregation.Aggregate(Single, AggregationMethod.TrimmedMean, reviews));

        // (100 + 70 + 50 + 10) / 4, not (70 + 50) / 2.
        Assert.Equal(57.50m, score.FinalScore);
        Assert.Contains("dropped highest 100.00 and lowest 10.00 (6 reviews)", score.Steps);
    }

    [Fact]
    public void With_fewer_than_five_reviews_the_trimmed_mean_is_the_plain_mean_and_says_so()
    {
        var reviews = new[] { Review("app-1", "r1", 10, 10), Review("app-1", "r2", 2, 1), Review("app-1", "r3", 8, 7), Review("app-1", "r4", 6, 9) };

        var score = Assert.Single(Aggregation.Aggregate(Rubric, AggregationMethod.TrimmedMean, reviews));

        Assert.Equal(66.50m, score.FinalScore);
        Assert.Contains("fewer than 5 reviews (4): nothing dropped, plain mean", score.Steps);
        Assert.DoesNotContain(score.Steps, s => s.StartsWith("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public void Z_scores_rank_a_harsh_reviewer_s_best_application_above_a_lenient_reviewer_s_worst()
    {
        // The harsh reviewer gives 70 and 30; the lenient one 80 and 100. Averaged, B (80) beats A (70); normalised,
        // A is one standard deviation above its reviewer's mean and B one below.
        var reviews = new[] { Overall("A", "harsh", 7), Overall("X", "harsh", 3), Overall("B", "lenient", 8), Overall("Y", "lenient", 10) };

        var mean = Aggregation.Aggregate(Single, AggregationMethod.Mean, reviews).ToDictionary(s => s.ApplicationId, s => s.FinalScore);
        var z = Aggregation.Aggregate(Single, AggregationMethod.ZScore, reviews).ToDictionary(s => s.ApplicationId);

        Assert.True(mean["B"] > mean["A"]);
        Assert.Equal(60.00m, z["A"].FinalScore);
        Assert.Equal(40.00m, z["B"].FinalScore);
        Assert.Equal(
            [
                "reviewer harsh: 7×100/10 = 70.00",
                "reviewer harsh: mean 50.00, sd 20.00 over 2 reviews, z = 1.0000",
                "mean z = (1.0000) / 1 = 1.0000",
                "final = 50 + 10 × 1.0000 = 60.00",
                "tie-breaker: mean points on the first criterion overall = (7) / 1 = 7.00",
            ],
            z["A"].Steps);
    }

    [Fact]
    public void A_z_score_uses_the_population_standard_deviation_of_everything_the_reviewer_scored()
    {
        // Totals 40, 50 and 90: mean 60, population variance 1400 / 3, sd 21.6025 (the sample sd would be 26.4575).
        var reviews = new[] { Overall("a", "r1", 4), Overall("b", "r1", 5), Overall("c", "r1", 9) };

        var scores = Aggregation.Aggregate(Single, AggregationMethod.ZScore, reviews).ToDictionary(s => s.ApplicationId);

        Assert.Equal(40.74m, scores["a"].FinalScore);
        Assert.Equal(45.37m, scores["b"].FinalScore);
        Assert.Equal(63.89m, scores["c"].FinalScore);
        Assert.Contains("reviewer r1: mean 60.00, sd 21.60 over 3 reviews, z = 1.3887", scores["c"].Steps);
    }

    [Fact]
    public void An_application_s_z_score_averages_the_z_of_each_of_its_reviewers()
    {
        // r1 gave 40 and 60 (z = -1 and +1); r2 gave 80 and 100 (z = -1 and +1); app-1 got r1's 60 and r2's 80.
        var reviews = new[] { Overall("app-1", "r1", 6), Overall("app-1", "r2", 8), Overall("app-2", "r1", 4), Overall("app-3", "r2", 10) };

        var score = Aggregation.Aggregate(Single, AggregationMethod.ZScore, reviews).Single(s => s.ApplicationId == "app-1");

        Assert.Equal(50.00m, score.FinalScore);
        Assert.Contains("mean z = (1.0000 + -1.0000) / 2 = 0.0000", score.Steps);
    }

    [Fact]
    public void A_reviewer_without_spread_gives_a_z_of_zero_rather_than_dividing_by_zero()
    {
        var reviews = new[] { Overall("a", "only-once", 9), Overall("b", "always-seven", 7), Overall("c", "always-seven", 7) };

        var scores = Aggregation.Aggregate(Single, AggregationMethod.ZScore, reviews).ToDictionary(s => s.ApplicationId);

        Assert.All(scores.Values, s => Assert.Equal(50.00m, s.FinalScore));
        Assert.Contains("reviewer only-once: mean 90.00, sd 0.00 over 1 reviews, z = 0.0000 (their only review: no spread to measure)", scores["a"].Steps);
        Assert.Contains("reviewer always-seven: mean 70.00, sd 0.00 over 2 reviews, z = 0.0000 (all their totals are equal: no spread to measure)", scores["b"].Steps);
    }

    [Fact]
    public void Scores_are_rounded_to_two_decimals_half_away_from_zero()
    {
        List<Criterion> fine = [new("c", "Fine-grained", 100, 400)];
        ReviewScores Fine(string reviewer, int points) => new("app-1", reviewer, new Dictionary<string, int> { ["c"] = points });

        // Totals 0 and 0.25: the mean 0.125 rounds up to 0.13 (banker's rounding would give 0.12).
        var two = Assert.Single(Aggregation.Aggregate(fine, AggregationMethod.Mean, [Fine("r1", 0), Fine("r2", 1)]));

        // Points 1, 0, 0, 0, 0, 0, 0, 0 on the first criterion: the mean 0.125 rounds up to 0.13.
        var eight = Assert.Single(Aggregation.Aggregate(fine, AggregationMethod.Mean,
            [Fine("r1", 1), .. Enumerable.Range(2, 7).Select(i => Fine($"r{i}", 0))]));

        Assert.Equal(0.13m, two.FinalScore);
        Assert.Equal(0.13m, eight.FirstCriterionScore);
    }

    [Fact]
    public void Results_come_one_per_reviewed_application_in_ordinal_id_order()
    {
        var reviews = new[] { Review("b", "r1", 5, 5), Review("a-2", "r1", 5, 5), Review("B", "r1", 5, 5), Review("a", "r1", 5, 5), Review("a", "r2", 5, 5) };

        var scores = Aggregation.Aggregate(Rubric, AggregationMethod.Mean, reviews);

        Assert.Equal(["B", "a", "a-2", "b"], scores.Select(s => s.ApplicationId));
        Assert.Equal([1, 2, 1, 1], scores.Select(s => s.ReviewCount));
    }

    [Fact]
    public void A_reviewer_counted_twice_on_one_application_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Aggregation.Aggregate(Rubric, AggregationMethod.Mean, [Review("a", "r1", 5, 5), Review("a", "r1", 6, 6)]));
    }

    [Fact]
    public void Steps_read_the_same_whatever_the_server_s_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");

            var score = Assert.Single(Aggregation.Aggregate(Rubric, AggregationMethod.Mean, [Review("a", "r1", 8, 7), Review("a", "r2", 5, 6)]));

            Assert.Contains("final = mean of 2 = (74.00 + 56.00) / 2 = 65.00", score.Steps);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    /// <summary>A round's reviews: up to eight reviewers scoring up to ten applications on the two-criterion rubric.</summary>
    private static readonly Gen<List<ReviewScores>> Reviews =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 7], Gen.Int[0, 10], Gen.Int[0, 10]).List[1, 40]
            .Select(rows => rows
                .DistinctBy(r => (r.Item1, r.Item2))
                .Select(r => Review($"app-{r.Item1}", $"r{r.Item2}", r.Item3, r.Item4))
                .ToList());

    private static List<string> Summary(IEnumerable<ApplicationScore> scores) =>
        scores.Select(s => $"{s.ApplicationId} {s.FinalScore} {s.FirstCriterionScore} {s.ReviewCount} | {string.Join(" | ", s.Steps)}").ToList();

    [Theory]
    [InlineData(AggregationMethod.Mean)]
    [InlineData(AggregationMethod.TrimmedMean)]
    [InlineData(AggregationMethod.ZScore)]
    public void The_same_reviews_in_any_order_give_the_same_scores_and_steps(AggregationMethod method)
    {
        Reviews.SelectMany(r => Gen.Shuffle(r.ToArray()).Select(shuffled => (r, shuffled))).Sample(
            (reviews, shuffled) => Assert.Equal(
                Summary(Aggregation.Aggregate(Rubric, method, reviews)),
                Summary(Aggregation.Aggregate(Rubric, method, shuffled))),
            iter: 300);
    }

    [Theory]
    [InlineData(AggregationMethod.Mean)]
    [InlineData(AggregationMethod.TrimmedMean)]
    public void An_averaged_score_lies_between_the_application_s_lowest_and_highest_totals(AggregationMethod method)
    {
        Reviews.Sample(reviews =>
        {
            foreach (var score in Aggregation.Aggregate(Rubric, method, reviews))
            {
                var totals = reviews.Where(r => r.ApplicationId == score.ApplicationId).Select(r => Aggregation.WeightedTotal(Rubric, r.Points)).ToList();
                Assert.InRange(score.FinalScore, Math.Round(totals.Min(), 2), Math.Round(totals.Max(), 2));
                Assert.Equal(totals.Count, score.ReviewCount);
            }
        }, iter: 300);
    }

    [Fact]
    public void When_every_reviewer_scores_every_application_the_z_scores_centre_on_fifty()
    {
        var fullPanel = Gen.Select(Gen.Int[2, 8], Gen.Int[1, 5]).SelectMany((applications, reviewers) =>
            Gen.Int[0, 10].Array[applications * reviewers * 2].Select(points =>
                Enumerable.Range(0, applications).SelectMany(a => Enumerable.Range(0, reviewers).Select(r =>
                    Review($"app-{a}", $"r{r}", points[((a * reviewers) + r) * 2], points[(((a * reviewers) + r) * 2) + 1]))).ToList()));

        fullPanel.Sample(reviews =>
        {
            var scores = Aggregation.Aggregate(Rubric, AggregationMethod.ZScore, reviews);

            // Each reviewer's z-scores sum to zero, so the applications' T-scores average 50 up to their rounding.
            Assert.InRange(scores.Average(s => s.FinalScore), 49.995m, 50.005m);
        }, iter: 300);
    }
}

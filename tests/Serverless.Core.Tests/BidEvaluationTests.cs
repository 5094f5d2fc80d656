using CsCheck;
using Serverless.Core.Procurement;

namespace Serverless.Core.Tests;

public sealed class BidEvaluationTests
{
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static BidForEvaluation Bid(string id, decimal price, decimal plan, decimal team, int minutes = 0, bool qualified = true) =>
        new(id, price, qualified, T0.AddMinutes(minutes), new Dictionary<string, decimal> { ["plan"] = plan, ["team"] = team });

    [Fact]
    public void The_price_score_is_the_lowest_valid_price_over_the_bid_price_times_the_price_weight()
    {
        // Worked example: lowest valid price 400,000; a bid of 500,000; price weight 20 points.
        Assert.Equal(16.00m, BidEvaluation.PriceScore(400_000m, 500_000m, 20));
        Assert.Equal(20.00m, BidEvaluation.PriceScore(400_000m, 400_000m, 20));
        Assert.Equal(13.33m, BidEvaluation.PriceScore(400_000m, 600_000m, 20));
    }

    [Fact]
    public void Comprehensive_scoring_ranks_by_price_score_plus_technical_points_and_explains_each_step()
    {
        var ranking = BidEvaluation.Rank([Bid("a", 500_000m, 45m, 25m), Bid("b", 400_000m, 40m, 20m), Bid("c", 450_000m, 48m, 28m)],
            EvaluationMethod.ComprehensiveScoring, 20);

        Assert.Equal(["c", "a", "b"], ranking.Select(r => r.BidId).ToArray());
        var c = ranking[0];
        Assert.Equal((17.78m, 76.00m, 93.78m), (c.PriceScore, c.TechnicalScore, c.Total));
        Assert.Contains("price score = 400000 ÷ 450000 × 20 = 17.78", c.Steps);
        Assert.Equal([1, 2, 3], ranking.Select(r => r.Rank).ToArray());
    }

    [Fact]
    public void Equal_totals_go_to_the_lower_price_then_the_earlier_bid()
    {
        var ranking = BidEvaluation.Rank([Bid("late", 400_000m, 40m, 20m, minutes: 5), Bid("early", 400_000m, 40m, 20m, minutes: 1)],
            EvaluationMethod.ComprehensiveScoring, 20);

        Assert.Equal(["early", "late"], ranking.Select(r => r.BidId).ToArray());
    }

    [Fact]
    public void A_disqualified_bid_is_not_ranked_and_does_not_set_the_benchmark_price()
    {
        var ranking = BidEvaluation.Rank([Bid("cheap-but-disqualified", 100_000m, 50m, 30m, qualified: false), Bid("a", 400_000m, 40m, 20m)],
            EvaluationMethod.ComprehensiveScoring, 20);

        Assert.Equal("a", Assert.Single(ranking).BidId);
        Assert.Equal(20.00m, ranking[0].PriceScore);
    }

    [Fact]
    public void A_price_under_eighty_percent_of_the_mean_valid_price_is_abnormally_low()
    {
        // Mean 433,333.33; 80% of it is 346,666.67: 300,000 is under it. With 370,000 the mean is 456,666.67: 80% is 365,333.33, 90% is 411,000.
        var (mean, low) = BidEvaluation.FindAbnormallyLow([("a", 500_000m), ("b", 500_000m), ("low", 300_000m)]);
        Assert.Equal(433_333.33m, mean);
        Assert.Equal(["low"], low);
        Assert.Empty(BidEvaluation.FindAbnormallyLow([("a", 500_000m), ("b", 500_000m), ("c", 370_000m)]).BidIds);
        Assert.Equal(["c"], BidEvaluation.FindAbnormallyLow([("a", 500_000m), ("b", 500_000m), ("c", 370_000m)], 0.9m).BidIds.ToArray());
    }

    [Fact]
    public void An_explained_abnormally_low_price_is_ranked_with_its_explanation_shown()
    {
        var ranking = BidEvaluation.Rank([Bid("a", 500_000m, 40m, 20m), Bid("low", 300_000m, 40m, 20m) with { PriceNote = "abnormally low, explained" }],
            EvaluationMethod.ComprehensiveScoring, 20);

        Assert.True(ranking.Single(r => r.BidId == "low").AbnormallyLow);
        Assert.False(ranking.Single(r => r.BidId == "a").AbnormallyLow);
        Assert.Contains("abnormally low, explained", ranking.Single(r => r.BidId == "low").Steps);
    }

    [Fact]
    public void Lowest_price_evaluation_ranks_the_cheapest_qualified_bid_first_whatever_its_technical_points()
    {
        var ranking = BidEvaluation.Rank([Bid("good", 450_000m, 50m, 30m), Bid("cheap", 420_000m, 10m, 5m)], EvaluationMethod.LowestPrice, 100);

        Assert.Equal(["cheap", "good"], ranking.Select(r => r.BidId).ToArray());
    }

    [Fact]
    public void The_cheapest_valid_bid_always_gets_the_full_price_weight_and_no_bid_gets_more()
    {
        Gen.Decimal[1_000m, 1_000_000m].Array[1, 10].Sample(prices =>
        {
            var bids = prices.Select((p, i) => Bid($"b{i}", decimal.Round(p, 2), 10m, 10m, i)).ToList();
            var ranking = BidEvaluation.Rank(bids, EvaluationMethod.ComprehensiveScoring, 30);
            var cheapest = bids.MinBy(b => b.Price)!;
            Assert.Equal(30.00m, ranking.First(r => r.BidId == cheapest.BidId).PriceScore);
            Assert.All(ranking, r => Assert.InRange(r.PriceScore, 0m, 30m));
        });
    }
}

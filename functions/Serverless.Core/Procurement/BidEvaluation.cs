using System.Globalization;

namespace Serverless.Core.Procurement;

/// <summary>
/// A bid as the ranking sees it. <c>PriceNote</c> is set when its price was found abnormally low at opening
/// and explained: the note is shown among the ranking's steps.
/// </summary>
public sealed record BidForEvaluation(string BidId, decimal Price, bool Qualified, DateTimeOffset SubmittedAt, IReadOnlyDictionary<string, decimal> TechnicalPoints,
    string? PriceNote = null);

/// <summary>A bid's place in a lot's ranking, with every step of its score.</summary>
public sealed record BidRanking(int Rank, string BidId, decimal PriceScore, decimal TechnicalScore, decimal Total, bool AbnormallyLow, List<string> Steps);

/// <summary>
/// Scoring a lot's bids (评标), as pure functions. The price score is the benchmark-price method
/// (基准价法): lowest valid price ÷ bid price × price weight (in points of 100). A price under a share
/// (80% by default) of the mean valid price is abnormally low and must be explained by its bidder.
/// </summary>
public static class BidEvaluation
{
    public const decimal DefaultAbnormalShare = 0.8m;

    /// <summary>Points out of <paramref name="priceWeight"/>, rounded to two decimals half away from zero.</summary>
    public static decimal PriceScore(decimal lowestValidPrice, decimal price, int priceWeight)
    {
        if (lowestValidPrice <= 0 || price <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), "Prices are positive.");
        }

        return decimal.Round(lowestValidPrice / price * priceWeight, 2, MidpointRounding.AwayFromZero);
    }

    public static bool IsAbnormallyLow(decimal price, decimal meanValidPrice, decimal share = DefaultAbnormalShare) => price < meanValidPrice * share;

    /// <summary>
    /// The prices of a lot's qualified bids at opening that are abnormally low: under <paramref name="share"/>
    /// of their mean. Decided once, at opening, so that a bid rejected later does not move the line for others.
    /// </summary>
    public static (decimal Mean, List<string> BidIds) FindAbnormallyLow(IReadOnlyList<(string BidId, decimal Price)> qualified, decimal share = DefaultAbnormalShare)
    {
        ArgumentNullException.ThrowIfNull(qualified);
        if (qualified.Count == 0)
        {
            return (0m, []);
        }

        var mean = decimal.Round(qualified.Average(b => b.Price), 2, MidpointRounding.AwayFromZero);
        return (mean, qualified.Where(b => IsAbnormallyLow(b.Price, mean, share)).Select(b => b.BidId).ToList());
    }

    /// <summary>
    /// Ranks the qualified bids of one lot. Comprehensive scoring: price score plus technical points,
    /// ties to the lower price, then the earlier bid. Lowest price: the lowest qualified price first, ties
    /// to the earlier bid. Disqualified bids are not ranked.
    /// </summary>
    public static List<BidRanking> Rank(IReadOnlyList<BidForEvaluation> bids, EvaluationMethod method, int priceWeight)
    {
        ArgumentNullException.ThrowIfNull(bids);
        var valid = bids.Where(b => b.Qualified).ToList();
        if (valid.Count == 0)
        {
            return [];
        }

        var lowest = valid.Min(b => b.Price);
        var scored = valid.Select(b =>
        {
            var steps = new List<string>();
            var priceScore = method == EvaluationMethod.ComprehensiveScoring ? PriceScore(lowest, b.Price, priceWeight) : 0m;
            if (method == EvaluationMethod.ComprehensiveScoring)
            {
                steps.Add(Invariant($"price score = {lowest} ÷ {b.Price} × {priceWeight} = {priceScore:0.00}"));
            }

            var technical = decimal.Round(b.TechnicalPoints.Values.Sum(), 2, MidpointRounding.AwayFromZero);
            if (method == EvaluationMethod.ComprehensiveScoring)
            {
                steps.Add(Invariant($"technical = {string.Join(" + ", b.TechnicalPoints.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:0.00}"))} = {technical:0.00}"));
            }

            var abnormal = b.PriceNote is not null;
            if (abnormal)
            {
                steps.Add(b.PriceNote!);
            }

            var total = method == EvaluationMethod.ComprehensiveScoring ? priceScore + technical : 0m;
            return (Bid: b, PriceScore: priceScore, Technical: technical, Total: total, Abnormal: abnormal, Steps: steps);
        });

        var ordered = method == EvaluationMethod.ComprehensiveScoring
            ? scored.OrderByDescending(s => s.Total).ThenBy(s => s.Bid.Price).ThenBy(s => s.Bid.SubmittedAt).ThenBy(s => s.Bid.BidId, StringComparer.Ordinal)
            : scored.OrderBy(s => s.Bid.Price).ThenBy(s => s.Bid.SubmittedAt).ThenBy(s => s.Bid.BidId, StringComparer.Ordinal);
        return ordered.Select((s, i) => new BidRanking(i + 1, s.Bid.BidId, s.PriceScore, s.Technical, s.Total, s.Abnormal, s.Steps)).ToList();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

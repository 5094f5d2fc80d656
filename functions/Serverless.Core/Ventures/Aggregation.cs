using System.Globalization;

namespace Serverless.Core.Ventures;

/// <summary>How a round turns an application's reviews into one final score.</summary>
public enum AggregationMethod
{
    /// <summary>The plain average of the reviewers' totals.</summary>
    Mean,

    /// <summary>去掉一个最高分和一个最低分: with at least five reviews, one highest and one lowest total are dropped before averaging.</summary>
    TrimmedMean,

    /// <summary>Each total is measured against its reviewer's own mean and spread, correcting harsh and lenient reviewers.</summary>
    ZScore,
}

/// <summary>One reviewer's points for one application: criterion id → points given.</summary>
public sealed record ReviewScores(string ApplicationId, string ReviewerId, IReadOnlyDictionary<string, int> Points);

/// <summary>An application's final score, its tie-breaker, and every step that produced them, for the committee to check.</summary>
public sealed record ApplicationScore(string ApplicationId, decimal FinalScore, decimal FirstCriterionScore, int ReviewCount, List<string> Steps);

/// <summary>
/// Turns reviews into final scores. Pure and deterministic: the same reviews in any order give the same scores and
/// the same explanation, so a committee member can recompute every number from the steps.
/// </summary>
public static class Aggregation
{
    /// <summary>With fewer reviews, dropping the highest and the lowest would leave too little to average.</summary>
    public const int TrimmingNeedsReviews = 5;

    /// <summary>The T-score scale: a reviewer's average application scores 50, one standard deviation is 10 points.</summary>
    private const decimal TCentre = 50m;

    private const decimal TSpread = 10m;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Σ over criteria of weight × points / maxPoints: 0..100 when the weights add up to 100. Not rounded.</summary>
    /// <exception cref="ArgumentException">A rubric criterion has no points, or its points are outside 0..MaxPoints.</exception>
    public static decimal WeightedTotal(IReadOnlyList<Criterion> rubric, IReadOnlyDictionary<string, int> points)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        ArgumentNullException.ThrowIfNull(points);
        return Total(rubric, points, "The review");
    }

    /// <summary>One score per application that has at least one review, ordered by application id (ordinal).</summary>
    /// <exception cref="ArgumentException">
    /// The rubric is empty, a review misses a criterion or scores outside its range, or one reviewer reviewed the same
    /// application twice (which would count that reviewer double).
    /// </exception>
    public static List<ApplicationScore> Aggregate(IReadOnlyList<Criterion> rubric, AggregationMethod method, IReadOnlyList<ReviewScores> reviews)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        ArgumentNullException.ThrowIfNull(reviews);
        if (rubric.Count == 0)
        {
            throw new ArgumentException("The rubric has no criteria.", nameof(rubric));
        }

        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown aggregation method.");
        }

        var scored = reviews
            .Select(r => new Scored(r.ApplicationId, r.ReviewerId, r.Points, Total(rubric, r.Points, $"The review of {r.ApplicationId} by {r.ReviewerId}")))
            .OrderBy(s => s.ApplicationId, StringComparer.Ordinal)
            .ThenBy(s => s.ReviewerId, StringComparer.Ordinal)
            .ToList();

        var twice = scored.GroupBy(s => (s.ApplicationId, s.ReviewerId)).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ArgumentException($"Reviewer {twice.Key.ReviewerId} reviewed application {twice.Key.ApplicationId} more than once.", nameof(reviews));
        }

        // A reviewer's habits are measured over everything that reviewer scored in the input, not over one application.
        var habits = method == AggregationMethod.ZScore
            ? scored.GroupBy(s => s.ReviewerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Habit.Of(g.Select(s => s.Total).ToList()), StringComparer.Ordinal)
            : [];

        return scored
            .GroupBy(s => s.ApplicationId, StringComparer.Ordinal)
            .Select(g => Score(rubric, method, g.Key, g.ToList(), habits))
            .ToList();
    }

    private static ApplicationScore Score(
        IReadOnlyList<Criterion> rubric, AggregationMethod method, string applicationId, List<Scored> reviews, Dictionary<string, Habit> habits)
    {
        var steps = reviews.Select(r => Explain(rubric, r)).ToList();
        var final = method switch
        {
            AggregationMethod.Mean => Mean(reviews, steps),
            AggregationMethod.TrimmedMean => TrimmedMean(reviews, steps),
            _ => ZScore(reviews, habits, steps),
        };

        var first = rubric[0];
        var firstPoints = reviews.Select(r => (decimal)r.Points[first.Id]).ToList();
        var firstCriterionScore = Round2(firstPoints.Sum() / firstPoints.Count);
        steps.Add(string.Create(Invariant, $"tie-breaker: mean points on the first criterion {first.Id} = ({Join(firstPoints, 0)}) / {firstPoints.Count} = {Number(firstCriterionScore)}"));

        return new ApplicationScore(applicationId, Round2(final), firstCriterionScore, reviews.Count, steps);
    }

    private static decimal Mean(List<Scored> reviews, List<string> steps)
    {
        var totals = reviews.Select(r => r.Total).ToList();
        var mean = totals.Sum() / totals.Count;
        steps.Add(string.Create(Invariant, $"final = mean of {totals.Count} = ({Join(totals, 2)}) / {totals.Count} = {Number(mean)}"));
        return mean;
    }

    private static decimal TrimmedMean(List<Scored> reviews, List<string> steps)
    {
        if (reviews.Count < TrimmingNeedsReviews)
        {
            steps.Add(string.Create(Invariant, $"fewer than {TrimmingNeedsReviews} reviews ({reviews.Count}): nothing dropped, plain mean"));
            return Mean(reviews, steps);
        }

        var ordered = reviews.OrderBy(r => r.Total).ThenBy(r => r.ReviewerId, StringComparer.Ordinal).ToList();
        steps.Add(string.Create(Invariant, $"dropped highest {Number(ordered[^1].Total)} and lowest {Number(ordered[0].Total)} ({reviews.Count} reviews)"));
        var kept = ordered.GetRange(1, ordered.Count - 2).Select(r => r.Total).ToList();
        var mean = kept.Sum() / kept.Count;
        steps.Add(string.Create(Invariant, $"final = mean of the remaining {kept.Count} = ({Join(kept, 2)}) / {kept.Count} = {Number(mean)}"));
        return mean;
    }

    private static decimal ZScore(List<Scored> reviews, Dictionary<string, Habit> habits, List<string> steps)
    {
        var zs = new List<decimal>();
        foreach (var review in reviews)
        {
            var habit = habits[review.ReviewerId];
            var z = habit.Deviation == 0m ? 0m : (review.Total - habit.Mean) / habit.Deviation;
            zs.Add(z);
            var why = habit.Deviation != 0m ? string.Empty
                : habit.Count == 1 ? " (their only review: no spread to measure)"
                : " (all their totals are equal: no spread to measure)";
            steps.Add(string.Create(Invariant, $"reviewer {review.ReviewerId}: mean {Number(habit.Mean)}, sd {Number(habit.Deviation)} over {habit.Count} reviews, z = {Z(z)}{why}"));
        }

        var meanZ = zs.Sum() / zs.Count;
        steps.Add(string.Create(Invariant, $"mean z = ({Join(zs, 4)}) / {zs.Count} = {Z(meanZ)}"));
        var final = TCentre + (TSpread * meanZ);
        steps.Add(string.Create(Invariant, $"final = {TCentre} + {TSpread} × {Z(meanZ)} = {Number(final)}"));
        return final;
    }

    private static string Explain(IReadOnlyList<Criterion> rubric, Scored review)
    {
        var parts = rubric.Select(c => string.Create(Invariant, $"{review.Points[c.Id]}×{c.Weight}/{c.MaxPoints}"));
        return string.Create(Invariant, $"reviewer {review.ReviewerId}: {string.Join(" + ", parts)} = {Number(review.Total)}");
    }

    /// <summary>
    /// The weighted total, guarding what the review endpoint already validates: every criterion scored, within its
    /// range. Points for criteria that are not in the rubric count for nothing.
    /// </summary>
    private static decimal Total(IReadOnlyList<Criterion> rubric, IReadOnlyDictionary<string, int>? points, string review)
    {
        if (points is null)
        {
            throw new ArgumentException($"{review} has no points.", nameof(points));
        }

        var total = 0m;
        foreach (var criterion in rubric)
        {
            if (criterion.MaxPoints <= 0)
            {
                throw new ArgumentException(string.Create(Invariant, $"Criterion {criterion.Id} has no points to give (maximum {criterion.MaxPoints})."), nameof(rubric));
            }

            if (!points.TryGetValue(criterion.Id, out var given))
            {
                throw new ArgumentException($"{review} gives no points for criterion {criterion.Id}.", nameof(points));
            }

            if (given < 0 || given > criterion.MaxPoints)
            {
                throw new ArgumentException(string.Create(Invariant, $"{review} gives {given} points for criterion {criterion.Id}, which takes 0 to {criterion.MaxPoints}."), nameof(points));
            }

            total += (decimal)criterion.Weight * given / criterion.MaxPoints;
        }

        return total;
    }

    private static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static string Number(decimal value) => Fixed(value, 2);

    /// <summary>z-scores are shown to four places so that the final step can be checked by hand to the cent.</summary>
    private static string Z(decimal value) => Fixed(value, 4);

    private static string Fixed(decimal value, int places)
    {
        var rounded = Math.Round(value, places, MidpointRounding.AwayFromZero);

        // A tiny negative rounds to a signed zero; a reader should see 0, not -0.
        return (rounded == 0m ? 0m : rounded).ToString("F" + places.ToString(Invariant), Invariant);
    }

    private static string Join(IEnumerable<decimal> values, int places) => string.Join(" + ", values.Select(v => Fixed(v, places)));

    private sealed record Scored(string ApplicationId, string ReviewerId, IReadOnlyDictionary<string, int> Points, decimal Total);

    /// <summary>How a reviewer scores across the input: the mean and the population standard deviation of their totals.</summary>
    private sealed record Habit(decimal Mean, decimal Deviation, int Count)
    {
        public static Habit Of(List<decimal> totals)
        {
            // Decided on the totals themselves, not on a computed variance, so that rounding in the mean can never
            // turn identical totals into a tiny spread and a huge z.
            if (totals.TrueForAll(t => t == totals[0]))
            {
                return new Habit(totals[0], 0m, totals.Count);
            }

            var mean = totals.Sum() / totals.Count;
            var variance = totals.Sum(t => (t - mean) * (t - mean)) / totals.Count;
            return new Habit(mean, SquareRoot(variance), totals.Count);
        }

        /// <summary>Square root of a positive decimal: a double estimate, then Newton steps in decimal to full precision.</summary>
        private static decimal SquareRoot(decimal value)
        {
            var root = (decimal)Math.Sqrt((double)value);
            for (var i = 0; i < 2; i++)
            {
                root = (root + (value / root)) / 2m;
            }

            return root;
        }
    }
}

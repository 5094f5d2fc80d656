using System.Globalization;

namespace Serverless.Core.Ventures;

/// <summary>Bonus points for matching funds: so many points per whole tenth of the request that the organization matches, up to a cap.</summary>
public sealed record MatchingBonus(decimal PointsPerTenPercent, decimal MaxPoints);

/// <summary>An application as allocation sees it: its final score, its tie-breakers and its money (CNY).</summary>
public sealed record AllocationCandidate(
    string ApplicationId,
    decimal Score,
    decimal FirstCriterionScore,
    DateTimeOffset SubmittedAt,
    decimal AmountRequested,
    decimal MatchingFunds);

/// <summary>One line of the round's results: where the application ranks, what it was granted, and why in plain words.</summary>
public sealed record AllocationLine(
    int Rank,
    string ApplicationId,
    decimal Score,
    decimal Bonus,
    decimal TotalScore,
    decimal AmountRequested,
    decimal Granted,
    bool Funded,
    bool Partial,
    string Reason);

/// <summary>
/// Ranks the scored applications and funds down the ranking until the budget runs out. Pure and deterministic: the
/// order of the input does not matter, because the ranking is a total order (application ids are unique).
/// </summary>
public static class Allocation
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The ranking order: total score (score + bonus) descending, then the score on the round's first criterion
    /// descending, then the earlier submission, then the application id (ordinal) so that no two lines ever tie.
    /// </summary>
    public static IComparer<RankedCandidate> RankingOrder { get; } = Comparer<RankedCandidate>.Create(Compare);

    /// <summary>
    /// Allocates the budget: each project in rank order gets its request capped at the maximum grant if that fits the
    /// money remaining; when it does not fit, the round may fund one project partially with all that remains (never
    /// below the minimum grant); otherwise the project is skipped and a lower one that fits may still be funded.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Two candidates share an application id, a request is not positive, matching funds are negative, or the
    /// budget or grant limits are negative or inverted.
    /// </exception>
    public static List<AllocationLine> Allocate(
        IReadOnlyList<AllocationCandidate> candidates,
        decimal budget,
        decimal minGrant,
        decimal maxGrant,
        bool allowPartialFunding,
        MatchingBonus? bonus)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        ArgumentOutOfRangeException.ThrowIfNegative(minGrant);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGrant, minGrant);

        var lines = new List<AllocationLine>();
        var remaining = budget;
        var partialGiven = false;
        foreach (var ranked in Rank(candidates, bonus))
        {
            var candidate = ranked.Candidate;
            var requested = candidate.AmountRequested;
            var cap = Math.Min(requested, maxGrant);
            var capped = cap < requested
                ? string.Create(Invariant, $" (requested {Money(requested)}, capped at the maximum grant {Money(maxGrant)})")
                : string.Empty;
            decimal granted;
            bool partial;
            string reason;
            if (cap <= remaining)
            {
                granted = cap;
                partial = false;
                reason = capped.Length == 0
                    ? string.Create(Invariant, $"funded in full: {Money(cap)} of remaining {Money(remaining)}")
                    : string.Create(Invariant, $"capped at the maximum grant {Money(maxGrant)} (requested {Money(requested)}): funded {Money(cap)} of remaining {Money(remaining)}");
            }
            else if (allowPartialFunding && !partialGiven && remaining >= minGrant && remaining > 0m)
            {
                granted = remaining;
                partial = true;
                partialGiven = true;
                reason = capped.Length == 0
                    ? string.Create(Invariant, $"partially funded: {Money(remaining)} remaining (minimum grant {Money(minGrant)}) of the {Money(requested)} requested")
                    : string.Create(Invariant, $"partially funded: {Money(remaining)} remaining (minimum grant {Money(minGrant)}) of the {Money(cap)} allowed{capped}");
            }
            else
            {
                granted = 0m;
                partial = false;
                var why = !allowPartialFunding ? string.Empty
                    : partialGiven ? "; the one partial grant has already been made"
                    : string.Create(Invariant, $"; the remainder is below the minimum grant {Money(minGrant)} for a partial grant");
                reason = string.Create(Invariant, $"not funded: {Money(cap)}{capped} does not fit the remaining {Money(remaining)}{why}");
            }

            remaining -= granted;
            lines.Add(new AllocationLine(lines.Count + 1, candidate.ApplicationId, candidate.Score, ranked.Bonus, ranked.TotalScore,
                requested, granted, granted > 0m, partial, reason));
        }

        return lines;
    }

    /// <summary>The ranking alone, in the same order <see cref="Allocate"/> uses, with each candidate's bonus and total.</summary>
    /// <exception cref="ArgumentException">Two candidates share an application id, a request is not positive, or matching funds are negative.</exception>
    public static List<RankedCandidate> Rank(IReadOnlyList<AllocationCandidate> candidates, MatchingBonus? bonus)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var ranked = new List<RankedCandidate>(candidates.Count);
        foreach (var candidate in candidates)
        {
            ArgumentNullException.ThrowIfNull(candidate, nameof(candidates));
            if (!ids.Add(candidate.ApplicationId))
            {
                throw new ArgumentException($"Application {candidate.ApplicationId} appears more than once.", nameof(candidates));
            }

            var points = Bonus(candidate, bonus);
            ranked.Add(new RankedCandidate(candidate, points, candidate.Score + points));
        }

        ranked.Sort(RankingOrder);
        return ranked;
    }

    /// <summary>
    /// min(MaxPoints, floor(10 × matching / requested) × PointsPerTenPercent): each whole tenth of the request that
    /// the organization matches earns the points; a part of a tenth earns nothing. Zero without a matching bonus.
    /// </summary>
    /// <exception cref="ArgumentException">The request is not positive, or the matching funds are negative.</exception>
    public static decimal Bonus(AllocationCandidate candidate, MatchingBonus? bonus)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.AmountRequested <= 0m)
        {
            throw new ArgumentException(string.Create(Invariant, $"Application {candidate.ApplicationId} requests {Money(candidate.AmountRequested)}; a request must be positive."), nameof(candidate));
        }

        if (candidate.MatchingFunds < 0m)
        {
            throw new ArgumentException(string.Create(Invariant, $"Application {candidate.ApplicationId} has negative matching funds."), nameof(candidate));
        }

        if (bonus is null)
        {
            return 0m;
        }

        var tenths = Math.Floor(10m * candidate.MatchingFunds / candidate.AmountRequested);
        return Math.Min(bonus.MaxPoints, tenths * bonus.PointsPerTenPercent);
    }

    private static int Compare(RankedCandidate? x, RankedCandidate? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byTotal = y.TotalScore.CompareTo(x.TotalScore);
        if (byTotal != 0)
        {
            return byTotal;
        }

        var byFirstCriterion = y.Candidate.FirstCriterionScore.CompareTo(x.Candidate.FirstCriterionScore);
        if (byFirstCriterion != 0)
        {
            return byFirstCriterion;
        }

        var bySubmission = x.Candidate.SubmittedAt.CompareTo(y.Candidate.SubmittedAt);
        return bySubmission != 0 ? bySubmission : string.CompareOrdinal(x.Candidate.ApplicationId, y.Candidate.ApplicationId);
    }

    /// <summary>CNY as people write it: whole yuan without decimals, otherwise to the fen.</summary>
    private static string Money(decimal amount) =>
        amount == decimal.Truncate(amount) ? decimal.Truncate(amount).ToString("0", Invariant) : amount.ToString("0.00", Invariant);
}

/// <summary>A candidate in the ranking, with the matching bonus it earned and the total it is ranked by.</summary>
public sealed record RankedCandidate(AllocationCandidate Candidate, decimal Bonus, decimal TotalScore);

using System.Text.Json.Serialization;
using Azure;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Ventures;

/// <summary>What a stage step reports to the orchestration: where the round is, until when, and how far along.</summary>
public sealed record StageReport(
    [property: JsonConverter(typeof(JsonStringEnumConverter<RoundStatus>))] RoundStatus Stage,
    DateTimeOffset? Until,
    int Done,
    int Total,
    string Message,
    bool Finished = false);

/// <summary>
/// The I/O steps of a round's later stages, each an activity of <see cref="RoundOrchestration"/>. Every step
/// is idempotent: it looks at where the round already is and does only what is missing, so a retry or a
/// replay changes nothing twice.
/// </summary>
public sealed class RoundStages(
    RoundStore rounds, ApplicationStore applications, OrganizationStore organizations, ReviewStore reviews,
    ResultStore results, ObjectionStore objections, Outbox outbox, TimeProvider clock)
{
    public const string EventSource = "/rounds/";

    /// <summary>Checks every received application against the round's rules and opens the screening stage.</summary>
    public async Task<StageReport> ScreenAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        if (round.Status != RoundStatus.Closed)
        {
            return await ScreeningProgressAsync(round, cancellation);
        }

        var now = clock.GetUtcNow();
        var received = (await applications.ListRowsAsync(roundId, cancellation)).Where(r => r.Application.IsReceived(round)).ToList();
        // A round of 10,000 applications comes from a few hundred organizations: each is read once, 16 at a time.
        var applicants = new System.Collections.Concurrent.ConcurrentDictionary<string, Organization?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(received.Select(r => r.Application.OrganizationId).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation },
            async (id, token) => applicants[id] = await organizations.FindAsync(id, token));
        Application? Screen(Application a)
        {
            if (a.Screening is not null)
            {
                return null; // screened by an earlier run of this step
            }

            var checks = Screening.Check(round, a, applicants[a.OrganizationId]);
            return a with { Screening = new ScreeningResult(checks.All(c => c.Passed), checks, now) };
        }

        var screened = await UpdateAllAsync(roundId, received, Screen, cancellation);
        round = await AdvanceAsync(roundId, RoundStatus.Screening, r => r.Stages with { ScreeningEndsAt = now + StagePeriods.Parse(r.Periods.Screening) }, cancellation);
        return ScreeningProgress(round, screened);
    }

    public async Task<StageReport> ScreeningProgressAsync(Round round, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(round);
        return ScreeningProgress(round, (await applications.ListAsync(round.Id, null, cancellation)).Where(a => a.IsReceived(round)).ToList());
    }

    private static StageReport ScreeningProgress(Round round, List<Application> received)
    {
        var confirmed = received.Count(a => a.Screening?.Confirmed == true);
        return new StageReport(RoundStatus.Screening, round.Stages.ScreeningEndsAt, confirmed, received.Count,
            $"screening: {confirmed} of {received.Count} confirmed by a reviewer");
    }

    /// <summary>
    /// Ends screening (results not confirmed by the deadline stand as checked; the round counts them), assigns the
    /// panel's reviewers to every eligible application, and opens the review stage.
    /// </summary>
    public async Task<StageReport> StartReviewAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        StageReport report;
        if (round.Status == RoundStatus.Screening)
        {
            var now = clock.GetUtcNow();
            var received = (await applications.ListAsync(roundId, null, cancellation)).Where(a => a.IsReceived(round)).ToList();
            // Results not confirmed by now stand as checked: that is what the round leaving screening means, so it is
            // not written on each application (10,000 writes at the district's scale) but counted on the round.
            var unconfirmed = received.Count(a => a.Screening is { Confirmed: false });
            var eligible = received.Where(a => a.IsEligible).Select(a => new ToAssign(a.Id, a.OrganizationId)).ToList();
            var plan = ReviewerAssignment.Assign(eligible, round.Reviewers, round.ReviewersPerApplication);
            var assigned = plan.ReviewersByApplication.SelectMany(p => p.Value.Select(r => new Review(roundId, p.Key, r, ReviewStatus.Assigned, now, 1))).ToList();
            await reviews.AddAllAsync(assigned, cancellation);
            var shortfall = plan.Shortfalls.Count == 0 ? null : string.Join("; ", plan.Shortfalls);
            round = await AdvanceAsync(roundId, RoundStatus.Review, r => r.Stages with
            {
                ReviewEndsAt = now + StagePeriods.Parse(r.Periods.Review), ReviewWave = 1, ReviewShortfall = shortfall,
                ScreeningUnconfirmed = unconfirmed,
            }, cancellation);
            // Nothing is scored before the stage opens: the assignments just written are the progress (not a read of them).
            report = ReviewProgress(round, 0, assigned.Count);
        }
        else
        {
            report = await ReviewProgressAsync(round, cancellation);
        }

        // Nothing to review (no eligible application): the stage has nothing to wait for.
        return report.Total == 0 ? report with { Finished = true } : report;
    }

    /// <summary>How many reviews are scored of those live (assigned or submitted): counted from their status column alone.</summary>
    public async Task<StageReport> ReviewProgressAsync(Round round, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(round);
        var counts = await reviews.CountAsync(round.Id, cancellation);
        return ReviewProgress(round, counts.GetValueOrDefault(ReviewStatus.Submitted), counts.GetValueOrDefault(ReviewStatus.Assigned));
    }

    private static StageReport ReviewProgress(Round round, int scored, int assigned) =>
        new(RoundStatus.Review, round.Stages.ReviewEndsAt, scored, scored + assigned,
            $"review: {scored} of {scored + assigned} reviews scored (wave {round.Stages.ReviewWave})");

    /// <summary>Reminds every reviewer with reviews still to score, once per wave (a domain event each).</summary>
    public async Task<StageReport> RemindReviewersAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        var pending = (await reviews.ListAsync(roundId, cancellation)).Where(r => r.Status == ReviewStatus.Assigned).ToList();
        foreach (var byReviewer in pending.GroupBy(r => r.ReviewerId))
        {
            await outbox.AddAsync(EventSource + roundId, "Serverless.Ventures.ReviewReminder",
                $"{byReviewer.Key}|wave{round.Stages.ReviewWave}|{round.Stages.ReviewEndsAt:O}", byReviewer.Key,
                new { roundId, reviewerId = byReviewer.Key, applications = byReviewer.Select(r => r.ApplicationId).ToList(), due = round.Stages.ReviewEndsAt },
                cancellation);
        }

        return await ReviewProgressAsync(round, cancellation);
    }

    /// <summary>
    /// At the review deadline: reviews not submitted lapse. In the first wave each lapsed review is given
    /// once to another conflict-free reviewer with a new deadline; after that the round goes on with the
    /// reviews it has, and records which applications have fewer than the round asked for.
    /// </summary>
    public async Task<StageReport> CloseReviewWaveAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        if (round.Status != RoundStatus.Review)
        {
            return await ReviewProgressAsync(round, cancellation) with { Finished = true };
        }

        var now = clock.GetUtcNow();
        if (round.Stages.ReopenedByCommittee)
        {
            // Sent back by the committee: reviewers may revise their scores until the new deadline.
            return await ReviewProgressAsync(round, cancellation) with { Finished = round.Stages.ReviewEndsAt <= now };
        }

        // All scored (the usual wake-up, by the last review's check): the stage is over. Said without counting them: a
        // count reads every review's row (30,000 at the district's scale), and the next step reads them all anyway.
        if (!await reviews.AnyAssignedAsync(roundId, cancellation))
        {
            return new StageReport(RoundStatus.Review, round.Stages.ReviewEndsAt, 0, 0, $"review: no review left to score (wave {round.Stages.ReviewWave})", Finished: true);
        }

        if (round.Stages.ReviewEndsAt > now)
        {
            // Woken early (a stale "all scored" signal): keep waiting for the deadline.
            return await ReviewProgressAsync(round, cancellation);
        }

        var all = await reviews.ListAsync(roundId, cancellation);
        var lapsed = new List<Review>();
        foreach (var review in all.Where(r => r.Status == ReviewStatus.Assigned))
        {
            var found = await reviews.FindAsync(roundId, review.ApplicationId, review.ReviewerId, cancellation);
            if (found is { Review.Status: ReviewStatus.Assigned } current)
            {
                await reviews.UpdateAsync(current.Review with { Status = ReviewStatus.Lapsed }, current, cancellation);
                lapsed.Add(current.Review);
            }
        }

        all = await reviews.ListAsync(roundId, cancellation);
        if (round.Stages.ReviewWave == 1 && lapsed.Count > 0)
        {
            var load = ReviewLoad.Of(all);
            var received = (await applications.ListAsync(roundId, null, cancellation)).ToDictionary(a => a.Id);
            var replacements = new List<Review>();
            foreach (var review in lapsed.OrderBy(r => r.ApplicationId, StringComparer.Ordinal))
            {
                var exclude = all.Concat(replacements).Where(r => r.ApplicationId == review.ApplicationId).Select(r => r.ReviewerId).ToHashSet();
                var replacement = ReviewerAssignment.Replacement(new ToAssign(review.ApplicationId, received[review.ApplicationId].OrganizationId),
                    round.Reviewers, exclude, load);
                if (replacement is not null)
                {
                    replacements.Add(new Review(roundId, review.ApplicationId, replacement, ReviewStatus.Assigned, now, 2));
                    load[replacement] = load.GetValueOrDefault(replacement) + 1;
                }
            }

            await reviews.AddAllAsync(replacements, cancellation);
            round = await AdvanceAsync(roundId, RoundStatus.Review, r => r.Stages with
            {
                ReviewEndsAt = now + StagePeriods.Parse(r.Periods.Review), ReviewWave = 2,
            }, cancellation);
            if (replacements.Count > 0)
            {
                return await ReviewProgressAsync(round, cancellation);
            }
        }

        var short_ = all.Where(r => r.Status == ReviewStatus.Submitted).GroupBy(r => r.ApplicationId)
            .Where(g => g.Count() < round.ReviewersPerApplication)
            .Select(g => $"{g.Key}: {g.Count()} of {round.ReviewersPerApplication} reviews").ToList();
        round = await AdvanceAsync(roundId, RoundStatus.Review, r => r.Stages with
        {
            ReviewWave = 3,
            ReviewShortfall = short_.Count == 0 ? r.Stages.ReviewShortfall : $"Proceeded with fewer reviews: {string.Join("; ", short_)}",
        }, cancellation);
        return await ReviewProgressAsync(round, cancellation) with { Finished = true };
    }

    /// <summary>
    /// Publicity is over when its period has run out (durable timers may fire a moment early: the clock
    /// decides) and no objection is open. Until then the report says what to wait for.
    /// </summary>
    public async Task<StageReport> ObjectionProgressAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        var lodged = await objections.ListAsync(roundId, cancellation);
        var open = lodged.Count(o => o.Status == ObjectionStatus.Open);
        var now = clock.GetUtcNow();
        if (round.Status == RoundStatus.Publicity && round.Stages.PublicityEndsAt > now)
        {
            return new StageReport(round.Status, round.Stages.PublicityEndsAt, lodged.Count - open, lodged.Count,
                $"publicity until {round.Stages.PublicityEndsAt:O}: {lodged.Count} objections, {open} open");
        }

        return new StageReport(round.Status, open == 0 ? null : now.AddDays(1), lodged.Count - open, lodged.Count,
            open == 0 ? $"publicity over: {lodged.Count} objections, all ruled" : $"publicity over: {open} open objections await the bureau's ruling",
            Finished: open == 0);
    }

    /// <summary>Aggregates the reviews, ranks and allocates the budget, and puts the results to the committee.</summary>
    public async Task<StageReport> ComputeResultsAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        List<RoundResult>? computed = null;
        if (round.Status == RoundStatus.Review)
        {
            var submitted = (await reviews.ListAsync(roundId, cancellation)).Where(r => r.Status == ReviewStatus.Submitted)
                .Select(r => new ReviewScores(r.ApplicationId, r.ReviewerId, r.Points!)).ToList();
            var scores = Aggregation.Aggregate(round.Rubric, round.Aggregation, submitted).ToDictionary(s => s.ApplicationId);
            var eligible = (await applications.ListAsync(roundId, null, cancellation)).Where(a => a.IsReceived(round) && a.IsEligible).ToList();
            var scored = eligible.Where(a => scores.ContainsKey(a.Id)).ToList();
            var lines = Allocation.Allocate(scored.Select(a => new AllocationCandidate(a.Id, scores[a.Id].FinalScore,
                    scores[a.Id].FirstCriterionScore, a.SubmittedAt, a.Content.AmountRequested, a.Content.MatchingFunds)).ToList(),
                round.Budget, round.MinGrant, round.MaxGrant, round.AllowPartialFunding, round.MatchingBonus);
            var byId = scored.ToDictionary(a => a.Id);
            var rows = lines.Select(l =>
            {
                var a = byId[l.ApplicationId];
                var s = scores[l.ApplicationId];
                return new RoundResult(a.Id, a.OrganizationId, a.OrganizationName, a.Content.ProjectTitle, l.Rank, l.Score, l.Bonus,
                    l.TotalScore, l.AmountRequested, l.Granted, l.Funded, l.Partial, l.Reason, s.ReviewCount, s.Steps,
                    s.FirstCriterionScore, a.SubmittedAt, a.Content.MatchingFunds);
            }).ToList();
            await results.SaveAsync(roundId, rows, cancellation);
            round = await AdvanceAsync(roundId, RoundStatus.Committee, r => r.Stages with { CommitteeFrom = clock.GetUtcNow(), ReopenedByCommittee = false }, cancellation);
            computed = rows;
        }

        // The results just saved are the report; a later run of the step reads them.
        var all = computed ?? await results.ListAsync(roundId, cancellation);
        var until = round.Stages.CommitteeFrom + StagePeriods.Parse(round.Periods.Committee);
        return new StageReport(round.Status, until, all.Count(r => r.Funded), all.Count,
            $"committee: results for {all.Count} applications, {all.Count(r => r.Funded)} funded, await approval");
    }

    /// <summary>The committee sent the results back: review reopens for one more period, with its reason recorded.</summary>
    public async Task<StageReport> ReopenReviewAsync(string roundId, string reason, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        if (round.Status == RoundStatus.Committee)
        {
            var now = clock.GetUtcNow();
            round = await AdvanceAsync(roundId, RoundStatus.Review, r => r.Stages with
            {
                ReviewEndsAt = now + StagePeriods.Parse(r.Periods.Review),
                ReviewWave = 3,
                ReopenedByCommittee = true,
                CommitteeRejections = [.. r.Stages.CommitteeRejections ?? [], reason],
            }, cancellation);
        }

        return await ReviewProgressAsync(round, cancellation);
    }

    /// <summary>Reminds the committee that results await its decision (a domain event, once per period).</summary>
    public async Task RemindCommitteeAsync(string roundId, int period, CancellationToken cancellation = default) =>
        await outbox.AddAsync(EventSource + roundId, "Serverless.Ventures.CommitteeReminder", $"period{period}", roundId,
            new { roundId, period }, cancellation);

    /// <summary>The approved results become public for the publicity period.</summary>
    public async Task<StageReport> StartPublicityAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        if (round.Status == RoundStatus.Committee)
        {
            var now = clock.GetUtcNow();
            round = await AdvanceAsync(roundId, RoundStatus.Publicity, r => r.Stages with
            {
                PublicityEndsAt = now + StagePeriods.Parse(r.Periods.Publicity),
            }, next => [outbox.Event(EventSource + roundId, "Serverless.Ventures.ResultsPublished", "publicity", roundId,
                new { roundId, until = next.Stages.PublicityEndsAt })], cancellation);
        }

        return new StageReport(round.Status, round.Stages.PublicityEndsAt, 0, 0, $"publicity until {round.Stages.PublicityEndsAt:O}");
    }

    /// <summary>Makes the awards: the funded projects of the results as they stand after every ruling.</summary>
    public async Task<StageReport> MakeAwardsAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        var funded = (await results.ListAsync(roundId, cancellation)).Where(r => r.Funded && !r.Removed).ToList();
        var open = (await objections.ListAsync(roundId, cancellation)).Count(o => o.Status == ObjectionStatus.Open);
        if (round.Status == RoundStatus.Publicity && (round.Stages.PublicityEndsAt > clock.GetUtcNow() || open > 0))
        {
            throw new InvalidOperationException("Awards wait for the end of publicity and for every objection to be ruled on.");
        }

        if (round.Status == RoundStatus.Publicity)
        {
            round = await AdvanceAsync(roundId, RoundStatus.Awarded, r => r.Stages with { AwardedAt = clock.GetUtcNow() },
                _ => [outbox.Event(EventSource + roundId, "Serverless.Ventures.AwardsMade", "awards", roundId,
                    new { roundId, awards = funded.Select(f => new { f.ApplicationId, f.OrganizationId, f.Granted }).ToList() })], cancellation);
        }

        return new StageReport(round.Status, null, funded.Count, funded.Count,
            $"awarded: {funded.Count} projects, {funded.Sum(f => f.Granted):0.##} CNY");
    }

    /// <summary>Every grant has ended: the round is complete.</summary>
    public async Task<StageReport> CompleteAsync(string roundId, CancellationToken cancellation = default)
    {
        var (round, _) = await LoadAsync(roundId, cancellation);
        if (round.Status == RoundStatus.Awarded)
        {
            round = await AdvanceAsync(roundId, RoundStatus.Complete, r => r.Stages,
                _ => [outbox.Event(EventSource + roundId, "Serverless.Ventures.RoundCompleted", "complete", roundId, new { roundId })], cancellation);
        }

        return new StageReport(round.Status, null, 0, 0, "complete: every grant has ended", Finished: true);
    }

    private async Task<(Round Round, ETag ETag)> LoadAsync(string roundId, CancellationToken cancellation) =>
        await rounds.FindAsync(roundId, cancellation) ?? throw new InvalidOperationException($"Round {roundId} does not exist.");

    /// <summary>Moves the round forward with its stage clock, conditional on the ETag, retried on a concurrent change.</summary>
    private Task<Round> AdvanceAsync(string roundId, RoundStatus to, Func<Round, StageClock> clockOf, CancellationToken cancellation) =>
        AdvanceAsync(roundId, to, clockOf, _ => [], cancellation);

    /// <summary>
    /// As the other overload, with the events of the moved round (<paramref name="eventsOf"/>) in the same batch as
    /// the move: a step that crashes after it finds the stage moved and its event stored, and raises nothing again.
    /// </summary>
    private async Task<Round> AdvanceAsync(string roundId, RoundStatus to, Func<Round, StageClock> clockOf, Func<Round, IReadOnlyList<DomainEvent>> eventsOf,
        CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (round, etag) = await LoadAsync(roundId, cancellation);
            var next = round.Advance(to, clockOf(round)).OrThrow();
            try
            {
                await rounds.UpdateAsync(next, etag, eventsOf(next), cancellation);
                return next;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Changed meanwhile (a cancellation, a concurrent step): read again.
            }
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> (null: nothing to change) to every application read, in batches conditional on
    /// the rows as read; one changed meanwhile (another run of the same step) is read again and changed on its own.
    /// Returns every application as it now stands.
    /// </summary>
    private async Task<List<Application>> UpdateAllAsync(string roundId, IReadOnlyList<(Application Application, Azure.Data.Tables.TableEntity Row)> read,
        Func<Application, Application?> change, CancellationToken cancellation)
    {
        var now = read.ToDictionary(r => r.Application.Id, r => change(r.Application) ?? r.Application, StringComparer.Ordinal);
        var changes = read.Where(r => !ReferenceEquals(now[r.Application.Id], r.Application)).Select(r => (now[r.Application.Id], r.Row));
        var conflicts = await applications.UpdateAllAsync(changes, cancellation);
        foreach (var id in conflicts)
        {
            now[id] = await UpdateApplicationAsync(roundId, id, change, cancellation);
        }

        return read.Select(r => now[r.Application.Id]).ToList();
    }

    private async Task<Application> UpdateApplicationAsync(string roundId, string applicationId, Func<Application, Application?> change, CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (application, etag, _, _) = await applications.FindAsync(roundId, applicationId, cancellation)
                ?? throw new InvalidOperationException($"Application {applicationId} does not exist.");
            if (change(application) is not { } changed)
            {
                return application;
            }

            try
            {
                await applications.UpdateAsync(changed, etag, cancellation);
                return changed;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Changed at the same moment: read again.
            }
        }
    }
}

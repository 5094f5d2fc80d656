using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Procurement;

/// <summary>One rule of the qualification check (资格审查) and how the bid fared.</summary>
public sealed record QualificationCheck(string Rule, bool Passed, string Detail);

/// <summary>
/// Whether a bid is qualified, with every check's reason: the automatic checks at opening, then the
/// evaluation committee's or the bureau's decision when they disqualify (or requalify) with a reason.
/// </summary>
public sealed record BidQualification(bool Qualified, List<QualificationCheck> Checks, string? DecidedBy = null, DateTimeOffset? DecidedAt = null);

/// <summary>
/// A price found abnormally low at opening: under <see cref="Share"/> of the mean qualified price of its lot.
/// The bidder explains it in writing by <see cref="ExplainBy"/>, or the bid is rejected.
/// </summary>
public sealed record AbnormalPrice(decimal MeanValidPrice, decimal Share, DateTimeOffset ExplainBy, string? Explanation = null,
    DateTimeOffset? ExplainedAt = null, bool Rejected = false)
{
    public bool Pending(DateTimeOffset now) => Explanation is null && !Rejected && now < ExplainBy;

    public bool Unexplained(DateTimeOffset now) => Explanation is null && !Rejected && now >= ExplainBy;

    public string Note(decimal price) => string.Create(CultureInfo.InvariantCulture,
        $"abnormally low: {price} is under {Share:P0} of the mean qualified price {MeanValidPrice:0.00} at opening; explained by the bidder: \u201c{Explanation}\u201d");
}

public sealed record QualificationForm(bool? Qualified, string? Reason);

public sealed record ScoreForm(Dictionary<string, decimal>? Scores, string? Comment);

public sealed record ExplanationForm(string? Text);

/// <summary>One evaluator's points for one bid, per technical criterion (评分表).</summary>
public sealed record BidScore(string TenderId, string BidId, string LotId, string EvaluatorId, Dictionary<string, decimal> Scores, string? Comment, DateTimeOffset At);

/// <summary>What is still missing before a lot can be ranked.</summary>
public sealed record EvaluationGap(string BidId, string What);

/// <summary>Evaluators' score sheets: one partition per tender, one row per (bid, evaluator), replaced until the lot is ranked.</summary>
public sealed class EvaluationStore(Storage storage)
{
    public const string Aggregate = "evaluations";

    /// <summary>A score sheet is addressed by its bid, within its tender, by its evaluator.</summary>
    public static (string Table, string Partition, string Row) Locate(string tenderId, string bidId, string evaluatorId) => (TableNames.Evaluations, tenderId, $"{bidId}|{evaluatorId}");

    public async Task SaveAsync(BidScore score, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(score);
        var table = await storage.TableAsync(TableNames.Evaluations, cancellation);
        await table.UpsertAuditedAsync(Aggregate, $"{score.BidId}|{score.EvaluatorId}", Documents.ToEntity(score.TenderId, $"{score.BidId}|{score.EvaluatorId}", score,
            new Dictionary<string, object?> { ["LotId"] = score.LotId }), cancellation);
    }

    public async Task<List<BidScore>> ListAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Evaluations, cancellation);
        return await table.ListDocumentsAsync<BidScore>(TableClient.CreateQueryFilter($"PartitionKey eq {tenderId}"), cancellation);
    }
}

/// <summary>What the tender's workflow learns from a pass over the abnormally low prices.</summary>
public sealed record ExplanationStep(int Rejected, DateTimeOffset? WaitUntil);

/// <summary>
/// Evaluation (评标) after opening: qualification, technical scores, explanations of abnormally low prices,
/// and the ranking of each lot, explained step by step, which becomes the lot's recommended award.
/// </summary>
public sealed class TenderEvaluation(TenderStore tenders, BidStore bids, EvaluationStore scores, AwardStore awards, Outbox outbox, TimeProvider clock)
{
    /// <summary>The automatic checks at opening: registered, not debarred, within the ceiling.</summary>
    public static BidQualification Qualify(Bid bid, Lot lot, Organization? organization, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(bid);
        ArgumentNullException.ThrowIfNull(lot);
        var price = bid.Opened?.Price ?? 0m;
        List<QualificationCheck> checks =
        [
            new("registered", organization is not null, organization is null ? "The organization is not registered with the bureau." : "Registered with the bureau."),
            new("not-debarred", organization?.IsDebarred(today) != true,
                organization?.DebarredUntil is { } until && organization.IsDebarred(today)
                    ? string.Create(CultureInfo.InvariantCulture, $"Debarred until {until:yyyy-MM-dd}.") : "Not debarred."),
            new("within-ceiling", price <= lot.BudgetCeiling,
                string.Create(CultureInfo.InvariantCulture, $"Price {price} against the lot's ceiling {lot.BudgetCeiling}.")),
        ];
        return new BidQualification(checks.TrueForAll(c => c.Passed), checks);
    }

    public async Task<Bid> DecideQualificationAsync(string tenderId, string bidId, Caller caller, QualificationForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(form);
        var v = new Validation();
        if (form.Qualified is null)
        {
            v.Add("qualified", "Required: true or false.");
        }

        var reason = v.Text("reason", form.Reason, 2000, 2);
        v.ThrowIfAny();
        var (tender, bid, etag) = await OpenedBidAsync(tenderId, bidId, cancellation);
        RequireCommitteeOrBureau(tender, caller);
        await RequireNotRankedAsync(tender.Id, bid.LotId, cancellation);
        var now = clock.GetUtcNow();
        var checks = (bid.Qualification?.Checks ?? []).Where(c => c.Rule != "committee").ToList();
        checks.Add(new QualificationCheck("committee", form.Qualified!.Value, reason));
        var decided = bid with { Qualification = new BidQualification(form.Qualified.Value, checks, caller.Id, now) };
        await bids.SaveAsync(decided, etag, cancellation);
        return decided;
    }

    public async Task<BidScore> ScoreAsync(string tenderId, string bidId, Caller caller, ScoreForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(form);
        var (tender, bid, _) = await OpenedBidAsync(tenderId, bidId, cancellation);
        if (!tender.IsEvaluator(caller))
        {
            throw Problem.Forbidden("Only the tender's evaluation committee scores bids.").ToException();
        }

        if (tender.Evaluation != EvaluationMethod.ComprehensiveScoring)
        {
            throw Problem.InvalidState("A lowest-price tender has no technical scores: the lowest qualified price wins.").ToException();
        }

        if (!bid.IsValid)
        {
            throw Problem.InvalidState("Only a qualified bid is scored.").ToException();
        }

        await RequireNotRankedAsync(tender.Id, bid.LotId, cancellation);
        var v = new Validation();
        var given = form.Scores ?? [];
        foreach (var criterion in tender.TechnicalCriteria)
        {
            if (!given.TryGetValue(criterion.Id, out var points))
            {
                v.Add($"scores.{criterion.Id}", $"Required: 0 to {criterion.MaxPoints} points for {criterion.Name}.");
            }
            else
            {
                v.Range($"scores.{criterion.Id}", points, 0, criterion.MaxPoints);
            }
        }

        foreach (var unknown in given.Keys.Where(k => tender.TechnicalCriteria.TrueForAll(c => c.Id != k)))
        {
            v.Add($"scores.{unknown}", "Not one of the tender's technical criteria.");
        }

        var comment = v.OptionalText("comment", form.Comment, 2000);
        v.ThrowIfAny();
        var score = new BidScore(tender.Id, bid.Id, bid.LotId, caller.Id!, new Dictionary<string, decimal>(given, StringComparer.Ordinal), comment, clock.GetUtcNow());
        await scores.SaveAsync(score, cancellation);
        return score;
    }

    /// <summary>The bidder's written explanation of an abnormally low price, before its deadline.</summary>
    public async Task<Bid> ExplainAsync(string tenderId, string bidId, string organizationId, ExplanationForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var v = new Validation();
        var text = v.Text("text", form.Text, 8000, 20);
        v.ThrowIfAny();
        var (_, bid, etag) = await OpenedBidAsync(tenderId, bidId, cancellation);
        if (bid.OrganizationId != organizationId)
        {
            throw Problem.Forbidden("Only the bidder explains its price.").ToException();
        }

        var now = clock.GetUtcNow();
        var abnormal = bid.AbnormalPrice ?? throw Problem.InvalidState("This bid's price was not found abnormally low; nothing to explain.").ToException();
        if (abnormal.Explanation is not null)
        {
            return bid;
        }

        if (!abnormal.Pending(now))
        {
            throw Problem.DeadlinePassed($"Explanations were due by {abnormal.ExplainBy:O}; the bid was rejected.").ToException();
        }

        var explained = bid with { AbnormalPrice = abnormal with { Explanation = text, ExplainedAt = now } };
        await bids.SaveAsync(explained, etag, cancellation);
        return explained;
    }

    /// <summary>
    /// Rejects every abnormally low bid whose explanation is overdue (idempotent), and says when the next
    /// explanation falls due, for the tender's workflow to wait on.
    /// </summary>
    public async Task<ExplanationStep> RejectUnexplainedAsync(string tenderId, CancellationToken cancellation = default)
    {
        var now = clock.GetUtcNow();
        var rejected = 0;
        foreach (var bid in (await bids.ListAsync(tenderId, cancellation)).Where(b => b.Status == BidStatus.Submitted && b.AbnormalPrice?.Unexplained(now) == true))
        {
            var (current, etag) = (await bids.FindAsync(tenderId, bid.Id, cancellation))!.Value;
            var abnormal = current.AbnormalPrice!;
            var checks = (current.Qualification?.Checks ?? []).ToList();
            checks.Add(new QualificationCheck("abnormal-price-explained", false,
                $"The price was abnormally low and no written explanation arrived by {abnormal.ExplainBy:O}: the bid is rejected."));
            var updated = current with
            {
                AbnormalPrice = abnormal with { Rejected = true },
                Qualification = new BidQualification(false, checks, "system", now),
            };
            try
            {
                await bids.SaveAsync(updated, etag, cancellation);
                rejected++;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Explained or decided at the same moment: the next pass sees it.
            }
        }

        var pending = (await bids.ListAsync(tenderId, cancellation))
            .Where(b => b.Status == BidStatus.Submitted && b.AbnormalPrice?.Pending(now) == true)
            .Select(b => b.AbnormalPrice!.ExplainBy)
            .DefaultIfEmpty()
            .Max();
        return new ExplanationStep(rejected, pending == default ? null : pending);
    }

    /// <summary>
    /// Ranks a lot when its evaluation is complete: every explanation in or overdue, every evaluator's sheet
    /// for every qualified bid. The ranking becomes the lot's recommended award, once.
    /// </summary>
    public async Task<LotAward> RankAsync(string tenderId, string lotId, Caller caller, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Role.Admin);
        var (tender, _) = await tenders.FindAsync(tenderId, cancellation) ?? throw Problem.NotFound("The tender").ToException();
        var lot = tender.Lots.FirstOrDefault(l => l.Id == lotId) ?? throw Problem.NotFound("The lot").ToException();
        if (lot.Status != LotStatus.Opened)
        {
            throw Problem.InvalidState(lot.Status == LotStatus.Failed ? "The lot failed at opening (流标)." : "Bids are ranked after opening.").ToException();
        }

        if (await awards.FindAsync(tenderId, lotId, cancellation) is { } existing)
        {
            return existing.Award;
        }

        await RejectUnexplainedAsync(tenderId, cancellation);
        var now = clock.GetUtcNow();
        var lotBids = (await bids.ListAsync(tenderId, cancellation)).Where(b => b.LotId == lotId && b.Status == BidStatus.Submitted).ToList();
        var sheets = (await scores.ListAsync(tenderId, cancellation)).Where(s => s.LotId == lotId).ToList();
        var gaps = Gaps(tender, lotBids, sheets, now);
        if (gaps.Count > 0)
        {
            throw new Problem(409, ProblemCodes.EvaluationIncomplete, "The evaluation is not complete.",
                string.Join("; ", gaps.Select(g => $"{g.BidId}: {g.What}"))).ToException();
        }

        var forRanking = lotBids.Select(b => new BidForEvaluation(b.Id, b.Opened!.Price, b.IsValid, b.SubmittedAt,
            MeanPoints(tender, sheets.Where(s => s.BidId == b.Id && tender.Evaluators.Contains(s.EvaluatorId, StringComparer.Ordinal)).ToList()),
            b.AbnormalPrice is { Explanation: not null } a ? a.Note(b.Opened.Price) : null)).ToList();
        var ranking = BidEvaluation.Rank(forRanking, tender.Evaluation, tender.PriceWeight);
        var award = ranking.Count == 0
            ? new LotAward(tenderId, lotId, lot.Title, AwardStatus.Failed, ranking, now, caller.Id!, [], FailureReason: "No qualified bid.")
            : new LotAward(tenderId, lotId, lot.Title, AwardStatus.Recommended, ranking, now, caller.Id!, []);
        // The award closes the evaluation; its events go in the same batch (a lot with no qualified bid fails
        // here, 流标 at evaluation). Ranked twice at once, one batch wins and the other adds nothing, no event either.
        List<DomainEvent> events =
        [
            outbox.Event($"/tenders/{tenderId}", "Serverless.Procurement.LotRanked", lotId, tenderId,
                new { tenderId, lotId, recommended = ranking.FirstOrDefault()?.BidId, ranked = ranking.Count }),
        ];
        if (award.Status == AwardStatus.Failed)
        {
            events.Add(LotFailure.Event(outbox, tenderId, lotId, LotFailure.NoQualifiedBid, lotBids.Count));
        }

        if (!await awards.TryAddAsync(award, events, cancellation))
        {
            return (await awards.FindAsync(tenderId, lotId, cancellation))!.Value.Award;
        }

        return award;
    }

    /// <summary>What stops a lot from being ranked: explanations still awaited, evaluators' sheets missing.</summary>
    public static List<EvaluationGap> Gaps(Tender tender, IReadOnlyList<Bid> lotBids, IReadOnlyList<BidScore> sheets, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tender);
        ArgumentNullException.ThrowIfNull(lotBids);
        ArgumentNullException.ThrowIfNull(sheets);
        var gaps = new List<EvaluationGap>();
        foreach (var bid in lotBids)
        {
            if (bid.AbnormalPrice?.Pending(now) == true)
            {
                gaps.Add(new EvaluationGap(bid.Id, $"the bidder's explanation of its abnormally low price is due by {bid.AbnormalPrice.ExplainBy:O}"));
            }

            if (tender.Evaluation == EvaluationMethod.ComprehensiveScoring && bid.IsValid)
            {
                var missing = tender.Evaluators.Where(e => !sheets.Any(s => s.BidId == bid.Id && s.EvaluatorId == e)).ToList();
                if (missing.Count > 0)
                {
                    gaps.Add(new EvaluationGap(bid.Id, $"no scores yet from {string.Join(", ", missing)}"));
                }
            }
        }

        return gaps;
    }

    /// <summary>Each criterion's points: the mean over the committee's sheets, to two decimals.</summary>
    private static Dictionary<string, decimal> MeanPoints(Tender tender, List<BidScore> sheets) =>
        tender.Evaluation != EvaluationMethod.ComprehensiveScoring || sheets.Count == 0
            ? []
            : tender.TechnicalCriteria.ToDictionary(c => c.Id,
                c => decimal.Round(sheets.Average(s => s.Scores.GetValueOrDefault(c.Id)), 2, MidpointRounding.AwayFromZero), StringComparer.Ordinal);

    private async Task<(Tender Tender, Bid Bid, ETag ETag)> OpenedBidAsync(string tenderId, string bidId, CancellationToken cancellation)
    {
        var (tender, _) = await tenders.FindAsync(tenderId, cancellation) ?? throw Problem.NotFound("The tender").ToException();
        if (tender.Status != TenderStatus.Opened)
        {
            throw new Problem(409, ProblemCodes.BidsSealed, "Bids are sealed.", $"Bids are evaluated after the opening at {tender.BidDeadline:O}.").ToException();
        }

        var (bid, etag) = await bids.FindAsync(tenderId, bidId, cancellation) ?? throw Problem.NotFound("The bid").ToException();
        if (bid.Status != BidStatus.Submitted || bid.Opened is null)
        {
            throw Problem.InvalidState("The bid was withdrawn before opening.").ToException();
        }

        return (tender, bid, etag);
    }

    private async Task RequireNotRankedAsync(string tenderId, string lotId, CancellationToken cancellation)
    {
        if (await awards.FindAsync(tenderId, lotId, cancellation) is not null)
        {
            throw Problem.InvalidState("The lot has been ranked; its evaluation is closed.").ToException();
        }
    }

    private static void RequireCommitteeOrBureau(Tender tender, Caller caller)
    {
        if (!caller.IsIn(Role.Admin) && !tender.IsEvaluator(caller))
        {
            throw Problem.Forbidden("Only the bureau or the tender's evaluation committee decides qualification.").ToException();
        }
    }
}

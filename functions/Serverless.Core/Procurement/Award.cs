using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

public enum AwardStatus
{
    /// <summary>Ranked; the bureau has not yet confirmed the recommended candidate.</summary>
    Recommended,

    /// <summary>The award to the current candidate is published; bidders may challenge until the standstill ends.</summary>
    Standstill,

    /// <summary>The standstill is over without an open challenge; the contract awaits signatures.</summary>
    Contracting,

    Contracted,

    /// <summary>No candidate left: every one withdrew, was disqualified or let the contract lapse.</summary>
    Failed,
}

public enum OfferOutcome
{
    ContractSigned,
    Withdrawn,
    Disqualified,
    Lapsed,
}

/// <summary>The award offered to one candidate, and how that ended.</summary>
public sealed record AwardOffer(
    int Rank,
    string BidId,
    string OrganizationId,
    string OrganizationName,
    decimal Price,
    DateTimeOffset OfferedAt,
    DateTimeOffset StandstillEndsAt,
    string? ContractId = null,
    OfferOutcome? Outcome = null,
    string? Reason = null,
    DateTimeOffset? EndedAt = null);

/// <summary>
/// A lot's award (中标): the explained ranking, the bureau's confirmation, and the offers made down the
/// ranking: the first candidate, then the next whenever one withdraws, is disqualified or does not sign.
/// </summary>
public sealed record LotAward(
    string TenderId,
    string LotId,
    string LotTitle,
    AwardStatus Status,
    List<BidRanking> Ranking,
    DateTimeOffset RankedAt,
    string RankedBy,
    List<AwardOffer> Offers,
    string? ConfirmedBy = null,
    DateTimeOffset? ConfirmedAt = null,
    string? FailureReason = null)
{
    public static string InstanceId(string tenderId, string lotId) => $"award-{tenderId}-{lotId}";

    public static string Location(string tenderId, string lotId) => $"/api/tenders/{tenderId}/lots/{lotId}/award";

    /// <summary>The offer still running, if any.</summary>
    [JsonIgnore]
    public AwardOffer? Current => Offers.Count > 0 && Offers[^1].Outcome is null ? Offers[^1] : null;

    public bool IsPublished => Status != AwardStatus.Recommended;

    /// <summary>The bureau confirms the recommended candidate: the award is published and the standstill starts.</summary>
    public Result<LotAward> Confirm(string by, DateTimeOffset now, TimeSpan standstill, IReadOnlyList<Bid> bids) => Status switch
    {
        AwardStatus.Recommended => Offer(0, now, standstill, bids) with { ConfirmedBy = by, ConfirmedAt = now },
        _ => Problem.InvalidState("The award was already confirmed."),
    };

    /// <summary>Ends the current offer as <paramref name="outcome"/> and offers the award to the next candidate, if any.</summary>
    public Result<LotAward> EndCurrentOffer(OfferOutcome outcome, string reason, DateTimeOffset now, TimeSpan standstill, IReadOnlyList<Bid> bids)
    {
        if (Current is not { } current || Status is not (AwardStatus.Standstill or AwardStatus.Contracting))
        {
            return Problem.InvalidState("No candidate holds the award now.");
        }

        var ended = this with { Offers = [.. Offers.Take(Offers.Count - 1), current with { Outcome = outcome, Reason = reason, EndedAt = now }] };
        var next = Ranking.FindIndex(r => r.Rank > current.Rank);
        return next < 0
            ? ended with { Status = AwardStatus.Failed, FailureReason = "No candidate left in the ranking." }
            : ended.Offer(next, now, standstill, bids);
    }

    private LotAward Offer(int index, DateTimeOffset now, TimeSpan standstill, IReadOnlyList<Bid> bids)
    {
        var candidate = Ranking[index];
        var bid = bids.First(b => b.Id == candidate.BidId);
        return this with
        {
            Status = AwardStatus.Standstill,
            Offers = [.. Offers, new AwardOffer(candidate.Rank, bid.Id, bid.OrganizationId, bid.OrganizationName, bid.Opened!.Price, now, now + standstill)],
        };
    }
}

public enum ChallengeStatus
{
    Open,
    Dismissed,
    Upheld,
}

/// <summary>A bidder's challenge (质疑) to a lot's award, lodged during its standstill, and the bureau's ruling.</summary>
public sealed record Challenge(
    string Id,
    string TenderId,
    string LotId,
    string OrganizationId,
    string AgainstBidId,
    string Grounds,
    DateTimeOffset SubmittedAt,
    ChallengeStatus Status,
    string? Ruling = null,
    string? RuledBy = null,
    DateTimeOffset? RuledAt = null)
{
    /// <summary>As published: the grounds and the ruling; the challenger's identity only to the bureau and itself.</summary>
    public Challenge Public(Caller caller) =>
        caller is not null && (caller.IsIn(Role.Admin) || caller.ActsFor(OrganizationId)) ? this : this with { OrganizationId = "" };
}

public sealed record ChallengeForm([property: IdValue] string? LotId, string? Grounds);

public sealed record RulingForm(string? Decision, string? Ruling);

public sealed record ReasonForm(string? Reason);

/// <summary>Awards (one row per lot) and challenges (one row each), both partitioned by tender.</summary>
public sealed class AwardStore(Storage storage)
{
    public const string Aggregate = "awards";
    public const string ChallengeAggregate = "challenges";

    /// <summary>A lot's award is addressed by the lot's id within its tender.</summary>
    public static (string Table, string Partition, string Row) Locate(string tenderId, string lotId) => (TableNames.Awards, tenderId, lotId);

    public static (string Table, string Partition, string Row) LocateChallenge(string tenderId, string id) => (TableNames.Challenges, tenderId, id);

    public async Task<(LotAward Award, ETag ETag)?> FindAsync(string tenderId, string lotId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Awards, cancellation);
        return await table.FindDocumentAsync<LotAward>(tenderId, lotId, cancellation);
    }

    public async Task<List<LotAward>> ListAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Awards, cancellation);
        return await table.ListDocumentsAsync<LotAward>(TableClient.CreateQueryFilter($"PartitionKey eq {tenderId}"), cancellation);
    }

    public Task<bool> TryAddAsync(LotAward award, CancellationToken cancellation = default) => TryAddAsync(award, [], cancellation);

    /// <summary>Adds the award with its events, in one batch in the tender's partition; false (and no event) when it exists.</summary>
    public async Task<bool> TryAddAsync(LotAward award, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(award);
        var table = await storage.TableAsync(TableNames.Awards, cancellation);
        return await Outbox.CommitAsync(storage, TableNames.Awards, award.TenderId, events,
            rows => table.TryAddAuditedAsync(Aggregate, award.LotId, ToEntity(award), rows, cancellation), cancellation);
    }

    public Task UpdateAsync(LotAward award, ETag etag, CancellationToken cancellation = default) => UpdateAsync(award, etag, [], cancellation);

    /// <summary>Replaces the award (conditional on its ETag) with its events, in one batch in the tender's partition.</summary>
    public async Task UpdateAsync(LotAward award, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(award);
        var table = await storage.TableAsync(TableNames.Awards, cancellation);
        await Outbox.CommitAsync(storage, TableNames.Awards, award.TenderId, events,
            rows => table.UpdateAuditedAsync(Aggregate, award.LotId, ToEntity(award), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
    }

    public async Task<(Challenge Challenge, ETag ETag)?> FindChallengeAsync(string tenderId, string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Challenges, cancellation);
        return await table.FindDocumentAsync<Challenge>(tenderId, id, cancellation);
    }

    public async Task<List<Challenge>> ChallengesAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Challenges, cancellation);
        var list = await table.ListDocumentsAsync<Challenge>(TableClient.CreateQueryFilter($"PartitionKey eq {tenderId}"), cancellation);
        return list.OrderBy(c => c.SubmittedAt).ToList();
    }

    /// <summary>Adds the challenge with its events, in one batch; false when it exists.</summary>
    public async Task<bool> TryAddChallengeAsync(Challenge challenge, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var table = await storage.TableAsync(TableNames.Challenges, cancellation);
        return await Outbox.CommitAsync(storage, TableNames.Challenges, challenge.TenderId, events,
            rows => table.TryAddAuditedAsync(ChallengeAggregate, challenge.Id, ChallengeEntity(challenge), rows, cancellation), cancellation);
    }

    public Task UpdateChallengeAsync(Challenge challenge, ETag etag, CancellationToken cancellation = default) =>
        UpdateChallengeAsync(challenge, etag, [], cancellation);

    /// <summary>Replaces the challenge (conditional on its ETag) with its events, in one batch in the tender's partition.</summary>
    public async Task UpdateChallengeAsync(Challenge challenge, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var table = await storage.TableAsync(TableNames.Challenges, cancellation);
        await Outbox.CommitAsync(storage, TableNames.Challenges, challenge.TenderId, events,
            rows => table.UpdateAuditedAsync(ChallengeAggregate, challenge.Id, ChallengeEntity(challenge), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
    }

    private static TableEntity ToEntity(LotAward a) =>
        Documents.ToEntity(a.TenderId, a.LotId, a, new Dictionary<string, object?> { ["Status"] = a.Status.ToString() });

    private static TableEntity ChallengeEntity(Challenge c) =>
        Documents.ToEntity(c.TenderId, c.Id, c, new Dictionary<string, object?> { ["LotId"] = c.LotId, ["Status"] = c.Status.ToString() });
}

/// <summary>Where a lot's award stands, for its workflow: what it waits for, and until when.</summary>
public sealed record AwardStep(
    [property: JsonConverter(typeof(JsonStringEnumConverter<AwardStatus>))] AwardStatus Status,
    DateTimeOffset? WaitUntil,
    int OpenChallenges,
    string Message);

/// <summary>
/// Awarding a lot: confirmation and publication, the standstill with challenges, the next candidate when the
/// winner withdraws, is disqualified or lets the contract lapse, and the contract once the standstill is over
/// with no challenge open. Every change is conditional on the award row's ETag.
/// </summary>
public sealed class Awarding(TenderStore tenders, BidStore bids, AwardStore awards, ContractStore contracts, Outbox outbox, TimeProvider clock)
{
    public async Task<LotAward> ConfirmAsync(string tenderId, string lotId, Caller caller, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Role.Admin);
        var tender = await TenderAsync(tenderId, cancellation);
        var (award, etag) = await awards.FindAsync(tenderId, lotId, cancellation)
            ?? throw Problem.InvalidState("The lot has not been ranked yet: POST its ranking first.").ToException();
        if (award.Status == AwardStatus.Recommended)
        {
            var now = clock.GetUtcNow();
            award = award.Confirm(caller.Id!, now, TenderPeriods.Parse(tender.Periods.Standstill), await bids.ListAsync(tenderId, cancellation)).OrThrow();
            await awards.UpdateAsync(award, etag, [Published(award)], cancellation);
        }
        else if (award.Status == AwardStatus.Failed && award.Offers.Count == 0)
        {
            throw Problem.InvalidState(award.FailureReason ?? "The lot has no candidate.").ToException();
        }

        await Workflows.EnsureStartedAsync(durable, nameof(AwardOrchestration), LotAward.InstanceId(tenderId, lotId), new AwardKey(tenderId, lotId), cancellation);
        return award;
    }

    /// <summary>A bidder challenges the award of a lot during its standstill; the contract waits for the ruling.</summary>
    public async Task<Challenge> ChallengeAsync(string tenderId, string organizationId, ChallengeForm form, string? idempotencyKey, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var v = new Validation();
        var lotId = v.Text("lotId", form.LotId, 20);
        var grounds = v.Text("grounds", form.Grounds, 8000, 20);
        v.ThrowIfAny();
        await TenderAsync(tenderId, cancellation);
        if (!(await bids.ListAsync(tenderId, cancellation)).Any(b => b.OrganizationId == organizationId))
        {
            throw Problem.Forbidden("Only a bidder of this tender may challenge its awards.").ToException();
        }

        var (award, _) = await awards.FindAsync(tenderId, lotId, cancellation) ?? throw Problem.NotFound("The lot's award").ToException();
        var now = clock.GetUtcNow();
        if (award.Status != AwardStatus.Standstill || award.Current is not { } current || now >= current.StandstillEndsAt)
        {
            throw Problem.DeadlinePassed("Challenges are lodged during the standstill after an award is published.").ToException();
        }

        var id = idempotencyKey is null ? Ids.New("chl", clock) : Ids.Derive("chl", tenderId, organizationId, idempotencyKey);
        var challenge = new Challenge(id, tenderId, lotId, organizationId, current.BidId, grounds, now, ChallengeStatus.Open);
        var lodged = outbox.Event($"/tenders/{tenderId}", "Serverless.Procurement.ChallengeLodged", id, tenderId, new { tenderId, lotId, challengeId = id });
        if (!await awards.TryAddChallengeAsync(challenge, [lodged], cancellation))
        {
            return (await awards.FindChallengeAsync(tenderId, id, cancellation))!.Value.Challenge;
        }

        return challenge;
    }

    /// <summary>
    /// The bureau rules: dismissed, the award stands (and the contract follows once the standstill is over);
    /// upheld, the challenged candidate is disqualified and the next one is offered the award.
    /// </summary>
    public async Task<Challenge> RuleAsync(string tenderId, string challengeId, Caller caller, RulingForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(form);
        caller.Require(Role.Admin);
        var v = new Validation();
        if (form.Decision is not ("dismiss" or "uphold"))
        {
            v.Add("decision", "Either 'dismiss' or 'uphold'.");
        }

        var ruling = v.Text("ruling", form.Ruling, 8000, 5);
        v.ThrowIfAny();
        var (challenge, etag) = await awards.FindChallengeAsync(tenderId, challengeId, cancellation) ?? throw Problem.NotFound("The challenge").ToException();
        if (challenge.Status != ChallengeStatus.Open)
        {
            return challenge;
        }

        var upheld = form.Decision == "uphold";
        if (upheld)
        {
            await EndOfferAsync(tenderId, challenge.LotId, challenge.AgainstBidId, OfferOutcome.Disqualified, $"Challenge upheld: {ruling}", cancellation);
        }

        var ruled = challenge with { Status = upheld ? ChallengeStatus.Upheld : ChallengeStatus.Dismissed, Ruling = ruling, RuledBy = caller.Id, RuledAt = clock.GetUtcNow() };
        var ruledEvent = outbox.Event($"/tenders/{tenderId}", "Serverless.Procurement.ChallengeRuled", challengeId, tenderId,
            new { tenderId, lotId = challenge.LotId, challengeId, decision = form.Decision });
        await awards.UpdateChallengeAsync(ruled, etag, [ruledEvent], cancellation);
        return ruled;
    }

    /// <summary>The candidate gives the award up, or the bureau disqualifies it: the next candidate is offered the award.</summary>
    public async Task<LotAward> EndOfferAsync(string tenderId, string lotId, string? bidId, OfferOutcome outcome, string reason, CancellationToken cancellation = default)
    {
        var tender = await TenderAsync(tenderId, cancellation);
        for (var attempt = 0; ; attempt++)
        {
            var (award, etag) = await awards.FindAsync(tenderId, lotId, cancellation) ?? throw Problem.NotFound("The lot's award").ToException();
            if (award.Current is not { } current || (bidId is not null && current.BidId != bidId))
            {
                return award;
            }

            if (current.ContractId is { } contractId && await contracts.FindAsync(contractId, cancellation) is { } found)
            {
                if (found.Contract.Status != ContractStatus.AwaitingSignature)
                {
                    throw Problem.InvalidState("The contract is signed; the award can no longer pass to another candidate.").ToException();
                }

                await contracts.UpdateAsync(found.Contract with { Status = ContractStatus.Lapsed, LapsedAt = clock.GetUtcNow(), LapseReason = reason }, found.ETag, cancellation);
            }

            var now = clock.GetUtcNow();
            var next = award.EndCurrentOffer(outcome, reason, now, TenderPeriods.Parse(tender.Periods.Standstill), await bids.ListAsync(tenderId, cancellation)).OrThrow();
            // The offer's end and, when the award passes on, the next candidate's publication: one batch with
            // the award row, so a run that finds the offer already ended (above) raises neither again.
            List<DomainEvent> events = [OfferEnded(next, current, outcome, reason)];
            if (next.Status == AwardStatus.Standstill)
            {
                events.Add(Published(next));
            }

            try
            {
                await awards.UpdateAsync(next, etag, events, cancellation);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                continue;
            }

            return next;
        }
    }

    /// <summary>
    /// The award workflow's step: when the standstill is over and no challenge is open, the contract is
    /// drawn up (once) and its own workflow started. Says what the award waits for next.
    /// </summary>
    public async Task<AwardStep> AdvanceAsync(AwardKey key, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(durable);
        var tender = await TenderAsync(key.TenderId, cancellation);
        var (award, etag) = (await awards.FindAsync(key.TenderId, key.LotId, cancellation))!.Value;
        var open = (await awards.ChallengesAsync(key.TenderId, cancellation)).Count(c => c.LotId == key.LotId && c.Status == ChallengeStatus.Open);
        var now = clock.GetUtcNow();
        if (award.Status == AwardStatus.Standstill && award.Current is { } current)
        {
            if (now < current.StandstillEndsAt)
            {
                return new AwardStep(award.Status, current.StandstillEndsAt, open, $"standstill until {current.StandstillEndsAt:O}: {current.OrganizationName} holds the award");
            }

            if (open > 0)
            {
                return new AwardStep(award.Status, null, open, $"{open} challenge(s) open: the contract waits for the ruling");
            }

            // The award row first (conditional: a withdrawal at the same moment wins and this step retries),
            // then the contract it names: a crash in between is repaired by the next pass below.
            var contractId = Contract.IdFor(key.TenderId, key.LotId, current.BidId);
            award = award with { Status = AwardStatus.Contracting, Offers = [.. award.Offers.Take(award.Offers.Count - 1), current with { ContractId = contractId }] };
            await awards.UpdateAsync(award, etag, cancellation);
        }

        if (award.Status == AwardStatus.Contracting && award.Current is { ContractId: { } id } holder)
        {
            if (await contracts.FindAsync(id, cancellation) is null)
            {
                var contract = Contract.Draw(tender, tender.Lots.First(l => l.Id == key.LotId), holder, now);
                // The event in the contract's creation batch (its partition; the source stays the tender): a
                // second pass finds the contract, or its batch fails as a whole, and adds nothing.
                var drawn = outbox.Event($"/tenders/{key.TenderId}", "Serverless.Procurement.ContractDrawn", contract.Id, key.TenderId,
                    new { tenderId = key.TenderId, lotId = key.LotId, contractId = contract.Id, signBy = contract.SignBy });
                await contracts.TryAddAsync(contract, [drawn], cancellation);
            }

            await Workflows.EnsureStartedAsync(durable, nameof(ContractOrchestration), ContractOrchestration.InstanceId(id), id, cancellation);
        }

        return new AwardStep(award.Status, null, open, award.Status switch
        {
            AwardStatus.Contracting => $"contract {award.Current?.ContractId} awaits signatures",
            AwardStatus.Contracted => "contract signed",
            AwardStatus.Failed => award.FailureReason ?? "failed",
            _ => award.Status.ToString(),
        });
    }

    /// <summary>
    /// The contract was signed: the offer ends as signed and the award is contracted, with the offer's end
    /// (AwardOfferEnded, as for every other outcome) in the same batch. Once done, the offer is no longer
    /// current, so a second call changes and raises nothing.
    /// </summary>
    public async Task MarkSignedAsync(string tenderId, string lotId, string contractId, CancellationToken cancellation = default)
    {
        var (award, etag) = (await awards.FindAsync(tenderId, lotId, cancellation))!.Value;
        if (award.Status != AwardStatus.Contracted && award.Current is { } current && current.ContractId == contractId)
        {
            var now = clock.GetUtcNow();
            const string reason = "The contract was signed.";
            var contracted = award with
            {
                Status = AwardStatus.Contracted,
                Offers = [.. award.Offers.Take(award.Offers.Count - 1), current with { Outcome = OfferOutcome.ContractSigned, EndedAt = now }],
            };
            await awards.UpdateAsync(contracted, etag, [OfferEnded(contracted, current, OfferOutcome.ContractSigned, reason)], cancellation);
        }
    }

    /// <summary>AwardPublished for the award's current offer: its id is the lot and bid, so each candidate's publication is one event.</summary>
    private DomainEvent Published(LotAward award)
    {
        var offer = award.Current!;
        return outbox.Event($"/tenders/{award.TenderId}", "Serverless.Procurement.AwardPublished", $"{award.LotId}|{offer.BidId}", award.TenderId,
            new { tenderId = award.TenderId, lotId = award.LotId, bidId = offer.BidId, organizationId = offer.OrganizationId, standstillEndsAt = offer.StandstillEndsAt });
    }

    /// <summary>AwardOfferEnded for <paramref name="ended"/>: an offer ends once, so the lot and bid identify it.</summary>
    private DomainEvent OfferEnded(LotAward award, AwardOffer ended, OfferOutcome outcome, string reason) =>
        outbox.Event($"/tenders/{award.TenderId}", "Serverless.Procurement.AwardOfferEnded", $"{award.LotId}|{ended.BidId}", award.TenderId,
            new { tenderId = award.TenderId, lotId = award.LotId, bidId = ended.BidId, outcome = outcome.ToString(), reason });

    private async Task<Tender> TenderAsync(string tenderId, CancellationToken cancellation) =>
        (await tenders.FindAsync(tenderId, cancellation) ?? throw Problem.NotFound("The tender").ToException()).Tender;
}

public sealed record AwardKey(string TenderId, string LotId);

using System.Globalization;
using System.Text.Json.Serialization;
using Azure;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>The dispatch clocks: how long an offer stays open per tier, how many go out at once in an emergency.</summary>
public sealed class DispatchOptions(IConfiguration configuration)
{
    public TimeSpan OfferTimeout(UrgencyTier tier) =>
        configuration[$"Dispatch:OfferTimeout:{tier}"] is { Length: > 0 } iso ? System.Xml.XmlConvert.ToTimeSpan(iso) : tier switch
        {
            UrgencyTier.Emergency => TimeSpan.FromMinutes(2),
            UrgencyTier.Red => TimeSpan.FromMinutes(5),
            UrgencyTier.Yellow => TimeSpan.FromMinutes(30),
            _ => TimeSpan.FromHours(2),
        };

    /// <summary>
    /// The window from a request to its deadline to be on site: DOMAIN.md's figures, unless configured
    /// (<c>Dispatch:Window:&lt;tier&gt;</c>, for drills and tests that cannot wait half an hour).
    /// </summary>
    public TimeSpan Window(UrgencyTier tier) =>
        configuration[$"Dispatch:Window:{tier}"] is { Length: > 0 } iso ? System.Xml.XmlConvert.ToTimeSpan(iso) : Urgency.Window(tier);

    /// <summary>Emergencies are offered to this many at once; the first to accept wins.</summary>
    public int EmergencyParallelOffers => configuration.GetValue("Dispatch:EmergencyParallelOffers", 3);

    /// <summary>A task not checked out this long after check-in is closed unconfirmed and flagged.</summary>
    public TimeSpan CheckOutWithin => configuration[$"Dispatch:CheckOutWithin"] is { Length: > 0 } iso ? System.Xml.XmlConvert.ToTimeSpan(iso) : TimeSpan.FromHours(24);
}

/// <summary>Where a request's dispatch stands, for its workflow: what it waits for and until when.</summary>
public sealed record DispatchStep(
    [property: JsonConverter(typeof(JsonStringEnumConverter<RequestStatus>))] RequestStatus Status,
    DateTimeOffset? WaitUntil,
    string Message)
{
    [JsonIgnore]
    public bool IsFinal => Status is RequestStatus.Confirmed or RequestStatus.Unconfirmed or RequestStatus.Escalated or RequestStatus.Cancelled;
}

/// <summary>
/// Dispatch (派单): a request's one idempotent step, run by its workflow whenever an offer is answered or a
/// clock runs out. It settles the round (the first acceptance won), expires unanswered offers, warns at the
/// tier's warning point, offers to the next candidates (widening the search ring when one runs dry), and
/// escalates to the community social worker when the street has nobody left. After acceptance it watches
/// for a no-show (no check-in by the deadline: dispatched again) and a missing check-out (closed unconfirmed).
/// </summary>
public sealed class Dispatching(RequestStore requests, VolunteerStore volunteers, HoursLedger ledger, Outbox outbox, DispatchOptions options, TimeProvider clock)
{
    private static DistrictMap Map => DistrictMap.Shipped;

    public async Task<ServiceRequest> CreateAsync(ServiceRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var created = outbox.Event(Source(request.Id), "Serverless.Dispatch.RequestCreated", "created", request.Id,
            new { requestId = request.Id, tier = request.Tier.ToString(), request.GridId, request.Deadline });
        if (!await requests.TryAddAsync(request, [created], cancellation))
        {
            return (await requests.FindAsync(request.Id, cancellation))!.Value.Request;
        }

        await Note(request, "created", $"created by {request.CreatedBy}: {request.Tier.ToString().ToLowerInvariant()} tier, on site by {request.Deadline:O}", cancellation);
        return request;
    }

    public async Task<DispatchStep> AdvanceAsync(string requestId, CancellationToken cancellation = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await StepAsync(requestId, cancellation);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
                // Someone checked in, declined or accepted meanwhile: read again.
            }
        }
    }

    private async Task<DispatchStep> StepAsync(string requestId, CancellationToken cancellation)
    {
        var (r, etag) = await requests.FindAsync(requestId, cancellation) ?? throw new InvalidOperationException($"Request {requestId} does not exist.");
        var read = r;
        var now = clock.GetUtcNow();
        switch (r.Status)
        {
            case RequestStatus.Accepted when now >= (r.CheckInBy ?? r.Deadline):
                r = await NoShowAsync(r, etag, now, cancellation);
                (read, etag) = (await requests.FindAsync(requestId, cancellation))!.Value;
                break;
            case RequestStatus.Accepted:
                return new DispatchStep(r.Status, r.CheckInBy ?? r.Deadline, $"accepted by {r.VolunteerId}; check-in expected by {r.CheckInBy ?? r.Deadline:O}");
            case RequestStatus.CheckedIn when now >= r.CheckedInAt + options.CheckOutWithin:
                return await CloseUnconfirmedAsync(r, etag, now, cancellation);
            case RequestStatus.CheckedIn:
                return new DispatchStep(r.Status, r.CheckedInAt + options.CheckOutWithin, $"on site since {r.CheckedInAt:O}");
            case RequestStatus.CheckedOut:
                return new DispatchStep(r.Status, null, "checked out; waiting for the grid worker's confirmation");
            case RequestStatus.Dispatching:
                break;
            default:
                return new DispatchStep(r.Status, null, r.Status.ToString());
        }

        // The first acceptance of this round wins.
        if (await requests.AssignmentAsync(r.Id, r.Round, cancellation) is { } won)
        {
            return await AcceptedAsync(r, etag, won, now, cancellation);
        }

        // The step's events, stored with the request's update that ends it: all of them or none.
        var events = new List<DomainEvent>();
        var offers = r.OfferList.ToList();
        for (var i = 0; i < offers.Count; i++)
        {
            if (offers[i].Status == OfferStatus.Open && offers[i].Round == r.Round && now >= offers[i].ExpiresAt)
            {
                offers[i] = offers[i] with { Status = OfferStatus.Expired };
                events.Add(outbox.Event(Source(r.Id), "Serverless.Dispatch.OfferExpired", $"expired|{offers[i].OfferId}", r.Id,
                    new { requestId = r.Id, offerId = offers[i].OfferId, volunteerId = offers[i].VolunteerId, round = offers[i].Round }));
                await SetOfferStatusAsync(offers[i], OfferStatus.Expired, now, cancellation);
                await Note(r, $"expired|{offers[i].OfferId}", $"no answer from {offers[i].VolunteerId} by {offers[i].ExpiresAt:O}: next candidate", cancellation);
            }
            else if (offers[i].Status == OfferStatus.Open
                && await requests.FindOfferAsync(offers[i].VolunteerId, offers[i].OfferId, cancellation) is { Offer.Status: OfferStatus.Declined })
            {
                offers[i] = offers[i] with { Status = OfferStatus.Declined };
            }
        }

        r = r with { Offers = offers };
        if (r.AtRiskSince is null && now >= r.WarnAt)
        {
            r = r with { AtRiskSince = now };
            await Note(r, "at-risk", $"nobody has accepted by the warning point {r.WarnAt:O}: escalated to the social worker of {Map.Communities[r.CommunityId].Name} while offers continue", cancellation);
            events.Add(outbox.Event(Source(r.Id), "Serverless.Dispatch.RequestAtRisk", "at-risk", r.Id,
                new { requestId = r.Id, r.CommunityId, r.Deadline, tier = r.Tier.ToString() }));
        }

        if (!r.OfferList.Exists(o => o.Status == OfferStatus.Open && o.Round == r.Round))
        {
            r = await OfferNextAsync(r, now, events, cancellation);
        }

        await requests.UpdateAsync(r, etag, read, events, cancellation);
        if (r.Status == RequestStatus.Escalated)
        {
            return new DispatchStep(r.Status, null, "no candidate left in the street: escalated to the community social worker");
        }

        var open = r.OfferList.Where(o => o.Status == OfferStatus.Open && o.Round == r.Round).ToList();
        var until = open.Min(o => o.ExpiresAt);
        if (r.AtRiskSince is null && r.WarnAt < until)
        {
            until = r.WarnAt;
        }

        return new DispatchStep(r.Status, until, $"offered to {string.Join(", ", open.Select(o => o.VolunteerId))} until {open.Min(o => o.ExpiresAt):O}");
    }

    /// <summary>Offers to the next candidates of the current ring, widening ring by ring; escalates when the street is exhausted.</summary>
    private async Task<ServiceRequest> OfferNextAsync(ServiceRequest r, DateTimeOffset now, List<DomainEvent> events, CancellationToken cancellation)
    {
        var served = await ledger.ServedAsync(r.BeneficiaryId, cancellation);
        for (var level = r.Level; level < 4; level++)
        {
            // Still needed after a missed deadline (a no-show): look for someone free within the tier's window from now.
            var until = r.Deadline > now ? r.Deadline : now + (r.Deadline - r.CreatedAt);
            var (ranked, excluded) = await volunteers.MatchRingAsync(Map, r.GridId, level, new MatchNeed(r.Skills, now, until, r.Offered, served), cancellation);
            if (ranked.Count == 0)
            {
                if (level < 3)
                {
                    await Note(r, $"widened|{r.Round}|{level + 1}", $"no candidate in ring {level} ({Matching.RingName(level)}; {excluded.Count} filtered out): widening to {Matching.RingName(level + 1)}", cancellation);
                }

                continue;
            }

            var count = r.Tier == UrgencyTier.Emergency ? Math.Min(options.EmergencyParallelOffers, ranked.Count) : 1;
            var chosen = ranked.Take(count).ToList();
            var expires = now + options.OfferTimeout(r.Tier);
            var refs = r.OfferList.ToList();
            foreach (var c in chosen)
            {
                var offer = new Offer(Offer.IdFor(r.Id, c.VolunteerId, r.Round), r.Id, c.VolunteerId, r.Round, level, c.Rank, c.Score, r.Tier, r.Need,
                    r.Skills, r.GridId, r.Deadline, now, expires, OfferStatus.Open, Vulnerability: r.Vulnerability);
                if (await requests.TryAddOfferAsync(offer, cancellation))
                {
                    await volunteers.UpdateRecordAsync(c.VolunteerId, rec => rec with { Offered = rec.Offered + 1 }, cancellation);
                }

                refs.Add(new OfferRef(offer.Id, c.VolunteerId, r.Round, expires, OfferStatus.Open));
                events.Add(outbox.Event(Source(r.Id), "Serverless.Dispatch.OfferMade", $"offered|{offer.Id}", r.Id,
                    new { requestId = r.Id, offerId = offer.Id, volunteerId = c.VolunteerId, round = r.Round, expiresAt = expires }));
            }

            var details = ranked.Take(5).Select(c => $"#{c.Rank} {c.VolunteerId}: {string.Join("; ", c.Steps)}").ToList();
            details.AddRange(excluded.Take(5).Select(x => $"left out {x.VolunteerId}: {x.Reason}"));
            await Note(r, $"offered|{string.Join(",", chosen.Select(c => c.VolunteerId))}|{r.Round}",
                $"{ranked.Count} candidates in {Matching.RingName(level)} ({excluded.Count} filtered out); offered to {string.Join(", ", chosen.Select(c => c.VolunteerId))} until {expires:O}",
                cancellation, details);
            return r with { Level = level, Offers = refs };
        }

        await Note(r, $"escalated|{r.Round}", $"no candidate left in {r.Street}: escalated to the social worker of {Map.Communities[r.CommunityId].Name}", cancellation);
        events.Add(outbox.Event(Source(r.Id), "Serverless.Dispatch.RequestEscalated", $"escalated|{r.Round}", r.Id,
            new { requestId = r.Id, r.CommunityId, r.Street, reason = "no candidate left" }));
        return r with { Level = 3, Status = RequestStatus.Escalated, EscalatedAt = now };
    }

    private async Task<DispatchStep> AcceptedAsync(ServiceRequest r, ETag etag, Assignment won, DateTimeOffset now, CancellationToken cancellation)
    {
        var offers = new List<OfferRef>();
        foreach (var o in r.OfferList)
        {
            if (o.Round == r.Round && o.OfferId == won.OfferId)
            {
                offers.Add(o with { Status = OfferStatus.Accepted });
            }
            else if (o.Round == r.Round && o.Status == OfferStatus.Open)
            {
                // Emergencies went to several at once: the others are told to stand down.
                await SetOfferStatusAsync(o, OfferStatus.StoodDown, now, cancellation);
                await Note(r, $"stood-down|{o.OfferId}", $"{o.VolunteerId} stood down: {won.VolunteerId} accepted first", cancellation);
                offers.Add(o with { Status = OfferStatus.StoodDown });
            }
            else
            {
                offers.Add(o);
            }
        }

        // On site by the deadline; a request taken up after its deadline (dispatched again) gets a fresh window.
        var checkInBy = won.At < r.Deadline ? r.Deadline : won.At + (r.Deadline - r.CreatedAt);
        var accepted = r with { Status = RequestStatus.Accepted, VolunteerId = won.VolunteerId, AcceptedAt = won.At, CheckInBy = checkInBy, Offers = offers };
        // The line first: whoever reads the new status finds its line in the timeline (written once by key).
        await Note(r, $"accepted|{r.Round}", $"accepted by {won.VolunteerId} at {won.At:O}", cancellation);
        var offerAccepted = outbox.Event(Source(r.Id), "Serverless.Dispatch.OfferAccepted", $"accepted|{r.Round}", r.Id,
            new { requestId = r.Id, volunteerId = won.VolunteerId, round = r.Round });
        await requests.UpdateAsync(accepted, etag, null, [offerAccepted], cancellation);
        var today = District.Today(now);
        await volunteers.UpdateRecordAsync(won.VolunteerId, rec => rec with
        {
            Accepted = rec.Accepted + 1,
            WeekOf = District.WeekOf(today),
            TasksThisWeek = rec.TasksInWeekOf(today) + 1,
        }, cancellation);
        return new DispatchStep(RequestStatus.Accepted, checkInBy, $"accepted by {won.VolunteerId}");
    }

    /// <summary>Accepted but not on site by the deadline: the booking is released and the request dispatched again.</summary>
    private async Task<ServiceRequest> NoShowAsync(ServiceRequest r, ETag etag, DateTimeOffset now, CancellationToken cancellation)
    {
        var volunteer = r.VolunteerId!;
        var offers = r.OfferList.Select(o => o.VolunteerId == volunteer && o.Round == r.Round ? o with { Status = OfferStatus.NoShow } : o).ToList();
        var again = r with { Status = RequestStatus.Dispatching, VolunteerId = null, AcceptedAt = null, CheckInBy = null, Round = r.Round + 1, Offers = offers, Flagged = true };
        var noShowEvent = outbox.Event(Source(r.Id), "Serverless.Dispatch.NoShow", $"no-show|{r.Round}", r.Id, new { requestId = r.Id, volunteerId = volunteer });
        await requests.UpdateAsync(again, etag, null, [noShowEvent], cancellation);
        await Note(r, $"no-show|{r.Round}", $"{volunteer} did not check in by {r.CheckInBy ?? r.Deadline:O}: dispatched again", cancellation);
        if (offers.FirstOrDefault(o => o.VolunteerId == volunteer && o.Round == r.Round) is { } noShow)
        {
            await SetOfferStatusAsync(noShow, OfferStatus.NoShow, now, cancellation);
        }

        await requests.ReleaseBookingAsync(volunteer, r.Id, cancellation);
        await volunteers.UpdateRecordAsync(volunteer, rec => rec with { NoShows = rec.NoShows + 1 }, cancellation);
        return again;
    }

    private async Task<DispatchStep> CloseUnconfirmedAsync(ServiceRequest r, ETag etag, DateTimeOffset now, CancellationToken cancellation)
    {
        // The state first: a check-out at the same instant wins the race (412, step retried) and no line is written.
        var unconfirmed = outbox.Event(Source(r.Id), "Serverless.Dispatch.RequestUnconfirmed", "unconfirmed", r.Id, new { requestId = r.Id, volunteerId = r.VolunteerId });
        await requests.UpdateAsync(r with { Status = RequestStatus.Unconfirmed, Flagged = true }, etag, null, [unconfirmed], cancellation);
        await requests.ReleaseBookingAsync(r.VolunteerId!, r.Id, cancellation);
        await Note(r, "unconfirmed", $"not checked out within {options.CheckOutWithin.TotalHours:0} hours of check-in: closed unconfirmed and flagged", cancellation);
        return new DispatchStep(RequestStatus.Unconfirmed, null, "closed unconfirmed");
    }

    /// <summary>
    /// A volunteer accepts: the request's round is claimed (only the first claim succeeds) and the volunteer
    /// booked (only if free). Both are single-row inserts, so two acceptances at the same instant cannot both win.
    /// </summary>
    public async Task<Offer> AcceptAsync(string volunteerId, string offerId, CancellationToken cancellation = default)
    {
        var (offer, etag) = await requests.FindOfferAsync(volunteerId, offerId, cancellation) ?? throw Problem.NotFound("The offer").ToException();
        var now = clock.GetUtcNow();
        if (offer.Status == OfferStatus.Accepted)
        {
            return offer;
        }

        if (offer.Status != OfferStatus.Open)
        {
            throw Problem.Conflict(ProblemCodes.OfferClosed, $"The offer is {offer.Status.ToString().ToLowerInvariant()}.").ToException();
        }

        if (now >= offer.ExpiresAt)
        {
            throw Problem.DeadlinePassed($"The offer expired at {offer.ExpiresAt:O}.").ToException();
        }

        if (!await requests.TryAssignAsync(new Assignment(offer.RequestId, offer.Round, volunteerId, offer.Id, now), cancellation)
            && (await requests.AssignmentAsync(offer.RequestId, offer.Round, cancellation))?.VolunteerId != volunteerId)
        {
            await TrySetAsync(offer, etag, OfferStatus.StoodDown, now, cancellation);
            throw Problem.Conflict(ProblemCodes.OfferTaken, "Another volunteer accepted this request first; thank you.").ToException();
        }

        if (!await requests.TryBookAsync(new Booking(volunteerId, offer.RequestId, offer.Round, now), cancellation)
            && (await requests.BookingAsync(volunteerId, cancellation))?.RequestId != offer.RequestId)
        {
            await requests.ReleaseAssignmentAsync(offer.RequestId, offer.Round, volunteerId, cancellation);
            throw Problem.Conflict(ProblemCodes.AlreadyBooked, "You already hold another task; finish or hand it back first.").ToException();
        }

        var accepted = offer with { Status = OfferStatus.Accepted, AnsweredAt = now };
        await TrySetAsync(offer, etag, OfferStatus.Accepted, now, cancellation);
        return accepted;
    }

    public async Task<Offer> DeclineAsync(string volunteerId, string offerId, CancellationToken cancellation = default)
    {
        var (offer, etag) = await requests.FindOfferAsync(volunteerId, offerId, cancellation) ?? throw Problem.NotFound("The offer").ToException();
        if (offer.Status == OfferStatus.Declined)
        {
            return offer;
        }

        if (offer.Status != OfferStatus.Open)
        {
            throw Problem.Conflict(ProblemCodes.OfferClosed, $"The offer is {offer.Status.ToString().ToLowerInvariant()}.").ToException();
        }

        var now = clock.GetUtcNow();
        var declined = offer with { Status = OfferStatus.Declined, AnsweredAt = now };
        await requests.UpdateOfferAsync(declined, etag, cancellation);
        await requests.NoteAsync(offer.RequestId, $"declined|{offer.Id}", new TimelineEntry(now, "declined", $"{volunteerId} declined: next candidate"), cancellation);
        return declined;
    }

    public async Task<ServiceRequest> CheckInAsync(string requestId, string volunteerId, CancellationToken cancellation = default) =>
        await MoveAsync(requestId, volunteerId, RequestStatus.Accepted, (r, now) => r with { Status = RequestStatus.CheckedIn, CheckedInAt = now }, "checked-in", "checked in on site", cancellation);

    public async Task<ServiceRequest> CheckOutAsync(string requestId, string volunteerId, CancellationToken cancellation = default) =>
        await MoveAsync(requestId, volunteerId, RequestStatus.CheckedIn, (r, now) => r with { Status = RequestStatus.CheckedOut, CheckedOutAt = now, Hours = HoursLedger.Hours(r.CheckedInAt!.Value, now) },
            "checked-out", "checked out", cancellation);

    /// <summary>The grid worker confirms the service: the hours are credited (once) and the volunteer is free again.</summary>
    public async Task<ServiceRequest> ConfirmAsync(string requestId, Caller caller, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (r, etag) = await requests.FindAsync(requestId, cancellation) ?? throw Problem.NotFound("The request").ToException();
        if (r.Status == RequestStatus.Confirmed)
        {
            return r;
        }

        if (r.Status != RequestStatus.CheckedOut)
        {
            throw Problem.InvalidState("A service is confirmed after the volunteer checks out.").ToException();
        }

        var now = clock.GetUtcNow();
        await ledger.CreditAsync(r, cancellation);
        var confirmed = r with { Status = RequestStatus.Confirmed, ConfirmedAt = now, ConfirmedBy = caller.Id };
        var serviceConfirmed = outbox.Event(Source(r.Id), "Serverless.Dispatch.ServiceConfirmed", "confirmed", r.Id,
            new { requestId = r.Id, volunteerId = r.VolunteerId, hours = r.Hours, r.CommunityId });
        await requests.UpdateAsync(confirmed, etag, r, [serviceConfirmed], cancellation);
        await requests.ReleaseBookingAsync(r.VolunteerId!, r.Id, cancellation);
        var today = District.Today(now);
        await volunteers.UpdateRecordAsync(r.VolunteerId!, rec => rec with
        {
            Completed = rec.Completed + 1,
            RecentTasks = [.. (rec.RecentTasks ?? []).Where(d => d > today.AddDays(-28)), today],
        }, cancellation);
        await Note(r, "confirmed", $"confirmed by {caller.Id}: {r.Hours} hours credited to {r.VolunteerId}", cancellation);
        return confirmed;
    }

    private async Task<ServiceRequest> MoveAsync(string requestId, string volunteerId, RequestStatus from, Func<ServiceRequest, DateTimeOffset, ServiceRequest> move,
        string kind, string text, CancellationToken cancellation)
    {
        var (r, etag) = await requests.FindAsync(requestId, cancellation) ?? throw Problem.NotFound("The request").ToException();
        if (r.VolunteerId != volunteerId)
        {
            throw Problem.Forbidden("Only the volunteer who accepted the request checks in and out.").ToException();
        }

        if (r.Status != from)
        {
            var done = move(r, clock.GetUtcNow()).Status;
            return r.Status == done ? r : throw Problem.InvalidState($"The request is {r.Status.ToString().ToLowerInvariant()}.").ToException();
        }

        var now = clock.GetUtcNow();
        var moved = move(r, now);
        await requests.UpdateAsync(moved, etag, cancellation: cancellation);
        await Note(r, $"{kind}|{r.Round}", $"{volunteerId} {text} at {now:O}", cancellation);
        return moved;
    }

    private async Task SetOfferStatusAsync(OfferRef o, OfferStatus status, DateTimeOffset now, CancellationToken cancellation)
    {
        if (await requests.FindOfferAsync(o.VolunteerId, o.OfferId, cancellation) is { } found && (found.Offer.Status == OfferStatus.Open || status == OfferStatus.NoShow))
        {
            await TrySetAsync(found.Offer, found.ETag, status, now, cancellation);
        }
    }

    private async Task TrySetAsync(Offer offer, ETag etag, OfferStatus status, DateTimeOffset now, CancellationToken cancellation)
    {
        try
        {
            await requests.UpdateOfferAsync(offer with { Status = status, AnsweredAt = offer.AnsweredAt ?? now }, etag, cancellation);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Answered at the same moment; the request's step reads the outcome from the claim rows.
        }
    }

    private Task Note(ServiceRequest r, string key, string text, CancellationToken cancellation, List<string>? details = null) =>
        requests.NoteAsync(r.Id, key, new TimelineEntry(clock.GetUtcNow(), key.Split('|')[0], text, details), cancellation);

    private static string Source(string requestId) => $"/service-requests/{requestId}";
}

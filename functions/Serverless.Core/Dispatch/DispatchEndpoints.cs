using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>One community's services in a report's period.</summary>
public sealed record CommunityServiceCount(string CommunityId, string Name, string Street, int Requests, int Confirmed, decimal Hours, int Escalated, int Unconfirmed);

public sealed record VolunteeringReport(DateOnly From, DateOnly To, int Requests, int Confirmed, decimal Hours, List<CommunityServiceCount> Communities);

/// <summary>
/// A request and its timeline as its reader may see them: whole for the bureau and the dispatchers of the
/// request's community; for anyone else (the volunteer serving it, a dispatcher of another community) with the
/// beneficiary masked (<see cref="BeneficiaryMasking"/>), in the request, the need and every line of the timeline.
/// </summary>
public sealed record ServiceRequestView(ServiceRequest Request, List<TimelineEntry> Timeline, bool BeneficiaryMasked)
{
    public static ServiceRequestView Of(ServiceRequest request, List<TimelineEntry> timeline, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.ServesCommunity(request.CommunityId))
        {
            return new ServiceRequestView(request, timeline, false);
        }

        string Mask(string text) => BeneficiaryMasking.Text(text, request.BeneficiaryName, request.BeneficiaryId);
        return new ServiceRequestView(request.Masked(),
            timeline.Select(e => e with { Text = Mask(e.Text), Details = e.Details?.Select(Mask).ToList() }).ToList(), true);
    }
}

/// <summary>A pairing as its reader may see it: the beneficiary masked, in the pairing and the visit notes, unless the caller serves its community.</summary>
public static class PairingViews
{
    public static PairingView Of(Pairing pairing, List<Visit> visits, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        ArgumentNullException.ThrowIfNull(visits);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.ServesCommunity(pairing.CommunityId))
        {
            return new PairingView(pairing, pairing.DueAt, visits);
        }

        var masked = pairing with { BeneficiaryId = BeneficiaryMasking.Id(pairing.BeneficiaryId), BeneficiaryName = BeneficiaryMasking.Name(pairing.BeneficiaryName) };
        return new PairingView(masked, pairing.DueAt,
            visits.Select(v => v with { Notes = BeneficiaryMasking.Text(v.Notes, pairing.BeneficiaryName, pairing.BeneficiaryId) }).ToList());
    }
}

public static class DispatchEndpoints
{
    /// <summary>
    /// The bureau registers a volunteer, or a volunteer registers themselves: with their sign-in's volunteer
    /// id, or, on first sign-up, an id derived from the sign-in, which is then bound to it (membership).
    /// </summary>
    public static async Task<IResult> RegisterVolunteer(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Volunteer);
        var form = await ctx.ReadBodyAsync<VolunteerForm>();
        var key = ctx.IdempotencyKey();
        var id = ctx.Caller.IsIn(Role.Admin)
            ? key is null ? Ids.New("vol", ctx.Clock) : Ids.Derive("vol", ctx.Caller.Id!, key)
            : ctx.Caller.VolunteerId ?? Ids.Derive("vol", "sign-up", ctx.Caller.Id!);
        var volunteer = form.Validate(id, ctx.Clock.GetUtcNow(), DistrictMap.Shipped);
        var store = ctx.Service<VolunteerStore>();
        if (!await store.TryAddAsync(volunteer, ctx.Aborted))
        {
            volunteer = (await store.FindAsync(id, ctx.Aborted))!.Value.Volunteer;
        }

        if (!ctx.Caller.IsIn(Role.Admin) && ctx.Caller.VolunteerId is null)
        {
            // After the volunteer row, so a crash between the two is repaired by the retry.
            await ctx.Service<MembershipStore>().BindVolunteerAsync(ctx.Caller.Id!, id, ctx.Clock.GetUtcNow(), ctx.Aborted);
        }

        return Reply.Created(Volunteer.Location(id), VolunteerView.Of(volunteer, ctx.Caller));
    }

    public static async Task<IResult> UpdateVolunteer(EndpointContext ctx)
    {
        var id = ctx.Route("volunteerId");
        RequireSelfOrBureau(ctx, id);
        var store = ctx.Service<VolunteerStore>();
        var (existing, etag) = await store.FindAsync(id, ctx.Aborted) ?? throw Problem.NotFound("The volunteer").ToException();
        var form = await ctx.ReadBodyAsync<VolunteerForm>();
        if (form.Status == VolunteerStatus.Suspended && !ctx.Caller.IsIn(Role.Admin))
        {
            throw Problem.Forbidden("Only the bureau suspends a volunteer.").ToException();
        }

        var updated = form.Validate(id, ctx.Clock.GetUtcNow(), DistrictMap.Shipped, existing);
        await store.UpdateAsync(existing, updated, etag, ctx.Aborted);
        return Reply.Ok(VolunteerView.Of(updated, ctx.Caller));
    }

    public static async Task<IResult> GetVolunteer(EndpointContext ctx)
    {
        var id = ctx.Route("volunteerId");
        if (!ctx.Caller.IsVolunteer(id))
        {
            ctx.Caller.Require(Role.Admin, Role.Dispatcher);
        }

        var (volunteer, _) = await ctx.Service<VolunteerStore>().FindAsync(id, ctx.Aborted) ?? throw Problem.NotFound("The volunteer").ToException();
        return Reply.Ok(VolunteerView.Of(volunteer, ctx.Caller));
    }

    /// <summary>
    /// A volunteer's hours, for the volunteer and the bureau. Each entry's memo names the service and its
    /// beneficiary: masked for anyone who does not serve the beneficiary's community (the volunteer).
    /// </summary>
    public static async Task<IResult> GetHours(EndpointContext ctx)
    {
        var id = ctx.Route("volunteerId");
        RequireSelfOrBureau(ctx, id);
        var statement = await ctx.Service<HoursLedger>().StatementAsync(id, ctx.Aborted);
        var store = ctx.Service<RequestStore>();
        var requests = new Dictionary<string, ServiceRequest?>(StringComparer.Ordinal);
        foreach (var requestId in statement.Entries.Select(e => e.RequestId).Distinct(StringComparer.Ordinal))
        {
            requests[requestId] = (await store.FindAsync(requestId, ctx.Aborted))?.Request;
        }

        var entries = statement.Entries.Select(e => requests[e.RequestId] is not { } r || ctx.Caller.ServesCommunity(r.CommunityId)
            ? e
            : e with { Memo = BeneficiaryMasking.Text(e.Memo, r.BeneficiaryName, r.BeneficiaryId) }).ToList();
        return Reply.Ok(statement with { Entries = entries });
    }

    /// <summary>
    /// A dispatcher (grid worker, hotline operator) creates a request in a community they serve; its dispatch
    /// workflow starts at once. The community comes from the body's grid, so a dispatcher of another community
    /// is refused (403) after the body is validated.
    /// </summary>
    public static async Task<IResult> CreateServiceRequest(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var form = await ctx.ReadBodyAsync<ServiceRequestForm>();
        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("req", ctx.Clock) : Ids.Derive("req", ctx.Caller.Id!, key);
        var request = form.Validate(id, ctx.Caller, ctx.Clock.GetUtcNow(), DistrictMap.Shipped, ctx.Service<DispatchOptions>().Window);
        ctx.Caller.RequireCommunity(request.CommunityId);
        request = await ctx.Service<Dispatching>().CreateAsync(request, ctx.Aborted);
        await Workflows.EnsureStartedAsync(ctx.Durable, nameof(DispatchOrchestration), DispatchOrchestration.InstanceId(id), id, ctx.Aborted);
        return Reply.Created(ServiceRequest.Location(id), request);
    }

    /// <summary>
    /// A request with its timeline: for the bureau, dispatchers and the volunteer who accepted it (another
    /// volunteer is refused, 403). The beneficiary is masked for all but the bureau and the request's community.
    /// </summary>
    public static async Task<IResult> GetServiceRequest(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin, Role.Volunteer);
        var store = ctx.Service<RequestStore>();
        var (request, _) = await store.FindAsync(ctx.Route("requestId"), ctx.Aborted) ?? throw Problem.NotFound("The request").ToException();
        if (!ctx.Caller.IsIn(Role.Dispatcher) && !ctx.Caller.IsIn(Role.Admin) && (request.VolunteerId is null || !ctx.Caller.IsVolunteer(request.VolunteerId)))
        {
            throw Problem.Forbidden("A volunteer reads the requests they accepted.").ToException();
        }

        return Reply.Ok(ServiceRequestView.Of(request, await store.TimelineAsync(request.Id, ctx.Aborted), ctx.Caller));
    }

    /// <summary>
    /// The caller's open offers: the most urgent tier first, then the special groups (重点人群: elderly living
    /// alone, disabled, low-income, left-behind children) before others, then the soonest to expire.
    /// </summary>
    public static async Task<IResult> MyOffers(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var now = ctx.Clock.GetUtcNow();
        var offers = await ctx.Service<RequestStore>().OffersOfAsync(volunteerId, ctx.Aborted);
        var open = offers.Where(o => o.Status == OfferStatus.Open && o.ExpiresAt > now)
            .OrderBy(o => o.Tier).ThenBy(o => o.Vulnerability).ThenBy(o => o.ExpiresAt).ToList();
        var masked = new List<Offer>(open.Count);
        foreach (var offer in open)
        {
            masked.Add(await MaskAsync(ctx, offer));
        }

        return Reply.Ok(masked);
    }

    /// <summary>An offer is answered by its volunteer only: to any other volunteer it does not exist (404).</summary>
    public static async Task<IResult> AcceptOffer(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var offer = await ctx.Service<Dispatching>().AcceptAsync(volunteerId, ctx.Route("offerId"), ctx.Aborted);
        await Signal(ctx, offer.RequestId);
        return Reply.Ok(await MaskAsync(ctx, offer));
    }

    public static async Task<IResult> DeclineOffer(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var offer = await ctx.Service<Dispatching>().DeclineAsync(volunteerId, ctx.Route("offerId"), ctx.Aborted);
        await Signal(ctx, offer.RequestId);
        return Reply.Ok(await MaskAsync(ctx, offer));
    }

    /// <summary>The volunteer who accepted the request checks in; anyone else is refused (403). The reply masks the beneficiary.</summary>
    public static async Task<IResult> CheckIn(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var request = await ctx.Service<Dispatching>().CheckInAsync(ctx.Route("requestId"), volunteerId, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(ForCaller(ctx, request));
    }

    public static async Task<IResult> CheckOut(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var request = await ctx.Service<Dispatching>().CheckOutAsync(ctx.Route("requestId"), volunteerId, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(ForCaller(ctx, request));
    }

    /// <summary>
    /// The beneficiary's grid worker (a dispatcher of the request's community) or the bureau confirms the
    /// service: hours credited once. A dispatcher of another community is refused (403).
    /// </summary>
    public static async Task<IResult> ConfirmService(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var (found, _) = await ctx.Service<RequestStore>().FindAsync(ctx.Route("requestId"), ctx.Aborted) ?? throw Problem.NotFound("The request").ToException();
        ctx.Caller.RequireCommunity(found.CommunityId);
        var request = await ctx.Service<Dispatching>().ConfirmAsync(found.Id, ctx.Caller, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(request);
    }

    /// <summary>
    /// A dispatcher pairs a volunteer with a beneficiary (一帮一) of a community they serve; the pairing's workflow
    /// starts its first period. As for requests, the community comes from the body's grid.
    /// </summary>
    public static async Task<IResult> CreatePairing(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var form = await ctx.ReadBodyAsync<PairingForm>();
        var v = new Validation();
        var volunteerId = v.Text("volunteerId", form.VolunteerId, 64);
        var beneficiaryId = v.Text("beneficiaryId", form.BeneficiaryId, 64);
        var beneficiaryName = v.Text("beneficiaryName", form.BeneficiaryName, 50);
        var grid = form.GridId is null ? null : DistrictMap.Shipped.FindGrid(form.GridId);
        if (grid is null)
        {
            v.Add("gridId", "One of the district's grids (网格), such as g0001.");
        }

        var every = v.Duration("every", form.Every ?? "P7D");
        var grace = v.Duration("grace", form.Grace ?? "P2D");
        v.ThrowIfAny();
        ctx.Caller.RequireCommunity(grid!.CommunityId);
        if (await ctx.Service<VolunteerStore>().FindAsync(volunteerId, ctx.Aborted) is null)
        {
            throw Problem.Validation("volunteerId", "No such volunteer.").ToException();
        }

        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("pair", ctx.Clock) : Ids.Derive("pair", ctx.Caller.Id!, key);
        var now = ctx.Clock.GetUtcNow();
        var pairing = new Pairing(id, volunteerId, beneficiaryId, beneficiaryName, grid.Id, grid.CommunityId, every, grace, now, ctx.Caller.Id!,
            PairingStatus.Active, 0, now);
        var store = ctx.Service<PairingStore>();
        if (!await store.TryAddAsync(pairing, ctx.Aborted))
        {
            pairing = (await store.FindAsync(id, ctx.Aborted))!.Value.Pairing;
        }

        await Workflows.EnsureStartedAsync(ctx.Durable, nameof(PairingOrchestration), PairingOrchestration.InstanceId(id), id, ctx.Aborted);
        return Reply.Created(Pairing.Location(id), new PairingView(pairing, pairing.DueAt, []));
    }

    /// <summary>A pairing: for the bureau, dispatchers and its volunteer (another volunteer is refused, 403); the beneficiary masked as for requests.</summary>
    public static async Task<IResult> GetPairing(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin, Role.Volunteer);
        var store = ctx.Service<PairingStore>();
        var (pairing, _) = await store.FindAsync(ctx.Route("pairingId"), ctx.Aborted) ?? throw Problem.NotFound("The pairing").ToException();
        if (!ctx.Caller.IsIn(Role.Dispatcher) && !ctx.Caller.IsIn(Role.Admin) && !ctx.Caller.IsVolunteer(pairing.VolunteerId))
        {
            throw Problem.Forbidden("A volunteer reads their own pairings.").ToException();
        }

        return Reply.Ok(PairingViews.Of(pairing, await store.VisitsAsync(pairing.Id, ctx.Aborted), ctx.Caller));
    }

    public static async Task<IResult> LogVisit(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var (found, _) = await ctx.Service<PairingStore>().FindAsync(ctx.Route("pairingId"), ctx.Aborted) ?? throw Problem.NotFound("The pairing").ToException();
        if (found.VolunteerId != volunteerId)
        {
            throw Problem.Forbidden("Only the paired volunteer logs visits.").ToException();
        }

        var form = await ctx.ReadBodyAsync<VisitForm>();
        var v = new Validation();
        var notes = v.Text("notes", form.Notes, 2000, 2);
        v.ThrowIfAny();
        var pairing = await ctx.Service<PairingStore>().LogVisitAsync(found.Id, volunteerId, notes, ctx.Aborted);
        await Workflows.SignalAsync(ctx.Durable, PairingOrchestration.InstanceId(pairing.Id), PairingOrchestration.UpdatedEvent, "visit", ctx.Aborted);
        return Reply.Created($"{Pairing.Location(pairing.Id)}/visits", PairingViews.Of(pairing, [], ctx.Caller));
    }

    /// <summary>The bureau or a dispatcher of the pairing's community ends it; a dispatcher of another community is refused (403).</summary>
    public static async Task<IResult> EndPairing(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var (found, _) = await ctx.Service<PairingStore>().FindAsync(ctx.Route("pairingId"), ctx.Aborted) ?? throw Problem.NotFound("The pairing").ToException();
        ctx.Caller.RequireCommunity(found.CommunityId);
        var pairing = await ctx.Service<PairingStore>().EndAsync(found.Id, ctx.Aborted);
        await Workflows.SignalAsync(ctx.Durable, PairingOrchestration.InstanceId(pairing.Id), PairingOrchestration.UpdatedEvent, "ended", ctx.Aborted);
        return Reply.Ok(new PairingView(pairing, pairing.DueAt, []));
    }

    /// <summary>Service counts per community over district days [from, to], from the day index (one partition a day).</summary>
    public static async Task<IResult> VolunteeringReport(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Dispatcher);
        var v = new Validation();
        var from = Day(v, "from", ctx.Query("from"));
        var to = Day(v, "to", ctx.Query("to"));
        if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber > 366))
        {
            v.Add("to", "On or after 'from', at most a year later.");
        }

        v.ThrowIfAny();
        var store = ctx.Service<RequestStore>();
        var days = Enumerable.Range(0, to!.Value.DayNumber - from!.Value.DayNumber + 1).Select(i => from.Value.AddDays(i)).ToList();
        var rows = (await Task.WhenAll(days.Select(d => store.DayAsync(d, ctx.Aborted)))).SelectMany(r => r).ToList();
        var map = DistrictMap.Shipped;
        var communities = rows.GroupBy(r => r.GetString("CommunityId")).Select(g => new CommunityServiceCount(
            g.Key, map.Communities.TryGetValue(g.Key, out var c) ? c.Name : g.Key, map.Communities.TryGetValue(g.Key, out var c2) ? c2.Street : "",
            g.Count(), g.Count(r => r.GetString("Status") == nameof(RequestStatus.Confirmed)), (decimal)g.Sum(r => r.GetDouble("Hours") ?? 0d),
            g.Count(r => r.GetBoolean("Escalated") == true), g.Count(r => r.GetString("Status") == nameof(RequestStatus.Unconfirmed))))
            .OrderBy(c => c.CommunityId, StringComparer.Ordinal).ToList();
        return Reply.Ok(new VolunteeringReport(from.Value, to.Value, communities.Sum(c => c.Requests), communities.Sum(c => c.Confirmed), communities.Sum(c => c.Hours), communities));
    }

    private static DateOnly? Day(Validation v, string field, string? text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
        {
            return day;
        }

        v.Add(field, "A district date, yyyy-MM-dd.");
        return null;
    }

    /// <summary>A request as this caller may see it: the beneficiary masked unless the caller serves its community.</summary>
    private static ServiceRequest ForCaller(EndpointContext ctx, ServiceRequest request) =>
        ctx.Caller.ServesCommunity(request.CommunityId) ? request : request.Masked();

    /// <summary>
    /// An offer carries no beneficiary field, but its need is the dispatcher's free text, which may name them:
    /// masked as in the request, unless the caller serves the request's community.
    /// </summary>
    private static async Task<Offer> MaskAsync(EndpointContext ctx, Offer offer)
    {
        var request = (await ctx.Service<RequestStore>().FindAsync(offer.RequestId, ctx.Aborted))?.Request;
        return request is null || ctx.Caller.ServesCommunity(request.CommunityId)
            ? offer
            : offer with { Need = BeneficiaryMasking.Text(offer.Need, request.BeneficiaryName, request.BeneficiaryId) };
    }

    private static void RequireSelfOrBureau(EndpointContext ctx, string volunteerId)
    {
        if (!ctx.Caller.IsVolunteer(volunteerId))
        {
            ctx.Caller.Require(Role.Admin);
        }
    }

    private static Task Signal(EndpointContext ctx, string requestId) =>
        Workflows.SignalAsync(ctx.Durable, DispatchOrchestration.InstanceId(requestId), DispatchOrchestration.UpdatedEvent, "updated", ctx.Aborted);
}

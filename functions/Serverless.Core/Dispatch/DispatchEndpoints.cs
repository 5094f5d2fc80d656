using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>One community's services in a report's period.</summary>
public sealed record CommunityServiceCount(string CommunityId, string Name, string Street, int Requests, int Confirmed, decimal Hours, int Escalated, int Unconfirmed);

public sealed record VolunteeringReport(DateOnly From, DateOnly To, int Requests, int Confirmed, decimal Hours, List<CommunityServiceCount> Communities);

/// <summary>A request as the dispatcher sees it: the request and its timeline.</summary>
public sealed record ServiceRequestView(ServiceRequest Request, List<TimelineEntry> Timeline);

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
        var form = await ctx.ReadBodyAsync<VolunteerForm>();
        var store = ctx.Service<VolunteerStore>();
        var (existing, etag) = await store.FindAsync(id, ctx.Aborted) ?? throw Problem.NotFound("The volunteer").ToException();
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

    public static async Task<IResult> GetHours(EndpointContext ctx)
    {
        var id = ctx.Route("volunteerId");
        RequireSelfOrBureau(ctx, id);
        return Reply.Ok(await ctx.Service<HoursLedger>().StatementAsync(id, ctx.Aborted));
    }

    /// <summary>A dispatcher (grid worker, hotline operator) creates a request; its dispatch workflow starts at once.</summary>
    public static async Task<IResult> CreateServiceRequest(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var form = await ctx.ReadBodyAsync<ServiceRequestForm>();
        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("req", ctx.Clock) : Ids.Derive("req", ctx.Caller.Id!, key);
        var request = form.Validate(id, ctx.Caller, ctx.Clock.GetUtcNow(), DistrictMap.Shipped, ctx.Service<DispatchOptions>().Window);
        request = await ctx.Service<Dispatching>().CreateAsync(request, ctx.Aborted);
        await Workflows.EnsureStartedAsync(ctx.Durable, nameof(DispatchOrchestration), DispatchOrchestration.InstanceId(id), id, ctx.Aborted);
        return Reply.Created(ServiceRequest.Location(id), request);
    }

    public static async Task<IResult> GetServiceRequest(EndpointContext ctx)
    {
        var store = ctx.Service<RequestStore>();
        var (request, _) = await store.FindAsync(ctx.Route("requestId"), ctx.Aborted) ?? throw Problem.NotFound("The request").ToException();
        if (request.VolunteerId is null || !ctx.Caller.IsVolunteer(request.VolunteerId))
        {
            ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        }

        return Reply.Ok(new ServiceRequestView(request, await store.TimelineAsync(request.Id, ctx.Aborted)));
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
        return Reply.Ok(offers.Where(o => o.Status == OfferStatus.Open && o.ExpiresAt > now)
            .OrderBy(o => o.Tier).ThenBy(o => o.Vulnerability).ThenBy(o => o.ExpiresAt).ToList());
    }

    public static async Task<IResult> AcceptOffer(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var offer = await ctx.Service<Dispatching>().AcceptAsync(volunteerId, ctx.Route("offerId"), ctx.Aborted);
        await Signal(ctx, offer.RequestId);
        return Reply.Ok(offer);
    }

    public static async Task<IResult> DeclineOffer(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var offer = await ctx.Service<Dispatching>().DeclineAsync(volunteerId, ctx.Route("offerId"), ctx.Aborted);
        await Signal(ctx, offer.RequestId);
        return Reply.Ok(offer);
    }

    public static async Task<IResult> CheckIn(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var request = await ctx.Service<Dispatching>().CheckInAsync(ctx.Route("requestId"), volunteerId, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(request);
    }

    public static async Task<IResult> CheckOut(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var request = await ctx.Service<Dispatching>().CheckOutAsync(ctx.Route("requestId"), volunteerId, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(request);
    }

    /// <summary>The beneficiary's grid worker (a dispatcher) confirms the service: hours credited once.</summary>
    public static async Task<IResult> ConfirmService(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var request = await ctx.Service<Dispatching>().ConfirmAsync(ctx.Route("requestId"), ctx.Caller, ctx.Aborted);
        await Signal(ctx, request.Id);
        return Reply.Ok(request);
    }

    /// <summary>A dispatcher pairs a volunteer with a beneficiary (一帮一); the pairing's workflow starts its first period.</summary>
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
        if (await ctx.Service<VolunteerStore>().FindAsync(volunteerId, ctx.Aborted) is null)
        {
            throw Problem.Validation("volunteerId", "No such volunteer.").ToException();
        }

        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("pair", ctx.Clock) : Ids.Derive("pair", ctx.Caller.Id!, key);
        var now = ctx.Clock.GetUtcNow();
        var pairing = new Pairing(id, volunteerId, beneficiaryId, beneficiaryName, grid!.Id, grid.CommunityId, every, grace, now, ctx.Caller.Id!,
            PairingStatus.Active, 0, now);
        var store = ctx.Service<PairingStore>();
        if (!await store.TryAddAsync(pairing, ctx.Aborted))
        {
            pairing = (await store.FindAsync(id, ctx.Aborted))!.Value.Pairing;
        }

        await Workflows.EnsureStartedAsync(ctx.Durable, nameof(PairingOrchestration), PairingOrchestration.InstanceId(id), id, ctx.Aborted);
        return Reply.Created(Pairing.Location(id), new PairingView(pairing, pairing.DueAt, []));
    }

    public static async Task<IResult> GetPairing(EndpointContext ctx)
    {
        var store = ctx.Service<PairingStore>();
        var (pairing, _) = await store.FindAsync(ctx.Route("pairingId"), ctx.Aborted) ?? throw Problem.NotFound("The pairing").ToException();
        if (!ctx.Caller.IsVolunteer(pairing.VolunteerId))
        {
            ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        }

        return Reply.Ok(new PairingView(pairing, pairing.DueAt, await store.VisitsAsync(pairing.Id, ctx.Aborted)));
    }

    public static async Task<IResult> LogVisit(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var form = await ctx.ReadBodyAsync<VisitForm>();
        var v = new Validation();
        var notes = v.Text("notes", form.Notes, 2000, 2);
        v.ThrowIfAny();
        var pairing = await ctx.Service<PairingStore>().LogVisitAsync(ctx.Route("pairingId"), volunteerId, notes, ctx.Aborted);
        await Workflows.SignalAsync(ctx.Durable, PairingOrchestration.InstanceId(pairing.Id), PairingOrchestration.UpdatedEvent, "visit", ctx.Aborted);
        return Reply.Created($"{Pairing.Location(pairing.Id)}/visits", new PairingView(pairing, pairing.DueAt, []));
    }

    public static async Task<IResult> EndPairing(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Dispatcher, Role.Admin);
        var pairing = await ctx.Service<PairingStore>().EndAsync(ctx.Route("pairingId"), ctx.Aborted);
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

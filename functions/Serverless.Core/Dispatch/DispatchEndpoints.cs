using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>A request as the dispatcher sees it: the request and its timeline.</summary>
public sealed record ServiceRequestView(ServiceRequest Request, List<TimelineEntry> Timeline);

public static class DispatchEndpoints
{
    /// <summary>The bureau registers a volunteer, or a volunteer registers themselves (their sign-in's volunteer id).</summary>
    public static async Task<IResult> RegisterVolunteer(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Volunteer);
        var form = await ctx.ReadBodyAsync<VolunteerForm>();
        var key = ctx.IdempotencyKey();
        var id = ctx.Caller.IsIn(Role.Admin)
            ? key is null ? Ids.New("vol", ctx.Clock) : Ids.Derive("vol", ctx.Caller.Id!, key)
            : ctx.Caller.RequireVolunteer();
        var volunteer = form.Validate(id, ctx.Clock.GetUtcNow(), DistrictMap.Shipped);
        var store = ctx.Service<VolunteerStore>();
        if (!await store.TryAddAsync(volunteer, ctx.Aborted))
        {
            volunteer = (await store.FindAsync(id, ctx.Aborted))!.Value.Volunteer;
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

    /// <summary>The caller's open offers, soonest to expire first.</summary>
    public static async Task<IResult> MyOffers(EndpointContext ctx)
    {
        var volunteerId = ctx.Caller.RequireVolunteer();
        var now = ctx.Clock.GetUtcNow();
        var offers = await ctx.Service<RequestStore>().OffersOfAsync(volunteerId, ctx.Aborted);
        return Reply.Ok(offers.Where(o => o.Status == OfferStatus.Open && o.ExpiresAt > now).OrderBy(o => o.ExpiresAt).ToList());
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

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;

namespace Serverless.Functions.Dispatch;

/// <summary>Volunteer dispatch: volunteers, service requests, offers, check-in and out, hours.</summary>
public static class DispatchFunctions
{
    [Function(nameof(DispatchEndpoints.RegisterVolunteer))]
    public static Task<IResult> RegisterVolunteer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Volunteers)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.RegisterVolunteer), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.GetVolunteer))]
    public static Task<IResult> GetVolunteer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Volunteer)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.GetVolunteer), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.UpdateVolunteer))]
    public static Task<IResult> UpdateVolunteer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Volunteer)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.UpdateVolunteer), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.GetHours))]
    public static Task<IResult> GetHours(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.VolunteerHours)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.GetHours), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.CreateServiceRequest))]
    public static Task<IResult> CreateServiceRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ServiceRequests)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.CreateServiceRequest), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.GetServiceRequest))]
    public static Task<IResult> GetServiceRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ServiceRequest)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.GetServiceRequest), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.MyOffers))]
    public static Task<IResult> MyOffers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.MyOffers)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.MyOffers), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.AcceptOffer))]
    public static Task<IResult> AcceptOffer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.OfferAccept)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.AcceptOffer), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.DeclineOffer))]
    public static Task<IResult> DeclineOffer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.OfferDecline)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.DeclineOffer), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.CheckIn))]
    public static Task<IResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RequestCheckIn)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.CheckIn), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.CheckOut))]
    public static Task<IResult> CheckOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RequestCheckOut)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.CheckOut), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.ConfirmService))]
    public static Task<IResult> ConfirmService(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RequestConfirm)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.ConfirmService), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.CreatePairing))]
    public static Task<IResult> CreatePairing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Pairings)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.CreatePairing), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.GetPairing))]
    public static Task<IResult> GetPairing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Pairing)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.GetPairing), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.LogVisit))]
    public static Task<IResult> LogVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PairingVisits)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.LogVisit), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.EndPairing))]
    public static Task<IResult> EndPairing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PairingEnd)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.EndPairing), req, durable, context.InstanceServices);

    [Function(nameof(DispatchEndpoints.VolunteeringReport))]
    public static Task<IResult> VolunteeringReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.VolunteeringReport)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(DispatchEndpoints.VolunteeringReport), req, durable, context.InstanceServices);
}

/// <summary>Each request's dispatch workflow and its step, as Durable Functions.</summary>
public sealed class DispatchWorkflowFunctions(Dispatching dispatching, PairingStore pairings)
{
    [Function(nameof(PairingOrchestration))]
    public static Task<PairingStep> RunPairing([OrchestrationTrigger] TaskOrchestrationContext context)
        => new PairingOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(PairingStepActivity))]
    public Task<PairingStep> PairingStep([ActivityTrigger] string pairingId) => pairings.StepAsync(pairingId);

    [Function(nameof(PairingNoticeActivity))]
    public Task<bool> PairingNotice([ActivityTrigger] PairingNotice notice) => pairings.NoticeAsync(notice);

    [Function(nameof(NextPairingPeriodActivity))]
    public Task<PairingStep> NextPairingPeriod([ActivityTrigger] PairingNotice notice) => pairings.NextPeriodAsync(notice);

    [Function(nameof(DispatchOrchestration))]
    public static Task<DispatchStep> RunDispatch([OrchestrationTrigger] TaskOrchestrationContext context)
        => new DispatchOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(AdvanceDispatchActivity))]
    public Task<DispatchStep> AdvanceDispatch([ActivityTrigger] string requestId) => dispatching.AdvanceAsync(requestId);
}

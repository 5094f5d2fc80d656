using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Procurement;

namespace Serverless.Functions.Procurement;

/// <summary>The tender endpoints of the route table.</summary>
public static class TenderFunctions
{
    [Function(nameof(TenderEndpoints.CreateTender))]
    public static Task<IResult> CreateTender(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Tenders)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.CreateTender), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.ListTenders))]
    public static Task<IResult> ListTenders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Tenders)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.ListTenders), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.GetTender))]
    public static Task<IResult> GetTender(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Tender)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.GetTender), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.PublishTender))]
    public static Task<IResult> PublishTender(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderPublish)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.PublishTender), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.AskQuestion))]
    public static Task<IResult> AskQuestion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderQuestions)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.AskQuestion), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.ListQuestions))]
    public static Task<IResult> ListQuestions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.TenderQuestions)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.ListQuestions), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.AnswerQuestion))]
    public static Task<IResult> AnswerQuestion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderQuestionAnswer)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.AnswerQuestion), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.SubmitBid))]
    public static Task<IResult> SubmitBid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderBids)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.SubmitBid), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.ListBids))]
    public static Task<IResult> ListBids(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.TenderBids)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.ListBids), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.WithdrawBid))]
    public static Task<IResult> WithdrawBid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderBidWithdraw)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.WithdrawBid), req, durable, context.InstanceServices);

    [Function(nameof(TenderEndpoints.DecideFailedLot))]
    public static Task<IResult> DecideFailedLot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderLotDecision)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderEndpoints.DecideFailedLot), req, durable, context.InstanceServices);
}

/// <summary>A tender's workflow and its opening step as Durable Functions.</summary>
public sealed class TenderWorkflowFunctions(TenderOpening opening)
{
    [Function(nameof(TenderOrchestration))]
    public static Task<OpeningOutcome> RunTender([OrchestrationTrigger] TaskOrchestrationContext context)
        => new TenderOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(OpenTenderActivity))]
    public Task<OpeningOutcome> OpenTender([ActivityTrigger] string tenderId) => opening.OpenAsync(tenderId);
}

/// <summary>The sweep under the tenders' timers: the schedule that finds tenders due to open and the queue it feeds.</summary>
public static class TenderSweepFunctions
{
    [Function(nameof(TenderSweep.OpenDueTenders))]
    public static Task OpenDueTenders(
        [TimerTrigger(Crons.EveryMinute)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.RunScheduleAsync(nameof(TenderSweep.OpenDueTenders), durable, context.InstanceServices, context.CancellationToken);

    [Function(nameof(TenderSweep.RequestTenderOpening))]
    public static Task RequestTenderOpening(
        [QueueTrigger(TenderSweep.OpenQueue)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.HandleQueueAsync(nameof(TenderSweep.RequestTenderOpening), message, durable, context.InstanceServices, context.CancellationToken);
}

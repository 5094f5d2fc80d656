using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Pages;

namespace Serverless.Functions.Pages;

/// <summary>The people's pages of the route table (HTML forms, bilingual). Authorization and anti-forgery are the core's.</summary>
public static class PageFunctions
{
    [Function(nameof(VenturePages.Home))]
    public static Task<IResult> Home(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesHome)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.Home), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.ApplyForm))]
    public static Task<IResult> ApplyForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesApply)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.ApplyForm), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.ApplySubmit))]
    public static Task<IResult> ApplySubmit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesApply)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.ApplySubmit), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.Receipt))]
    public static Task<IResult> Receipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesApplication)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.Receipt), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.Mine))]
    public static Task<IResult> Mine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesMine)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.Mine), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.Results))]
    public static Task<IResult> Results(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesResults)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.Results), req, durable, context.InstanceServices);

    [Function(nameof(VenturePages.ObjectionSubmit))]
    public static Task<IResult> ObjectionSubmit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesResults)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(VenturePages.ObjectionSubmit), req, durable, context.InstanceServices);

    [Function(nameof(ReviewPages.Assignments))]
    public static Task<IResult> Assignments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesReviews)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ReviewPages.Assignments), req, durable, context.InstanceServices);

    [Function(nameof(ReviewPages.ScoreForm))]
    public static Task<IResult> ScoreForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesReview)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ReviewPages.ScoreForm), req, durable, context.InstanceServices);

    [Function(nameof(ReviewPages.ScoreSubmit))]
    public static Task<IResult> ScoreSubmit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesReview)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(ReviewPages.ScoreSubmit), req, durable, context.InstanceServices);

    [Function(nameof(OfferPages.Offers))]
    public static Task<IResult> Offers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesOffers)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(OfferPages.Offers), req, durable, context.InstanceServices);

    [Function(nameof(OfferPages.Accept))]
    public static Task<IResult> Accept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesOfferAccept)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(OfferPages.Accept), req, durable, context.InstanceServices);

    [Function(nameof(OfferPages.Decline))]
    public static Task<IResult> Decline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesOfferDecline)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(OfferPages.Decline), req, durable, context.InstanceServices);

    [Function(nameof(TenderPages.BidForm))]
    public static Task<IResult> BidForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesBid)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderPages.BidForm), req, durable, context.InstanceServices);

    [Function(nameof(TenderPages.BidSubmit))]
    public static Task<IResult> BidSubmit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PagesBid)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderPages.BidSubmit), req, durable, context.InstanceServices);

    [Function(nameof(TenderPages.BidReceipt))]
    public static Task<IResult> BidReceipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PagesBidReceipt)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(TenderPages.BidReceipt), req, durable, context.InstanceServices);
}

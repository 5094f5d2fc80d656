using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;

namespace Serverless.Core.Pages;

/// <summary>
/// A volunteer's open offers, each with its need, urgency and how long it waits, and the two answers. An answer goes
/// through the JSON API's handler; then the volunteer is sent back to the list, which says what became of it.
/// </summary>
public static class OfferPages
{
    public static async Task<IResult> Offers(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var notice = ctx.Query("answered") switch
        {
            "accepted" => $"<div class=\"notice\" role=\"status\"><p><strong>{p.T("已接单，谢谢您！", "Accepted. Thank you!")}</strong> {p.T("请按时到达，到达后签到。", "Please be there in time and check in when you arrive.")}</p></div>\n",
            "declined" => $"<div class=\"notice\" role=\"status\"><p>{p.T("已婉拒，我们会联系下一位志愿者。", "Declined. We will ask the next volunteer.")}</p></div>\n",
            _ => string.Empty,
        };
        return await Page(p, notice, 200, null);
    }

    public static Task<IResult> Accept(EndpointContext ctx) => Answer(ctx, nameof(DispatchEndpoints.AcceptOffer), "accepted");

    public static Task<IResult> Decline(EndpointContext ctx) => Answer(ctx, nameof(DispatchEndpoints.DeclineOffer), "declined");

    private static async Task<IResult> Answer(EndpointContext ctx, string endpoint, string answered)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireVolunteer();
        try
        {
            await p.CallAsync<Offer>(endpoint);
            return PageReply.SeeOther(PageContext.Href($"{Routes.PagesOffers}?answered={answered}"));
        }
        catch (ProblemException e) when (e.Problem.Status is 409)
        {
            // Taken by another volunteer, expired, already answered: say so above what is still open.
            var notice = $"<div class=\"error-summary\" role=\"alert\"><h2>{Html.E(Words.Title(p.Lang, e.Problem))}</h2><p>{Html.E(PageReply.Detail(p.Lang, e.Problem))}</p></div>\n";
            return await Page(p, notice, 409, e.Problem);
        }
    }

    private static async Task<IResult> Page(PageContext p, string notice, int status, Problem? refusal)
    {
        var offers = await p.CallAsync<List<Offer>>(nameof(DispatchEndpoints.MyOffers));
        var html = new StringBuilder(notice);
        if (offers.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{p.T("目前没有等待您回复的派单。", "No offer is waiting for you.")}</p>\n");
        }

        foreach (var offer in offers)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="card" aria-labelledby="o-{Html.E(offer.Id)}">
                <h2 id="o-{Html.E(offer.Id)}">{Html.E(offer.Need)}</h2>
                <dl>
                <dt>{p.T("紧急程度", "Urgency")}</dt><dd><span class="status">{p.Name(offer.Tier)}</span></dd>
                <dt>{p.T("服务对象", "Who")}</dt><dd>{p.Name(offer.Vulnerability)}</dd>
                <dt>{p.T("所需技能", "Skills")}</dt><dd>{Html.E(string.Join(p.T("、", ", "), offer.Skills.Select(s => p.Name(s))))}</dd>
                <dt>{p.T("网格", "Grid")}</dt><dd>{Html.E(offer.GridId)}</dd>
                <dt>{p.T("服务时限", "Needed by")}</dt><dd>{p.When(offer.Deadline)}</dd>
                <dt>{p.T("请在此前回复", "Answer by")}</dt><dd>{p.When(offer.ExpiresAt)}</dd>
                </dl>
                <form method="post" action="{PageContext.Href($"pages/offers/{offer.Id}/accept")}" class="answer">{Html.FormGuard(p, null)}<button type="submit" aria-describedby="o-{Html.E(offer.Id)}">{p.T("接单", "Accept")}</button></form>
                <form method="post" action="{PageContext.Href($"pages/offers/{offer.Id}/decline")}" class="answer">{Html.FormGuard(p, null)}<button type="submit" class="secondary" aria-describedby="o-{Html.E(offer.Id)}">{p.T("婉拒", "Decline")}</button></form>
                </section>

                """);
        }

        return PageReply.Page(p, p.T("服务派单", "My offers"), html.ToString(), status, refusal);
    }
}

using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Procurement;

namespace Serverless.Core.Pages;

/// <summary>
/// An organization's bid on a tender: the form (a lot, a price within its ceiling, the technical proposal) and the
/// receipt with the SHA-256 of what was sealed. The bid is sealed by the JSON API's own handler; sending it again
/// before the deadline replaces it (a new version), as in the API.
/// </summary>
public static class TenderPages
{
    public static async Task<IResult> BidForm(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        return FormPage(p, tender, null, FormErrors.None, 200);
    }

    public static async Task<IResult> BidSubmit(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var form = await ctx.FormAsync();
        try
        {
            var receipt = await p.CallAsync<Procurement.BidReceipt>(nameof(TenderEndpoints.SubmitBid));
            return PageReply.SeeOther(PageContext.Href($"pages/tenders/{tender.Id}/bids/{receipt.BidId}"));
        }
        catch (ProblemException e) when (FormErrors.Shows(e.Problem))
        {
            return FormPage(p, tender, form, FormErrors.From(p.Lang, e.Problem), e.Problem.Status);
        }
    }

    /// <summary>The bidder's receipt (回执): what the bureau holds, sealed, and its hash. Another organization's bid is not found.</summary>
    public static async Task<IResult> BidReceipt(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var bid = (await ctx.Service<BidStore>().FindAsync(tender.Id, ctx.Route("bidId"), ctx.Aborted))?.Bid;
        if (bid is null || !ctx.Caller.ActsFor(bid.OrganizationId))
        {
            throw Problem.NotFound("The bid").ToException();
        }

        var lot = tender.Lots.FirstOrDefault(l => l.Id == bid.LotId);
        var html = $"""
            <div class="notice" role="status">
            <p><strong>{p.T("投标文件已密封递交。", "Your bid is sealed and stored.")}</strong> {p.T("开标前任何人（包括民政局）都无法查看内容。请保存下方的校验值，开标时可核对。", "No one, the bureau included, can read it before the opening. Keep the hash below to check it at the opening.")}</p>
            </div>
            <dl>
            <dt>{p.T("投标编号", "Bid number")}</dt><dd><code id="bid-id">{Html.E(bid.Id)}</code></dd>
            <dt>{p.T("项目", "Tender")}</dt><dd>{Html.E(tender.Title)}</dd>
            <dt>{p.T("标段", "Lot")}</dt><dd>{Html.E(lot?.Title ?? bid.LotId)}</dd>
            <dt>{p.T("版本", "Version")}</dt><dd>{bid.Version.ToString(CultureInfo.InvariantCulture)}</dd>
            <dt>{p.T("递交时间", "Stored")}</dt><dd>{p.When(bid.UpdatedAt)}</dd>
            <dt>{p.T("内容校验值（SHA-256）", "Hash of the content (SHA-256)")}</dt><dd><code id="bid-sha256">{Html.E(bid.Sha256)}</code></dd>
            <dt>{p.T("状态", "Status")}</dt><dd><span class="status">{p.Name(bid.Status)}</span></dd>
            <dt>{p.T("开标时间", "Opening")}</dt><dd>{p.When(tender.BidDeadline)}</dd>
            </dl>
            <p><a href="{PageContext.Href(Routes.PagesMine)}">{p.T("查看我的全部申请与投标", "All my applications and bids")}</a></p>
            """;
        return PageReply.Page(p, p.T("投标回执", "Bid receipt"), html);
    }

    private static PageReply FormPage(PageContext p, Tender tender, IFormCollection? posted, FormErrors errors, int status)
    {
        var title = p.T("投标：", "Bid: ") + tender.Title;
        var now = p.Endpoint.Clock.GetUtcNow();
        if (tender.RefuseBidChange(now) is { } refusal && posted is null)
        {
            return PageReply.Page(p, title, $"<div class=\"error-summary\" role=\"alert\"><h2>{p.T("本项目不在投标期", "This tender is not taking bids")}</h2><p>{Html.E(PageReply.Detail(p.Lang, refusal))}</p></div>", 409, refusal);
        }

        var chosen = Html.Posted(posted, "lotId");
        var lots = new StringBuilder($"<option value=\"\">{p.T("请选择", "Choose")}</option>");
        foreach (var lot in tender.Lots.Where(l => l.Status == LotStatus.Open))
        {
            lots.Append(CultureInfo.InvariantCulture, $"<option value=\"{Html.E(lot.Id)}\"{(lot.Id == chosen ? " selected" : string.Empty)}>{Html.E(lot.Title)}（{p.T("最高限价", "ceiling")} {p.Money(lot.BudgetCeiling)}）</option>");
        }

        var fields = new StringBuilder();
        fields.Append(Html.Field(errors, "lotId", p.T("标段", "Lot"), "select", inner: lots.ToString(), required: true));
        fields.Append(Html.Field(errors, "price", p.T("投标报价（元）", "Price (CNY)"), "input type=\"text\"",
            p.T("不得高于该标段最高限价", "Not above the lot's ceiling"), Html.Posted(posted, "price"), required: true, attributes: "inputmode=\"decimal\""));
        fields.Append(Html.Field(errors, "technicalProposal", p.T("技术方案", "Technical proposal"), "textarea",
            p.T("服务方案、人员与进度安排，20 至 30000 字", "How you will deliver, who and when: 20 to 30,000 characters"), Html.Posted(posted, "technicalProposal"), required: true));
        var summary = Html.ErrorSummary(p, errors, field => field switch
        {
            "lotId" => p.T("标段", "Lot"),
            "price" => p.T("投标报价", "Price"),
            "technicalProposal" => p.T("技术方案", "Technical proposal"),
            _ => field,
        });
        var html = $"""
            <dl>
            <dt>{p.T("投标截止与开标", "Bids close and open")}</dt><dd>{p.When(tender.BidDeadline)}</dd>
            </dl>
            <p class="hint">{p.T("投标文件加密密封，开标前任何人都无法查看；截止前再次提交将替换原投标。", "Bids are sealed: no one can read them before the opening. Sending again before the deadline replaces your bid.")}</p>
            {summary}<form method="post" action="{PageContext.Href($"pages/tenders/{tender.Id}/bid")}" novalidate>
            {Html.FormGuard(p, null)}{fields}<button type="submit">{p.T("密封递交", "Seal and submit")}</button>
            </form>
            """;
        return PageReply.Page(p, title, html, status, errors.Source);
    }
}

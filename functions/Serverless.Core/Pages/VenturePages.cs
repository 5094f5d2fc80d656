using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;

namespace Serverless.Core.Pages;

/// <summary>
/// The pages of the venture rounds and the open calls: what is open, the application form and its receipt, an
/// organization's applications and bids, and the results under publicity with the objection form. Every read and
/// every post goes through the JSON API's own handler, so a page can do nothing the API would refuse.
/// </summary>
public static class VenturePages
{
    /// <summary>Rows of the budget and the milestones a form shows; empty rows are not sent as lines.</summary>
    private const int BudgetRows = 5;
    private const int MilestoneRows = 3;

    /// <summary>What anyone can see: the rounds taking applications, the results under publicity, the tenders taking bids.</summary>
    public static async Task<IResult> Home(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var rounds = await p.CallAsync<List<RoundSummary>>(nameof(RoundEndpoints.ListRounds));
        var tenders = await p.CallAsync<List<Tender>>(nameof(TenderEndpoints.ListTenders));
        var now = ctx.Clock.GetUtcNow();
        var html = new StringBuilder();

        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"rounds\">{p.T("公益创投：正在申报", "Venture rounds open for applications")}</h2>\n");
        var open = rounds.Where(r => r.AcceptingApplications).ToList();
        if (open.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{p.T("目前没有正在申报的公益创投项目。", "No round is taking applications at the moment.")}</p>\n");
        }

        foreach (var round in open)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="card" aria-labelledby="r-{Html.E(round.Id)}">
                <h3 id="r-{Html.E(round.Id)}">{Html.E(round.Title)}</h3>
                <dl>
                <dt>{p.T("资助领域", "Programme areas")}</dt><dd>{Html.E(string.Join(p.T("、", ", "), round.ProgrammeAreas.Select(a => p.Name(a))))}</dd>
                <dt>{p.T("总预算", "Budget")}</dt><dd>{p.Money(round.Budget)}</dd>
                <dt>{p.T("申报截止", "Applications close")}</dt><dd>{p.When(round.ClosesAt)}</dd>
                </dl>
                <p><a class="button" href="{PageContext.Href($"pages/rounds/{round.Id}/apply")}">{p.T("在线申报", "Apply")}</a></p>
                </section>

                """);
        }

        var publicity = rounds.Where(r => r.Status == RoundStatus.Publicity).ToList();
        if (publicity.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"publicity\">{p.T("结果公示", "Results under publicity")}</h2>\n<ul>\n");
            foreach (var round in publicity)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{PageContext.Href($"pages/rounds/{round.Id}/results")}\">{Html.E(round.Title)}</a></li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"tenders\">{p.T("政府购买服务：正在招标", "Service procurement: calls for bids")}</h2>\n");
        var calls = tenders.Where(t => t.Status == TenderStatus.Open && t.BidDeadline > now).OrderBy(t => t.BidDeadline).ToList();
        if (calls.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{p.T("目前没有正在招标的项目。", "No tender is taking bids at the moment.")}</p>\n");
        }

        foreach (var tender in calls)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="card" aria-labelledby="t-{Html.E(tender.Id)}">
                <h3 id="t-{Html.E(tender.Id)}">{Html.E(tender.Title)}</h3>
                <dl>
                <dt>{p.T("提问截止", "Questions until")}</dt><dd>{p.When(tender.EnquiryDeadline)}</dd>
                <dt>{p.T("投标截止与开标", "Bids close and open")}</dt><dd>{p.When(tender.BidDeadline)}</dd>
                <dt>{p.T("标段", "Lots")}</dt><dd><ul>{string.Concat(tender.Lots.Select(l => $"<li>{Html.E(l.Title)}（{p.T("最高限价", "ceiling")} {p.Money(l.BudgetCeiling)}）</li>"))}</ul></dd>
                </dl>
                <p><a class="button" href="{PageContext.Href($"pages/tenders/{tender.Id}/bid")}">{p.T("在线投标", "Bid")}</a></p>
                </section>

                """);
        }

        return PageReply.Page(p, p.T("公开项目", "Open calls"), html.ToString());
    }

    /// <summary>The application form of a round, empty.</summary>
    public static async Task<IResult> ApplyForm(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        return ApplicationFormPage(p, round, null, FormErrors.None, Guid.NewGuid().ToString("N"), 200);
    }

    /// <summary>
    /// The application form posted: the JSON API's own handler takes it. Accepted, the reader is sent to the receipt
    /// (post/redirect/get); refused, the form comes back with what was typed and each error beside its field. The
    /// form's key is its Idempotency-Key, so sending it twice (a double click, the back button) stores one application.
    /// </summary>
    public static async Task<IResult> ApplySubmit(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var form = await ctx.FormAsync();
        var key = UseFormKey(ctx, form);
        try
        {
            var application = await p.CallAsync<Application>(nameof(ApplicationEndpoints.SubmitApplication));
            return PageReply.SeeOther(PageContext.Href($"pages/rounds/{round.Id}/applications/{application.Id}"));
        }
        catch (ProblemException e) when (FormErrors.Shows(e.Problem))
        {
            return ApplicationFormPage(p, round, form, FormErrors.From(p.Lang, e.Problem), key, e.Problem.Status);
        }
    }

    /// <summary>The receipt of an application: its id, what was received and when.</summary>
    public static async Task<IResult> Receipt(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        ctx.Caller.RequireOrganization();
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var application = await p.CallAsync<Application>(nameof(ApplicationEndpoints.GetApplication));
        var content = application.Content;
        var html = $"""
            <div class="notice" role="status">
            <p><strong>{p.T("申请已提交。", "Your application has been received.")}</strong> {p.T("请保存申请编号，查询和咨询时使用。", "Keep the application number for any enquiry.")}</p>
            </div>
            <dl>
            <dt>{p.T("申请编号", "Application number")}</dt><dd><code id="application-id">{Html.E(application.Id)}</code></dd>
            <dt>{p.T("公益创投", "Round")}</dt><dd>{Html.E(round.Title)}</dd>
            <dt>{p.T("项目名称", "Project title")}</dt><dd>{Html.E(content.ProjectTitle)}</dd>
            <dt>{p.T("申报单位", "Organization")}</dt><dd>{Html.E(application.OrganizationName)}</dd>
            <dt>{p.T("申请金额", "Amount requested")}</dt><dd>{p.Money(content.AmountRequested)}</dd>
            <dt>{p.T("配套资金", "Matching funds")}</dt><dd>{p.Money(content.MatchingFunds)}</dd>
            <dt>{p.T("提交时间", "Received")}</dt><dd>{p.When(application.SubmittedAt)}</dd>
            <dt>{p.T("状态", "Status")}</dt><dd><span class="status">{p.Name(application.Status)}</span></dd>
            <dt>{p.T("申报截止", "Applications close")}</dt><dd>{p.When(round.ClosesAt)}</dd>
            </dl>
            <p><a href="{PageContext.Href(Routes.PagesMine)}">{p.T("查看我的全部申请与投标", "All my applications and bids")}</a></p>
            """;
        return PageReply.Page(p, p.T("申请回执", "Application receipt"), html);
    }

    /// <summary>An organization's applications in every round and bids in every tender, with where each stands.</summary>
    public static async Task<IResult> Mine(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var organizationId = ctx.Caller.RequireOrganization();
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<h2>{p.T("公益创投申请", "Applications to venture rounds")}</h2>\n");
        var rows = new StringBuilder();
        foreach (var round in (await ctx.Service<RoundStore>().ListAsync(ctx.Aborted)).Where(r => r.IsPublic).OrderByDescending(r => r.OpensAt))
        {
            foreach (var application in (await ctx.Service<ApplicationStore>().ListAsync(round.Id, organizationId, ctx.Aborted)).OrderBy(a => a.SubmittedAt))
            {
                rows.Append(CultureInfo.InvariantCulture, $"""
                    <tr><td><a href="{PageContext.Href($"pages/rounds/{round.Id}/applications/{application.Id}")}">{Html.E(application.Content.ProjectTitle)}</a><br><code>{Html.E(application.Id)}</code></td>
                    <td>{Html.E(round.Title)}<br><span class="status">{p.Name(round.Status)}</span></td>
                    <td>{p.Money(application.Content.AmountRequested)}</td>
                    <td><span class="status">{p.Name(application.Status)}</span>{ScreeningNote(p, application)}</td></tr>

                    """);
            }
        }

        html.Append(rows.Length == 0
            ? $"<p>{p.T("还没有申请。", "No applications yet.")} <a href=\"{PageContext.Href(Routes.PagesHome)}\">{p.T("查看正在申报的项目", "See the open rounds")}</a></p>\n"
            : $"<div class=\"table\"><table><thead><tr><th scope=\"col\">{p.T("项目", "Project")}</th><th scope=\"col\">{p.T("公益创投", "Round")}</th><th scope=\"col\">{p.T("申请金额", "Requested")}</th><th scope=\"col\">{p.T("状态", "Status")}</th></tr></thead><tbody>\n{rows}</tbody></table></div>\n");

        html.Append(CultureInfo.InvariantCulture, $"<h2>{p.T("政府购买服务投标", "Bids in tenders")}</h2>\n");
        rows.Clear();
        foreach (var tender in (await ctx.Service<TenderStore>().ListAsync(ctx.Aborted)).Where(t => t.IsPublic).OrderByDescending(t => t.BidDeadline))
        {
            foreach (var bid in (await ctx.Service<BidStore>().ListAsync(tender.Id, ctx.Aborted)).Where(b => ctx.Caller.ActsFor(b.OrganizationId)))
            {
                var lot = tender.Lots.FirstOrDefault(l => l.Id == bid.LotId);
                rows.Append(CultureInfo.InvariantCulture, $"""
                    <tr><td>{Html.E(tender.Title)}<br>{Html.E(lot?.Title ?? bid.LotId)}</td>
                    <td><a href="{PageContext.Href($"pages/tenders/{tender.Id}/bids/{bid.Id}")}"><code>{Html.E(bid.Id)}</code></a></td>
                    <td><span class="status">{p.Name(bid.Status)}</span></td>
                    <td>{(tender.Status == TenderStatus.Opened ? p.T("已开标", "Opened") : p.T("密封至", "Sealed until") + " " + p.When(tender.BidDeadline))}</td></tr>

                    """);
            }
        }

        html.Append(rows.Length == 0
            ? $"<p>{p.T("还没有投标。", "No bids yet.")}</p>\n"
            : $"<div class=\"table\"><table><thead><tr><th scope=\"col\">{p.T("项目与标段", "Tender and lot")}</th><th scope=\"col\">{p.T("投标编号", "Bid")}</th><th scope=\"col\">{p.T("状态", "Status")}</th><th scope=\"col\">{p.T("开标", "Opening")}</th></tr></thead><tbody>\n{rows}</tbody></table></div>\n");
        return PageReply.Page(p, p.T("我的申请与投标", "My applications and bids"), html.ToString());
    }

    /// <summary>The results of a round under publicity, anyone's to read, and the form to object to one of them.</summary>
    public static async Task<IResult> Results(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var notice = ctx.Query("objection") is { } lodged && RouteValues.IsId(lodged)
            ? $"<div class=\"notice\" role=\"status\"><p><strong>{p.T("您的异议已受理。", "Your objection has been lodged.")}</strong> {p.T("异议编号", "Objection number")}: <code id=\"objection-id\">{Html.E(lodged)}</code></p></div>\n"
            : string.Empty;
        return await ResultsPage(p, round, notice, null, FormErrors.None, Guid.NewGuid().ToString("N"), 200);
    }

    /// <summary>An objection posted from the results page, taken by the JSON API's handler.</summary>
    public static async Task<IResult> ObjectionSubmit(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var round = await RoundEndpoints.FindVisibleAsync(ctx);
        var form = await ctx.FormAsync();
        var key = UseFormKey(ctx, form);
        try
        {
            var objection = await p.CallAsync<Objection>(nameof(StageEndpoints.LodgeObjection));
            return PageReply.SeeOther(PageContext.Href($"pages/rounds/{round.Id}/results?objection={objection.Id}#objections"));
        }
        catch (ProblemException e) when (FormErrors.Shows(e.Problem))
        {
            return await ResultsPage(p, round, string.Empty, form, FormErrors.From(p.Lang, e.Problem), key, e.Problem.Status);
        }
    }

    /// <summary>The form's key becomes the Idempotency-Key the handler reads; a key no form would carry is ignored.</summary>
    internal static string UseFormKey(EndpointContext ctx, IFormCollection form)
    {
        var key = form[PageContext.KeyField].ToString();
        if (key.Length is < 16 or > 64 || !key.All(char.IsAsciiLetterOrDigit))
        {
            return Guid.NewGuid().ToString("N");
        }

        ctx.Request.Headers["Idempotency-Key"] = "page-" + key;
        return key;
    }

    private static string ScreeningNote(PageContext p, Application application) => application.Screening switch
    {
        null => string.Empty,
        { Eligible: true } => $"<br>{p.T("资格审查通过", "Passed screening")}",
        _ => $"<br>{p.T("资格审查未通过", "Did not pass screening")}",
    };

    private static async Task<IResult> ResultsPage(PageContext p, Round round, string notice, IFormCollection? posted, FormErrors errors, string key, int status)
    {
        var results = await p.CallAsync<PublishedResults>(nameof(StageEndpoints.GetResults));
        var html = new StringBuilder(notice);
        html.Append(CultureInfo.InvariantCulture, $"""
            <p>{Html.E(round.Title)} · <span class="status">{p.Name(round.Status)}</span></p>
            <dl>
            <dt>{p.T("总预算", "Budget")}</dt><dd>{p.Money(results.Budget)}</dd>
            <dt>{p.T("拟资助总额", "Granted in total")}</dt><dd>{p.Money(results.Granted)}</dd>
            {(results.PublicityEndsAt is { } ends ? $"<dt>{p.T("公示截止", "Publicity ends")}</dt><dd>{p.When(ends)}</dd>" : string.Empty)}
            </dl>
            <h2>{p.T("评审结果", "Results")}</h2>
            <div class="table"><table>
            <caption class="hint">{p.T("按综合得分排序", "In order of total score")}</caption>
            <thead><tr><th scope="col">{p.T("排名", "Rank")}</th><th scope="col">{p.T("项目", "Project")}</th><th scope="col">{p.T("得分", "Score")}</th><th scope="col">{p.T("拟资助", "Grant")}</th></tr></thead>
            <tbody>

            """);
        foreach (var result in results.Results.OrderBy(r => r.Rank))
        {
            var grant = result.Removed ? p.T("已撤销", "Removed")
                : result.Funded ? p.Money(result.Granted) + (result.Partial ? p.T("（部分资助）", " (partly)") : string.Empty)
                : p.T("不予资助", "Not funded");
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{result.Rank}</td><td>{Html.E(result.ProjectTitle)}<br><span class=\"hint\">{Html.E(result.OrganizationName)}</span></td><td>{PageContext.Number(result.TotalScore)}</td><td>{grant}</td></tr>\n");
        }

        html.Append("</tbody></table></div>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"objections\">{p.T("异议", "Objections")}</h2>\n");
        if (results.Objections.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{p.T("暂无异议。", "No objections so far.")}</p>\n");
        }
        else
        {
            html.Append("<ul>\n");
            foreach (var objection in results.Objections.OrderBy(o => o.LodgedAt))
            {
                var project = results.Results.FirstOrDefault(r => r.ApplicationId == objection.ApplicationId)?.ProjectTitle ?? objection.ApplicationId;
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{Html.E(objection.Id)}</code> · {Html.E(project)} · <span class=\"status\">{p.Name(objection.Status)}</span> · {p.When(objection.LodgedAt)}<br>{Html.E(objection.Grounds)}{(objection.Ruling is { } ruling ? $"<br><strong>{p.T("处理意见", "Ruling")}</strong>: {Html.E(ruling)}" : string.Empty)}</li>\n");
            }

            html.Append("</ul>\n");
        }

        var now = p.Endpoint.Clock.GetUtcNow();
        if (round.Status == RoundStatus.Publicity && round.Stages.PublicityEndsAt > now)
        {
            var fields = new StringBuilder();
            var options = new StringBuilder($"<option value=\"\">{p.T("请选择项目", "Choose the project")}</option>");
            var chosen = Html.Posted(posted, "applicationId");
            foreach (var result in results.Results.Where(r => !r.Removed).OrderBy(r => r.Rank))
            {
                options.Append(CultureInfo.InvariantCulture, $"<option value=\"{Html.E(result.ApplicationId)}\"{(result.ApplicationId == chosen ? " selected" : string.Empty)}>{Html.E(result.ProjectTitle)}</option>");
            }

            fields.Append(Html.Field(errors, "applicationId", p.T("对哪个项目提出异议", "The project you object to"), "select", inner: options.ToString(), required: true));
            fields.Append(Html.Field(errors, "grounds", p.T("异议理由", "Your grounds"), "textarea", p.T("请写明事实和理由，10 至 4000 字。", "State the facts and your reasons, 10 to 4,000 characters."),
                Html.Posted(posted, "grounds"), required: true));
            fields.Append(Html.Field(errors, "contact", p.T("联系方式（选填）", "How to reach you (optional)"), "input type=\"text\"",
                p.T("只有民政局能看到，用于告知处理结果。", "Only the bureau sees it, to tell you the outcome."), Html.Posted(posted, "contact"), attributes: "autocomplete=\"tel\""));
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"object\">{p.T("提出异议", "Lodge an objection")}</h2>\n");
            html.Append(Html.ErrorSummary(p, errors, field => field switch
            {
                "applicationId" => p.T("项目", "Project"),
                "grounds" => p.T("异议理由", "Grounds"),
                "contact" => p.T("联系方式", "Contact"),
                _ => field,
            }));
            html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{PageContext.Href($"pages/rounds/{round.Id}/results")}\" novalidate>\n{Html.FormGuard(p, key)}{fields}<button type=\"submit\">{p.T("提交异议", "Lodge the objection")}</button>\n</form>\n");
        }
        else if (errors.General is not null)
        {
            html.Append(Html.ErrorSummary(p, errors, f => f));
        }

        return PageReply.Page(p, p.T("结果公示", "Results under publicity"), html.ToString(), status, errors.Source);
    }

    private static PageReply ApplicationFormPage(PageContext p, Round round, IFormCollection? posted, FormErrors errors, string key, int status)
    {
        var now = p.Endpoint.Clock.GetUtcNow();
        var title = p.T("申报", "Apply") + "：" + round.Title;
        if (!round.AcceptsApplications(now) && posted is null)
        {
            var closed = round.RefuseApplicationChange(now) is { } refusal ? PageReply.Detail(p.Lang, refusal) : string.Empty;
            return PageReply.Page(p, title, $"<div class=\"error-summary\" role=\"alert\"><h2>{p.T("本轮不在申报期", "This round is not taking applications")}</h2><p>{Html.E(closed)}</p></div>", 409,
                round.RefuseApplicationChange(now));
        }

        string? V(string name) => Html.Posted(posted, name);
        var fields = new StringBuilder();
        fields.Append(CultureInfo.InvariantCulture, $"""
            <dl>
            <dt>{p.T("申报截止", "Applications close")}</dt><dd>{p.When(round.ClosesAt)}</dd>
            <dt>{p.T("资助额度", "Grants")}</dt><dd>{p.Money(round.MinGrant)} – {p.Money(round.MaxGrant)}</dd>
            </dl>
            <p class="hint">{p.T("带 * 的为必填项。", "Fields marked * are required.")}</p>

            """);
        fields.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>{p.T("项目概况", "The project")}</legend>\n");
        fields.Append(Html.Field(errors, "projectTitle", p.T("项目名称", "Project title"), "input type=\"text\"", p.T("2 至 100 字", "2 to 100 characters"), V("projectTitle"), required: true));
        fields.Append(Html.Field(errors, "summary", p.T("项目简介", "Summary"), "textarea", p.T("服务内容、方式和预期成效，10 至 4000 字", "What you will do, how, and what will change: 10 to 4,000 characters"), V("summary"), required: true));
        var areas = new StringBuilder($"<option value=\"\">{p.T("请选择", "Choose")}</option>");
        foreach (var area in round.ProgrammeAreas)
        {
            var value = ApiJson.Serialize(area).Trim('"');
            areas.Append(CultureInfo.InvariantCulture, $"<option value=\"{value}\"{(V("programmeArea") == value ? " selected" : string.Empty)}>{Html.E(p.Name(area))}</option>");
        }

        fields.Append(Html.Field(errors, "programmeArea", p.T("项目领域", "Programme area"), "select", inner: areas.ToString(), required: true));
        fields.Append("</fieldset>\n");

        fields.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>{p.T("服务对象", "Who it serves")}</legend>\n");
        fields.Append(Html.Field(errors, "beneficiaryGroup", p.T("服务对象", "Beneficiary group"), "input type=\"text\"", p.T("如：空巢老人", "For example: older people living alone"), V("beneficiaryGroup"), required: true));
        fields.Append(Html.Field(errors, "beneficiaryCount", p.T("受益人数", "Number of beneficiaries"), "input type=\"text\"", null, V("beneficiaryCount"), required: true, attributes: "inputmode=\"numeric\""));
        fields.Append(Html.Field(errors, "communitiesServed", p.T("服务社区", "Communities served"), "input type=\"text\"", p.T("多个社区用顿号或逗号分隔，如：共乐社区、安静社区", "Separate communities with commas"), V("communitiesServed"), required: true));
        fields.Append("</fieldset>\n");

        var budgetInputs = Enumerable.Range(0, BudgetRows).SelectMany(i => new[] { $"budgetLines[{i}].item", $"budgetLines[{i}].amount" }).ToList();
        var budgetErrors = errors.OfGroup("budgetLines", budgetInputs);
        fields.Append(CultureInfo.InvariantCulture, $"<fieldset id=\"{Html.Id("budgetLines")}\"{(budgetErrors.Count > 0 ? " class=\"invalid\" aria-describedby=\"budget-error\"" : string.Empty)}><legend>{p.T("预算明细", "Budget lines")}</legend>\n");
        fields.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\">{p.T("预算合计须等于申请金额加配套资金；空行不计。", "The lines must add up to the amount requested plus matching funds; empty rows are ignored.")}</p>\n");
        if (budgetErrors.Count > 0)
        {
            fields.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"budget-error\">{Html.E(string.Join(" ", budgetErrors))}</p>\n");
        }

        for (var i = 0; i < BudgetRows; i++)
        {
            fields.Append("<div class=\"row\">");
            fields.Append(Html.Field(errors, $"budgetLines[{i}].item", p.T($"第 {i + 1} 项：用途", $"Line {i + 1}: item"), "input type=\"text\"", null, V($"budgetLines[{i}].item")));
            fields.Append(Html.Field(errors, $"budgetLines[{i}].amount", p.T($"第 {i + 1} 项：金额（元）", $"Line {i + 1}: amount (CNY)"), "input type=\"text\"", null, V($"budgetLines[{i}].amount"), attributes: "inputmode=\"decimal\""));
            fields.Append("</div>\n");
        }

        fields.Append("</fieldset>\n");
        fields.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>{p.T("资金", "Funding")}</legend>\n");
        fields.Append(Html.Field(errors, "amountRequested", p.T("申请金额（元）", "Amount requested (CNY)"), "input type=\"text\"",
            p.T($"{p.Money(round.MinGrant)} 至 {p.Money(round.MaxGrant)}", $"{p.Money(round.MinGrant)} to {p.Money(round.MaxGrant)}"), V("amountRequested"), required: true, attributes: "inputmode=\"decimal\""));
        fields.Append(Html.Field(errors, "matchingFunds", p.T("配套资金（元）", "Matching funds (CNY)"), "input type=\"text\"", p.T("自筹或其他来源；没有填 0", "Your own or other funds; 0 if none"), V("matchingFunds") ?? "0", attributes: "inputmode=\"decimal\""));
        fields.Append("</fieldset>\n");

        var milestoneInputs = Enumerable.Range(0, MilestoneRows).SelectMany(i => new[] { $"milestones[{i}].title", $"milestones[{i}].due", $"milestones[{i}].deliverable" }).ToList();
        var milestoneErrors = errors.OfGroup("milestones", milestoneInputs);
        fields.Append(CultureInfo.InvariantCulture, $"<fieldset id=\"{Html.Id("milestones")}\"{(milestoneErrors.Count > 0 ? " class=\"invalid\" aria-describedby=\"milestones-error\"" : string.Empty)}><legend>{p.T("里程碑", "Milestones")}</legend>\n");
        fields.Append(CultureInfo.InvariantCulture, $"<p class=\"hint\">{p.T("至少一项；日期须晚于申报截止。", "At least one, due after the round closes.")}</p>\n");
        if (milestoneErrors.Count > 0)
        {
            fields.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"milestones-error\">{Html.E(string.Join(" ", milestoneErrors))}</p>\n");
        }

        for (var i = 0; i < MilestoneRows; i++)
        {
            fields.Append("<div class=\"row\">");
            fields.Append(Html.Field(errors, $"milestones[{i}].title", p.T($"里程碑 {i + 1}：名称", $"Milestone {i + 1}: title"), "input type=\"text\"", null, V($"milestones[{i}].title")));
            fields.Append(Html.Field(errors, $"milestones[{i}].due", p.T($"里程碑 {i + 1}：完成日期", $"Milestone {i + 1}: due"), "input type=\"date\"", null, V($"milestones[{i}].due")));
            fields.Append(Html.Field(errors, $"milestones[{i}].deliverable", p.T($"里程碑 {i + 1}：成果（选填）", $"Milestone {i + 1}: deliverable (optional)"), "input type=\"text\"", null, V($"milestones[{i}].deliverable")));
            fields.Append("</div>\n");
        }

        fields.Append("</fieldset>\n");
        var summary = Html.ErrorSummary(p, errors, field => Label(p, field));
        var html = $"""
            {summary}<form method="post" action="{PageContext.Href($"pages/rounds/{round.Id}/apply")}" novalidate>
            {Html.FormGuard(p, key)}{fields}<button type="submit">{p.T("提交申请", "Submit the application")}</button>
            </form>
            """;
        return PageReply.Page(p, title, html, status, errors.Source);
    }

    /// <summary>The label of a field of the application form, for the error summary.</summary>
    private static string Label(PageContext p, string field)
    {
        var group = field.Split('[', '.')[0];
        var row = field.IndexOf('[', StringComparison.Ordinal) is var open and >= 0 && field.IndexOf(']', open) is var close and > 0
            && int.TryParse(field.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index + 1 : (int?)null;
        var name = group switch
        {
            "projectTitle" => p.T("项目名称", "Project title"),
            "summary" => p.T("项目简介", "Summary"),
            "programmeArea" => p.T("项目领域", "Programme area"),
            "beneficiaryGroup" => p.T("服务对象", "Beneficiary group"),
            "beneficiaryCount" => p.T("受益人数", "Number of beneficiaries"),
            "communitiesServed" => p.T("服务社区", "Communities served"),
            "budgetLines" => p.T("预算明细", "Budget lines"),
            "amountRequested" => p.T("申请金额", "Amount requested"),
            "matchingFunds" => p.T("配套资金", "Matching funds"),
            "milestones" => p.T("里程碑", "Milestones"),
            _ => field,
        };
        return row is { } n && group is "budgetLines" or "milestones" ? p.T($"{name}第 {n} 行", $"{name}, row {n}") : name;
    }
}

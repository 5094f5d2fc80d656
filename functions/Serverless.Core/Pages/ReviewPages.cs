using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Pages;

/// <summary>
/// A reviewer's pages: the assignments, and the scoring form built from the round's rubric (one score per
/// criterion within its range, and a comment). In a blind round nothing names the applicant, as in the API.
/// </summary>
public static class ReviewPages
{
    public static async Task<IResult> Assignments(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var assignments = await p.CallAsync<List<AssignmentView>>(nameof(StageEndpoints.MyReviews));
        var html = new StringBuilder();
        if (ctx.Query("scored") is { } scored && RouteValues.IsId(scored))
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"notice\" role=\"status\"><p><strong>{p.T("评分已保存。", "Your scores are saved.")}</strong> <code>{Html.E(scored)}</code></p></div>\n");
        }

        if (assignments.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{p.T("目前没有分配给您的评审任务。", "Nothing is assigned to you at the moment.")}</p>\n");
        }

        foreach (var a in assignments.OrderBy(a => a.Status).ThenBy(a => a.Due))
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="card" aria-labelledby="a-{Html.E(a.ApplicationId)}">
                <h2 id="a-{Html.E(a.ApplicationId)}">{Html.E(a.Content.ProjectTitle)}</h2>
                <dl>
                <dt>{p.T("公益创投", "Round")}</dt><dd>{Html.E(a.RoundTitle)}</dd>
                <dt>{p.T("状态", "Status")}</dt><dd><span class="status">{p.Name(a.Status)}</span></dd>
                {(a.Due is { } due ? $"<dt>{p.T("评审截止", "Due")}</dt><dd>{p.When(due)}</dd>" : string.Empty)}
                </dl>
                <p><a class="button" href="{PageContext.Href($"pages/rounds/{a.RoundId}/applications/{a.ApplicationId}/review")}">{(a.Status == ReviewStatus.Assigned ? p.T("评分", "Score") : p.T("修改评分", "Change the scores"))}<span class="skip">{Html.E(a.Content.ProjectTitle)}</span></a></p>
                </section>

                """);
        }

        return PageReply.Page(p, p.T("评审任务", "My reviews"), html.ToString());
    }

    public static async Task<IResult> ScoreForm(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var assignment = await FindAsync(p);
        return ScorePage(p, assignment, null, FormErrors.None, 200);
    }

    /// <summary>The scores posted: the JSON API's handler checks and stores them; then back to the assignments.</summary>
    public static async Task<IResult> ScoreSubmit(EndpointContext ctx)
    {
        var p = new PageContext(ctx);
        var assignment = await FindAsync(p);
        var form = await ctx.FormAsync();
        try
        {
            var review = await p.CallAsync<Review>(nameof(StageEndpoints.SubmitReview));
            return PageReply.SeeOther(PageContext.Href($"{Routes.PagesReviews}?scored={review.ApplicationId}"));
        }
        catch (ProblemException e) when (FormErrors.Shows(e.Problem))
        {
            return ScorePage(p, assignment, form, FormErrors.From(p.Lang, e.Problem), e.Problem.Status);
        }
    }

    /// <summary>The caller's assignment for this application, as the API shows it; anyone else's is not found.</summary>
    private static async Task<AssignmentView> FindAsync(PageContext p)
    {
        p.Caller.Require(Role.Reviewer);
        var roundId = p.Endpoint.Route("roundId");
        var applicationId = p.Endpoint.Route("applicationId");
        var assignments = await p.CallAsync<List<AssignmentView>>(nameof(StageEndpoints.MyReviews));
        return assignments.FirstOrDefault(a => a.RoundId == roundId && a.ApplicationId == applicationId)
            ?? throw Problem.NotFound("The assignment").ToException();
    }

    private static PageReply ScorePage(PageContext p, AssignmentView a, IFormCollection? posted, FormErrors errors, int status)
    {
        var c = a.Content;
        var fields = new StringBuilder();
        foreach (var criterion in a.Rubric)
        {
            var name = $"scores.{criterion.Id}";
            var value = posted is not null ? Html.Posted(posted, name) : a.Points?.GetValueOrDefault(criterion.Id) is { } points && a.Points.ContainsKey(criterion.Id) ? points.ToString(CultureInfo.InvariantCulture) : null;
            fields.Append(Html.Field(errors, name, criterion.Name,
                $"input type=\"number\" min=\"0\" max=\"{criterion.MaxPoints}\" step=\"1\"",
                p.T($"0 至 {criterion.MaxPoints} 分，权重 {criterion.Weight}%", $"0 to {criterion.MaxPoints} points, weight {criterion.Weight}%"),
                value, required: true, attributes: "inputmode=\"numeric\""));
        }

        fields.Append(Html.Field(errors, "comment", p.T("评审意见", "Comment"), "textarea", p.T("2 至 4000 字", "2 to 4,000 characters"),
            posted is not null ? Html.Posted(posted, "comment") : a.Comment, required: true));
        var summary = Html.ErrorSummary(p, errors, field => field.StartsWith("scores.", StringComparison.Ordinal)
            ? a.Rubric.FirstOrDefault(r => "scores." + r.Id == field)?.Name ?? field
            : field == "comment" ? p.T("评审意见", "Comment") : field);
        var budget = string.Concat(c.BudgetLines.Select(l => $"<li>{Html.E(l.Item)}：{p.Money(l.Amount)}</li>"));
        var milestones = string.Concat(c.Milestones.Select(m => $"<li>{Html.E(m.Title)}（{p.Day(m.Due)}）</li>"));
        var html = $"""
            <section aria-labelledby="application">
            <h2 id="application">{p.T("申请内容", "The application")}</h2>
            <dl>
            <dt>{p.T("公益创投", "Round")}</dt><dd>{Html.E(a.RoundTitle)}</dd>
            {(a.Blind ? $"<dt>{p.T("申报单位", "Organization")}</dt><dd>{p.T("匿名评审，不显示", "Hidden: blind review")}</dd>" : $"<dt>{p.T("申报单位", "Organization")}</dt><dd>{Html.E(a.OrganizationName)}</dd>")}
            <dt>{p.T("项目领域", "Programme area")}</dt><dd>{p.Name(c.ProgrammeArea)}</dd>
            <dt>{p.T("项目简介", "Summary")}</dt><dd>{Html.E(c.Summary)}</dd>
            <dt>{p.T("服务对象", "Beneficiaries")}</dt><dd>{Html.E(c.BeneficiaryGroup)}，{c.BeneficiaryCount.ToString(CultureInfo.InvariantCulture)} {p.T("人", "people")}</dd>
            <dt>{p.T("服务社区", "Communities")}</dt><dd>{Html.E(string.Join(p.T("、", ", "), c.CommunitiesServed))}</dd>
            <dt>{p.T("申请金额", "Amount requested")}</dt><dd>{p.Money(c.AmountRequested)}（{p.T("配套", "matching")} {p.Money(c.MatchingFunds)}）</dd>
            <dt>{p.T("预算明细", "Budget lines")}</dt><dd><ul>{budget}</ul></dd>
            <dt>{p.T("里程碑", "Milestones")}</dt><dd><ul>{milestones}</ul></dd>
            {(a.Due is { } due ? $"<dt>{p.T("评审截止", "Due")}</dt><dd>{p.When(due)}</dd>" : string.Empty)}
            </dl>
            </section>
            <h2 id="scoring">{p.T("评分", "Scores")}</h2>
            {summary}<form method="post" action="{PageContext.Href($"pages/rounds/{a.RoundId}/applications/{a.ApplicationId}/review")}" novalidate>
            {Html.FormGuard(p, null)}{fields}<button type="submit">{p.T("提交评分", "Submit the scores")}</button>
            </form>
            """;
        return PageReply.Page(p, p.T("评审：", "Review: ") + c.ProjectTitle, html, status, errors.Source);
    }
}

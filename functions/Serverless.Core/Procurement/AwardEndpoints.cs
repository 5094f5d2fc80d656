using System.Globalization;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

/// <summary>Evaluation, award, challenges and contracts: the endpoints after a tender's opening.</summary>
public static class AwardEndpoints
{
    /// <summary>The bureau or the tender's evaluation committee disqualifies (or requalifies) an opened bid, with a reason.</summary>
    public static async Task<IResult> DecideQualification(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Reviewer);
        await RequireCommitteeAsync(ctx, bureauToo: true);
        var form = await ctx.ReadBodyAsync<QualificationForm>();
        var bid = await ctx.Service<TenderEvaluation>().DecideQualificationAsync(ctx.Route("tenderId"), ctx.Route("bidId"), ctx.Caller, form, ctx.Aborted);
        return Reply.Ok(bid.Qualification);
    }

    /// <summary>An evaluator of the tender's committee scores an opened bid's technical criteria.</summary>
    public static async Task<IResult> ScoreBid(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Reviewer);
        await RequireCommitteeAsync(ctx, bureauToo: false);
        var form = await ctx.ReadBodyAsync<ScoreForm>();
        var score = await ctx.Service<TenderEvaluation>().ScoreAsync(ctx.Route("tenderId"), ctx.Route("bidId"), ctx.Caller, form, ctx.Aborted);
        return Reply.Ok(score);
    }

    /// <summary>The bidder explains its abnormally low price. Another organization's bid does not exist for the caller (404).</summary>
    public static async Task<IResult> ExplainPrice(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        await TenderEndpoints.FindOwnBidAsync(ctx, ctx.Service<BidStore>(), tender.Id, organizationId);
        var form = await ctx.ReadBodyAsync<ExplanationForm>();
        var bid = await ctx.Service<TenderEvaluation>().ExplainAsync(tender.Id, ctx.Route("bidId"), organizationId, form, ctx.Aborted);
        return Reply.Ok(bid.AbnormalPrice);
    }

    /// <summary>Closes a lot's evaluation: the explained ranking becomes its recommended award.</summary>
    public static async Task<IResult> RankLot(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var award = await ctx.Service<TenderEvaluation>().RankAsync(ctx.Route("tenderId"), ctx.Route("lotId"), ctx.Caller, ctx.Aborted);
        return Reply.Ok(award);
    }

    /// <summary>The award with its ranking: public once published; before that, the bureau's and the committee's.</summary>
    public static async Task<IResult> GetAward(EndpointContext ctx)
    {
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var (award, _) = await ctx.Service<AwardStore>().FindAsync(tender.Id, ctx.Route("lotId"), ctx.Aborted) ?? throw Problem.NotFound("The lot's award").ToException();
        if (!award.IsPublished && !ctx.Caller.IsIn(Role.Admin) && !tender.IsEvaluator(ctx.Caller))
        {
            throw Problem.NotFound("The lot's award").ToException();
        }

        return Reply.Ok(award);
    }

    public static async Task<IResult> ConfirmAward(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var award = await ctx.Service<Awarding>().ConfirmAsync(ctx.Route("tenderId"), ctx.Route("lotId"), ctx.Caller, ctx.Durable, ctx.Aborted);
        return Reply.Ok(award);
    }

    /// <summary>
    /// The candidate holding the award gives it up; it passes to the next in the ranking. The award is public,
    /// so another organization is refused (403).
    /// </summary>
    public static async Task<IResult> WithdrawFromAward(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var (tenderId, lotId) = (ctx.Route("tenderId"), ctx.Route("lotId"));
        var (award, _) = await ctx.Service<AwardStore>().FindAsync(tenderId, lotId, ctx.Aborted) ?? throw Problem.NotFound("The lot's award").ToException();
        if (award.Current?.OrganizationId != organizationId)
        {
            throw Problem.Forbidden("Only the candidate holding the award may withdraw from it.").ToException();
        }

        var form = await ctx.ReadBodyAsync<ReasonForm>();
        var v = new Validation();
        var reason = v.Text("reason", form.Reason, 2000, 2);
        v.ThrowIfAny();
        var next = await ctx.Service<Awarding>().EndOfferAsync(tenderId, lotId, award.Current.BidId, OfferOutcome.Withdrawn, $"Withdrawn by the candidate: {reason}", ctx.Aborted);
        await Signal(ctx, tenderId, lotId);
        return Reply.Ok(next);
    }

    /// <summary>The bureau disqualifies the candidate holding the award (false documents, debarment found later …).</summary>
    public static async Task<IResult> DisqualifyCandidate(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var (tenderId, lotId) = (ctx.Route("tenderId"), ctx.Route("lotId"));
        _ = await ctx.Service<AwardStore>().FindAsync(tenderId, lotId, ctx.Aborted) ?? throw Problem.NotFound("The lot's award").ToException();
        var form = await ctx.ReadBodyAsync<ReasonForm>();
        var v = new Validation();
        var reason = v.Text("reason", form.Reason, 2000, 5);
        v.ThrowIfAny();
        var next = await ctx.Service<Awarding>().EndOfferAsync(tenderId, lotId, null, OfferOutcome.Disqualified, $"Disqualified by the bureau: {reason}", ctx.Aborted);
        await Signal(ctx, tenderId, lotId);
        return Reply.Ok(next);
    }

    /// <summary>A bidder of the tender challenges an award during its standstill; any other organization is refused (403).</summary>
    public static async Task<IResult> LodgeChallenge(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        if (!(await ctx.Service<BidStore>().ListAsync(tender.Id, ctx.Aborted)).Exists(b => b.OrganizationId == organizationId))
        {
            throw Problem.Forbidden("Only a bidder of this tender may challenge its awards.").ToException();
        }

        var form = await ctx.ReadBodyAsync<ChallengeForm>();
        var challenge = await ctx.Service<Awarding>().ChallengeAsync(tender.Id, organizationId, form, ctx.IdempotencyKey(), ctx.Aborted);
        return Reply.Created($"{Tender.Location(challenge.TenderId)}/challenges/{challenge.Id}", challenge);
    }

    public static async Task<IResult> ListChallenges(EndpointContext ctx)
    {
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var challenges = await ctx.Service<AwardStore>().ChallengesAsync(tender.Id, ctx.Aborted);
        return Reply.Ok(challenges.Select(c => c.Public(ctx.Caller)).ToList());
    }

    public static async Task<IResult> RuleChallenge(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        _ = await ctx.Service<AwardStore>().FindChallengeAsync(ctx.Route("tenderId"), ctx.Route("challengeId"), ctx.Aborted)
            ?? throw Problem.NotFound("The challenge").ToException();
        var form = await ctx.ReadBodyAsync<RulingForm>();
        var ruled = await ctx.Service<Awarding>().RuleAsync(ctx.Route("tenderId"), ctx.Route("challengeId"), ctx.Caller, form, ctx.Aborted);
        await Signal(ctx, ruled.TenderId, ruled.LotId);
        return Reply.Ok(ruled);
    }

    /// <summary>The tender's contracts: all of them for the bureau, its own for an organization.</summary>
    public static async Task<IResult> ListTenderContracts(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization);
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var contracts = await ctx.Service<ContractStore>().ListForTenderAsync(tender.Id, ctx.Aborted);
        return Reply.Ok(contracts.Where(c => IsParty(ctx.Caller, c)).ToList());
    }

    public static async Task<IResult> GetContract(EndpointContext ctx) => Reply.Ok(await FindForPartyAsync(ctx));

    public static async Task<IResult> SignContract(EndpointContext ctx)
    {
        await FindForPartyAsync(ctx);
        var contract = await ctx.Service<ContractLifecycle>().SignAsync(ctx.Route("contractId"), ctx.Caller, ctx.Aborted);
        await Signal(ctx, contract);
        if (contract.IsSigned)
        {
            await Signal(ctx, contract.TenderId, contract.LotId);
        }

        return Reply.Ok(contract);
    }

    public static async Task<IResult> ReportMilestone(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        await FindForPartyAsync(ctx);
        var form = await ctx.ReadBodyAsync<MilestoneReportForm>();
        var contract = await ctx.Service<ContractLifecycle>().ReportAsync(ctx.Route("contractId"), MilestoneIndex(ctx), organizationId, form, ctx.Aborted);
        await Signal(ctx, contract);
        return Reply.Ok(contract);
    }

    public static async Task<IResult> DecideMilestone(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        await FindForPartyAsync(ctx);
        var form = await ctx.ReadBodyAsync<AcceptanceForm>();
        var contract = await ctx.Service<ContractLifecycle>().DecideAsync(ctx.Route("contractId"), MilestoneIndex(ctx), ctx.Caller, form, ctx.Aborted);
        await Signal(ctx, contract);
        return Reply.Ok(contract);
    }

    public static async Task<IResult> EvaluatePerformance(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        await FindForPartyAsync(ctx);
        var form = await ctx.ReadBodyAsync<PerformanceForm>();
        var contract = await ctx.Service<ContractLifecycle>().EvaluateAsync(ctx.Route("contractId"), ctx.Caller, form, ctx.Aborted);
        await Signal(ctx, contract);
        return Reply.Ok(contract);
    }

    /// <summary>The tender's history as an OCDS 1.1 release package, for anyone once the tender is published.</summary>
    public static async Task<IResult> GetOcds(EndpointContext ctx)
    {
        var tender = await TenderEndpoints.FindVisibleAsync(ctx);
        var package = await ctx.Service<OcdsExport>().PackageAsync(tender, ctx.Aborted);
        return Reply.Ok(package);
    }

    // A contract is its parties': the supplier and the bureau. Its supplier and value are public (the award and
    // the OCDS record), so to another organization it is refused (403), not hidden; its reports and evidence are
    // for the parties.
    private static bool IsParty(Caller caller, Contract contract) => caller.IsIn(Role.Admin) || caller.ActsFor(contract.OrganizationId);

    /// <summary>The route's contract for one of its parties; roles first (403), then the contract (404), then the party (403).</summary>
    private static async Task<Contract> FindForPartyAsync(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization);
        var (contract, _) = await ctx.Service<ContractStore>().FindAsync(ctx.Route("contractId"), ctx.Aborted) ?? throw Problem.NotFound("The contract").ToException();
        return IsParty(ctx.Caller, contract) ? contract : throw Problem.Forbidden("A contract is read and signed by its supplier and the bureau.").ToException();
    }

    /// <summary>The tender's evaluation committee (and, where <paramref name="bureauToo"/>, the bureau); any other caller is refused (403).</summary>
    private static async Task RequireCommitteeAsync(EndpointContext ctx, bool bureauToo)
    {
        var (tender, _) = await ctx.Service<TenderStore>().FindAsync(ctx.Route("tenderId"), ctx.Aborted) ?? throw Problem.NotFound("The tender").ToException();
        if (!tender.IsEvaluator(ctx.Caller) && !(bureauToo && ctx.Caller.IsIn(Role.Admin)))
        {
            throw Problem.Forbidden(bureauToo
                ? "Only the bureau or the tender's evaluation committee decides qualification."
                : "Only the tender's evaluation committee scores bids.").ToException();
        }
    }

    private static int MilestoneIndex(EndpointContext ctx) =>
        int.TryParse(ctx.Route("index"), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < 100 ? i : throw Problem.NotFound("The milestone").ToException();

    private static Task Signal(EndpointContext ctx, string tenderId, string lotId) =>
        Workflows.SignalAsync(ctx.Durable, LotAward.InstanceId(tenderId, lotId), AwardOrchestration.UpdatedEvent, "updated", ctx.Aborted);

    private static Task Signal(EndpointContext ctx, Contract contract) =>
        Workflows.SignalAsync(ctx.Durable, ContractOrchestration.InstanceId(contract.Id), ContractOrchestration.UpdatedEvent, "updated", ctx.Aborted);
}

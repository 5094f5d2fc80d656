using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;
using Serverless.Core.Organizations;
using Serverless.Core.Ventures;

namespace Serverless.Core.Procurement;

public static class TenderEndpoints
{
    public static async Task<IResult> CreateTender(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var key = ctx.IdempotencyKey();
        var form = await ctx.ReadBodyAsync<TenderForm>();
        var id = key is null ? Ids.New("tnd", ctx.Clock) : Ids.Derive("tnd", ctx.Caller.Id!, key);
        var tender = form.Validate(id, ctx.Caller, ctx.Clock.GetUtcNow());
        var store = ctx.Service<TenderStore>();
        if (!await store.TryAddAsync(tender, ctx.Aborted))
        {
            tender = (await store.FindAsync(id, ctx.Aborted))!.Value.Tender;
        }

        return Reply.Created(Tender.Location(id), tender);
    }

    public static async Task<IResult> ListTenders(EndpointContext ctx)
    {
        var tenders = await ctx.Service<TenderStore>().ListAsync(ctx.Aborted);
        return Reply.Ok(tenders.Where(t => t.IsPublic || ctx.Caller.IsIn(Role.Admin)).OrderByDescending(t => t.BidDeadline).ToList());
    }

    public static async Task<IResult> GetTender(EndpointContext ctx) => Reply.Ok(await FindVisibleAsync(ctx));

    /// <summary>Publishing opens the call and starts the tender's workflow, which opens the bids at the deadline.</summary>
    public static async Task<IResult> PublishTender(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var store = ctx.Service<TenderStore>();
        var (tender, etag) = await store.FindAsync(ctx.Route("tenderId"), ctx.Aborted) ?? throw Problem.NotFound("The tender").ToException();
        if (tender.Status == TenderStatus.Draft)
        {
            tender = tender.Publish(ctx.Clock.GetUtcNow()).OrThrow();
            await store.UpdateAsync(tender, etag, ctx.Aborted);
        }

        await Workflows.EnsureStartedAsync(ctx.Durable, nameof(TenderOrchestration), TenderOrchestration.InstanceId(tender.Id), tender.Id, ctx.Aborted);
        return Reply.Ok(tender);
    }

    /// <summary>An organization asks until the enquiry deadline; its identity is never published.</summary>
    public static async Task<IResult> AskQuestion(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var tender = await FindVisibleAsync(ctx);
        var form = await ctx.ReadBodyAsync<QuestionForm>();
        var v = new Validation();
        var text = v.Text("text", form.Text, 2000, 5);
        v.ThrowIfAny();
        if (tender.Status != TenderStatus.Open || ctx.Clock.GetUtcNow() >= tender.EnquiryDeadline)
        {
            throw Problem.DeadlinePassed($"Questions were taken until {tender.EnquiryDeadline:O}.").ToException();
        }

        var key = ctx.IdempotencyKey();
        var id = key is null ? Ids.New("qst", ctx.Clock) : Ids.Derive("qst", tender.Id, organizationId, key);
        var question = new Question(id, tender.Id, text, organizationId, ctx.Clock.GetUtcNow());
        await ctx.Service<QuestionStore>().TryAddAsync(question, ctx.Aborted);
        return Reply.Created($"{Tender.Location(tender.Id)}/questions/{id}", question.Public());
    }

    /// <summary>The enquiries (答疑) are for those taking part in the procurement: the bureau, organizations, evaluators.</summary>
    public static async Task<IResult> ListQuestions(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Organization, Role.Reviewer);
        var tender = await FindVisibleAsync(ctx);
        var questions = await ctx.Service<QuestionStore>().ListAsync(tender.Id, ctx.Aborted);
        // Everyone sees the answered questions; the bureau also those still waiting. Nobody sees who asked.
        return Reply.Ok(questions.Where(q => q.Answer is not null || ctx.Caller.IsIn(Role.Admin)).Select(q => q.Public()).ToList());
    }

    public static async Task<IResult> AnswerQuestion(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var tender = await FindVisibleAsync(ctx);
        var store = ctx.Service<QuestionStore>();
        var (question, etag) = await store.FindAsync(tender.Id, ctx.Route("questionId"), ctx.Aborted) ?? throw Problem.NotFound("The question").ToException();
        var form = await ctx.ReadBodyAsync<AnswerForm>();
        var v = new Validation();
        var answer = v.Text("answer", form.Answer, 4000, 2);
        v.ThrowIfAny();
        var answered = question with { Answer = answer, AnsweredAt = ctx.Clock.GetUtcNow(), AnsweredBy = ctx.Caller.Id };
        await store.UpdateAsync(answered, etag, ctx.Aborted);
        return Reply.Ok(answered.Public());
    }

    /// <summary>
    /// An organization bids on a lot: the content is sealed before it is stored and the reply is only the
    /// receipt. Bidding again on the same lot replaces the bid (a new version and receipt) until the deadline.
    /// </summary>
    public static async Task<IResult> SubmitBid(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var tender = await FindVisibleAsync(ctx);
        var form = await ctx.ReadBodyAsync(BidForm.FromForm);
        var now = ctx.Clock.GetUtcNow();
        if (tender.RefuseBidChange(now) is { } refusal)
        {
            throw refusal.ToException();
        }

        var v = new Validation();
        var lot = tender.Lots.FirstOrDefault(l => l.Id == form.LotId);
        if (lot is null)
        {
            v.Add("lotId", $"One of the tender's lots: {string.Join(", ", tender.Lots.Select(l => l.Id))}.");
        }

        if (form.Price is null)
        {
            v.Add("price", "Required.");
        }
        else
        {
            v.Money("price", form.Price.Value, 0.01m);
            if (lot is not null && form.Price > lot.BudgetCeiling)
            {
                v.Add("price", $"Above the lot's budget ceiling (最高限价) of {lot.BudgetCeiling} CNY: such a bid is invalid.");
            }
        }

        var proposal = v.Text("technicalProposal", form.TechnicalProposal, 30_000, 20);
        v.ThrowIfAny();
        var organization = await ctx.Service<OrganizationStore>().FindAsync(organizationId, ctx.Aborted)
            ?? throw Problem.Forbidden("Your organization is not registered with the bureau.").ToException();
        var bytes = Bid.Canonical(new BidContent(form.Price!.Value, proposal));
        var sealing = ctx.Service<BidSealing>();
        var store = ctx.Service<BidStore>();
        var id = Bid.IdFor(tender.Id, lot!.Id, organizationId);
        var existing = await store.FindAsync(tender.Id, id, ctx.Aborted);
        var bid = new Bid(id, tender.Id, lot.Id, organizationId, organization.Name, BidStatus.Submitted,
            (existing?.Bid.Version ?? 0) + 1, existing?.Bid.SubmittedAt ?? now, now, BidSealing.Hash(bytes), sealing.Seal(bytes));
        await store.SaveAsync(bid, existing?.ETag, ctx.Aborted);
        return existing is null
            ? Reply.Created($"{Tender.Location(tender.Id)}/bids/{id}", bid.Receipt())
            : Reply.Ok(bid.Receipt());
    }

    /// <summary>The bidder withdraws its bid before the deadline. Another bidder's sealed bid does not exist for the caller (404).</summary>
    public static async Task<IResult> WithdrawBid(EndpointContext ctx)
    {
        var organizationId = ctx.Caller.RequireOrganization();
        var tender = await FindVisibleAsync(ctx);
        var store = ctx.Service<BidStore>();
        var (bid, etag) = await FindOwnBidAsync(ctx, store, tender.Id, organizationId);
        if (tender.RefuseBidChange(ctx.Clock.GetUtcNow()) is { } refusal)
        {
            throw refusal.ToException();
        }

        var withdrawn = bid with { Status = BidStatus.Withdrawn, UpdatedAt = ctx.Clock.GetUtcNow(), Version = bid.Version + 1 };
        await store.SaveAsync(withdrawn, etag, ctx.Aborted);
        return Reply.Ok(withdrawn.Receipt());
    }

    /// <summary>
    /// Before opening, a bidder sees only its own receipts and nobody else sees anything, the bureau
    /// included. After opening, the bureau and the evaluation committee see every bid; a bidder its own.
    /// </summary>
    public static async Task<IResult> ListBids(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin, Role.Reviewer, Role.Organization);
        var tender = await FindVisibleAsync(ctx);
        // The bureau and the evaluation committee see every bid once opened, each bidder its own: any other reviewer is refused.
        var committee = ctx.Caller.IsIn(Role.Admin) || tender.IsEvaluator(ctx.Caller);
        if (!committee && !ctx.Caller.IsIn(Role.Organization))
        {
            throw Problem.Forbidden("Bids are for the bureau, the tender's evaluation committee and each bidder's own.").ToException();
        }

        var bids = await ctx.Service<BidStore>().ListAsync(tender.Id, ctx.Aborted);
        var own = ctx.Caller.IsIn(Role.Organization) ? bids.Where(b => ctx.Caller.ActsFor(b.OrganizationId)).ToList() : [];
        if (tender.Status != TenderStatus.Opened)
        {
            if (!ctx.Caller.IsIn(Role.Organization))
            {
                throw new Problem(409, ProblemCodes.BidsSealed, "Bids are sealed.",
                    $"No one can read bids before the opening at {tender.BidDeadline:O}, the bureau included.").ToException();
            }

            return Reply.Ok(own.Select(b => b.Receipt()).ToList());
        }

        // The bureau and the evaluation committee see every bid, with each supplier's record on earlier contracts.
        var visible = committee ? bids : own;
        var performance = ctx.Service<PerformanceStore>();
        var records = new Dictionary<string, List<PerformanceRecord>>(StringComparer.Ordinal);
        foreach (var organizationId in visible.Select(b => b.OrganizationId).Distinct(StringComparer.Ordinal))
        {
            records[organizationId] = committee ? await performance.ListAsync(organizationId, ctx.Aborted) : [];
        }

        return Reply.Ok(visible.Select(b => new OpenedBid(b.Id, b.LotId, b.OrganizationId, b.OrganizationName, b.Status, b.Version,
            b.SubmittedAt, b.Sha256, b.Status == BidStatus.Submitted ? b.Opened : null, b.Qualification, b.AbnormalPrice, records[b.OrganizationId])).ToList());
    }

    /// <summary>
    /// A failed lot (流标) is tendered again or bought by another method: either way a new draft tender for
    /// that lot, linked to this one, which the bureau then publishes.
    /// </summary>
    public static async Task<IResult> DecideFailedLot(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var store = ctx.Service<TenderStore>();
        var (tender, etag) = await store.FindAsync(ctx.Route("tenderId"), ctx.Aborted) ?? throw Problem.NotFound("The tender").ToException();
        var lot = tender.Lots.FirstOrDefault(l => l.Id == ctx.Route("lotId")) ?? throw Problem.NotFound("The lot").ToException();
        var form = await ctx.ReadBodyAsync<FailedLotDecisionForm>();
        var v = new Validation();
        if (form.Decision is not ("re-tender" or "change-method"))
        {
            v.Add("decision", "Either 're-tender' or 'change-method'.");
        }

        if (form.Decision == "change-method" && form.Method is null)
        {
            v.Add("method", "Required when changing the method.");
        }

        if (form.EnquiryDeadline is null || form.BidDeadline is null || form.EnquiryDeadline >= form.BidDeadline)
        {
            v.Add("bidDeadline", "New enquiry and bid deadlines are required, the enquiry deadline first.");
        }

        v.ThrowIfAny();
        if (lot.Status != LotStatus.Failed || lot.FollowedByTenderId is not null)
        {
            throw Problem.InvalidState("Only a failed lot without a decision is tendered again.").ToException();
        }

        var now = ctx.Clock.GetUtcNow();
        var method = form.Decision == "change-method" ? form.Method!.Value : tender.Method;
        var followId = Ids.Derive("tnd", tender.Id, lot.Id, "follow-up");
        var follow = tender with
        {
            Id = followId,
            Title = $"{tender.Title}（{lot.Title} 重新采购）",
            Lots = [lot with { Status = LotStatus.Open, ValidBids = null, FailureReason = null }],
            Method = method,
            EnquiryDeadline = form.EnquiryDeadline!.Value.ToUniversalTime(),
            BidDeadline = form.BidDeadline!.Value.ToUniversalTime(),
            Status = TenderStatus.Draft,
            CreatedAt = now,
            CreatedBy = ctx.Caller.Id!,
            PublishedAt = null,
            OpenedAt = null,
            ReplacesTenderId = tender.Id,
        };
        await store.TryAddAsync(follow, ctx.Aborted);
        var decided = tender with
        {
            Lots = tender.Lots.Select(l => l.Id == lot.Id ? l with { Decision = form.Decision, FollowedByTenderId = followId } : l).ToList(),
        };
        await store.UpdateAsync(decided, etag, ctx.Aborted);
        return Reply.Created(Tender.Location(followId), follow);
    }

    /// <summary>
    /// The caller's own bid on the tender. Who bid is sealed until the opening and never published per bidder
    /// here, so another organization's bid answers 404, exactly as one that does not exist.
    /// </summary>
    internal static async Task<(Bid Bid, Azure.ETag ETag)> FindOwnBidAsync(EndpointContext ctx, BidStore store, string tenderId, string organizationId)
    {
        var found = await store.FindAsync(tenderId, ctx.Route("bidId"), ctx.Aborted);
        if (found is not { } f || f.Bid.OrganizationId != organizationId)
        {
            throw Problem.NotFound("The bid").ToException();
        }

        return (f.Bid, f.ETag);
    }

    internal static async Task<Tender> FindVisibleAsync(EndpointContext ctx)
    {
        var found = await ctx.Service<TenderStore>().FindAsync(ctx.Route("tenderId"), ctx.Aborted);
        if (found is not { } f || (!f.Tender.IsPublic && !ctx.Caller.IsIn(Role.Admin)))
        {
            throw Problem.NotFound("The tender").ToException();
        }

        return f.Tender;
    }
}

using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;
using Serverless.Core.Pages;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;

namespace Serverless.Core;

/// <summary>
/// Every HTTP endpoint, schedule, queue, orchestration and activity of the product, declared once. The
/// DevHost maps this table; the Functions app declares one [Function] per entry, and a test proves the two
/// agree, so the hosts cannot drift apart.
/// </summary>
public static class RouteTable
{
    /// <summary>
    /// Every endpoint needs a signed-in caller unless it is declared <see cref="Access.Public"/> here: the
    /// public pages of the programme (rounds, results, tenders, awards, open data) and objections, which
    /// anyone may lodge. The dispatcher refuses an anonymous call before the handler runs; the handler
    /// then decides by role and ownership.
    /// </summary>
    public static readonly IReadOnlyList<HttpEndpoint> Http =
    [
        new(nameof(SystemEndpoints.Health), "GET", Routes.Health, SystemEndpoints.Health, Access.Public) { Returns = typeof(HealthReport) },
        new(nameof(SystemEndpoints.WhoAmI), "GET", Routes.Me, SystemEndpoints.WhoAmI, Access.Public) { Returns = typeof(CallerView) },
        new(nameof(SystemEndpoints.OpenApi), "GET", Routes.OpenApi, SystemEndpoints.OpenApi, Access.Public) { Returns = typeof(System.Text.Json.Nodes.JsonObject) },
        new(nameof(SystemEndpoints.ApiReferencePage), "GET", Routes.ApiReference, SystemEndpoints.ApiReferencePage, Access.Public) { Html = true },
        new(nameof(MembershipEndpoints.GetMember), "GET", Routes.Member, MembershipEndpoints.GetMember) { Returns = typeof(Member) },
        new(nameof(MembershipEndpoints.SetMember), "PUT", Routes.Member, MembershipEndpoints.SetMember) { Body = typeof(MemberForm), Returns = typeof(Member) },
        new(nameof(AuditEndpoints.GetAuditTrail), "GET", Routes.AuditTrail, AuditEndpoints.GetAuditTrail) { Returns = typeof(AuditTrail) },
        new(nameof(QueueEndpoints.ListQueues), "GET", Routes.Queues, QueueEndpoints.ListQueues) { Returns = typeof(List<QueueStatus>) },
        new(nameof(QueueEndpoints.ReplayPoison), "POST", Routes.QueueReplay, QueueEndpoints.ReplayPoison) { Returns = typeof(ReplayResult) },
        new(nameof(OrganizationEndpoints.RegisterOrganization), "POST", Routes.Organizations, OrganizationEndpoints.RegisterOrganization)
            { Body = typeof(OrganizationForm), Returns = typeof(OrganizationView), Success = 201 },
        new(nameof(OrganizationEndpoints.GetOrganization), "GET", Routes.Organization, OrganizationEndpoints.GetOrganization, Access.Public) { Returns = typeof(OrganizationView) },
        new(nameof(RoundEndpoints.CreateRound), "POST", Routes.Rounds, RoundEndpoints.CreateRound) { Body = typeof(RoundForm), Returns = typeof(RoundView), Success = 201 },
        new(nameof(RoundEndpoints.ListRounds), "GET", Routes.Rounds, RoundEndpoints.ListRounds, Access.Public) { Returns = typeof(List<RoundSummary>) },
        new(nameof(RoundEndpoints.GetRound), "GET", Routes.Round, RoundEndpoints.GetRound, Access.Public) { Returns = typeof(RoundView) },
        new(nameof(RoundEndpoints.PublishRound), "POST", Routes.RoundPublish, RoundEndpoints.PublishRound) { Returns = typeof(RoundView) },
        new(nameof(RoundEndpoints.CancelRound), "POST", Routes.RoundCancel, RoundEndpoints.CancelRound) { Body = typeof(CancelForm), Returns = typeof(RoundView) },
        new(nameof(RoundEndpoints.GetRoundWorkflow), "GET", Routes.RoundWorkflow, RoundEndpoints.GetRoundWorkflow) { Returns = typeof(WorkflowView) },
        new(nameof(ApplicationEndpoints.SubmitApplication), "POST", Routes.Applications, ApplicationEndpoints.SubmitApplication)
            { Body = typeof(ApplicationForm), AcceptsForm = true, Returns = typeof(Application), Success = 201 },
        new(nameof(ApplicationEndpoints.ListApplications), "GET", Routes.Applications, ApplicationEndpoints.ListApplications) { Returns = typeof(List<ApplicationSummary>) },
        new(nameof(ApplicationEndpoints.GetApplication), "GET", Routes.Application, ApplicationEndpoints.GetApplication) { Returns = typeof(Application) },
        new(nameof(ApplicationEndpoints.EditApplication), "PUT", Routes.Application, ApplicationEndpoints.EditApplication)
            { Body = typeof(ApplicationForm), AcceptsForm = true, Returns = typeof(Application) },
        new(nameof(ApplicationEndpoints.WithdrawApplication), "POST", Routes.ApplicationWithdraw, ApplicationEndpoints.WithdrawApplication) { Returns = typeof(Application) },
        new(nameof(StageEndpoints.DecideScreening), "POST", Routes.ApplicationScreening, StageEndpoints.DecideScreening) { Body = typeof(ScreeningDecisionForm), Returns = typeof(ScreeningResult) },
        new(nameof(StageEndpoints.MyReviews), "GET", Routes.MyReviews, StageEndpoints.MyReviews) { Returns = typeof(List<AssignmentView>) },
        new(nameof(StageEndpoints.SubmitReview), "POST", Routes.ApplicationReviews, StageEndpoints.SubmitReview) { Body = typeof(ReviewForm), AcceptsForm = true, Returns = typeof(Review) },
        new(nameof(StageEndpoints.DeclineReview), "POST", Routes.ApplicationReviewDecline, StageEndpoints.DeclineReview) { Body = typeof(DeclineForm), Returns = typeof(ReviewDeclined) },
        new(nameof(StageEndpoints.GetResults), "GET", Routes.RoundResults, StageEndpoints.GetResults, Access.Public) { Returns = typeof(PublishedResults) },
        new(nameof(StageEndpoints.ApproveStage), "POST", Routes.StageApprove, StageEndpoints.ApproveStage) { Body = typeof(StageDecisionForm), Returns = typeof(StageDecision) },
        new(nameof(StageEndpoints.RejectStage), "POST", Routes.StageReject, StageEndpoints.RejectStage) { Body = typeof(StageDecisionForm), Returns = typeof(StageDecision) },
        new(nameof(StageEndpoints.LodgeObjection), "POST", Routes.Objections, StageEndpoints.LodgeObjection, Access.Public)
            { Body = typeof(ObjectionForm), AcceptsForm = true, Returns = typeof(Objection), Success = 201 },
        new(nameof(StageEndpoints.RuleObjection), "POST", Routes.ObjectionRuling, StageEndpoints.RuleObjection) { Body = typeof(Ventures.RulingForm), Returns = typeof(Objection) },
        new(nameof(GrantEndpoints.ListRoundGrants), "GET", Routes.RoundGrants, GrantEndpoints.ListRoundGrants) { Returns = typeof(List<GrantSummary>) },
        new(nameof(GrantEndpoints.GetGrant), "GET", Routes.Grant, GrantEndpoints.GetGrant) { Returns = typeof(GrantView) },
        new(nameof(GrantEndpoints.SignGrant), "POST", Routes.GrantSign, GrantEndpoints.SignGrant) { Returns = typeof(Grant) },
        new(nameof(GrantEndpoints.SubmitReport), "POST", Routes.GrantReports, GrantEndpoints.SubmitReport) { Body = typeof(ReportForm), Returns = typeof(GrantReport), Success = 201 },
        new(nameof(GrantEndpoints.ReviewReport), "POST", Routes.GrantReportReview, GrantEndpoints.ReviewReport) { Body = typeof(ReportReviewForm), Returns = typeof(GrantReport) },
        new(nameof(GrantEndpoints.EvaluateGrant), "POST", Routes.GrantEvaluation, GrantEndpoints.EvaluateGrant) { Body = typeof(EvaluationForm), Returns = typeof(Grant) },
        new(nameof(TenderEndpoints.CreateTender), "POST", Routes.Tenders, TenderEndpoints.CreateTender) { Body = typeof(TenderForm), Returns = typeof(Tender), Success = 201 },
        new(nameof(TenderEndpoints.ListTenders), "GET", Routes.Tenders, TenderEndpoints.ListTenders, Access.Public) { Returns = typeof(List<Tender>) },
        new(nameof(TenderEndpoints.GetTender), "GET", Routes.Tender, TenderEndpoints.GetTender, Access.Public) { Returns = typeof(Tender) },
        new(nameof(TenderEndpoints.PublishTender), "POST", Routes.TenderPublish, TenderEndpoints.PublishTender) { Returns = typeof(Tender) },
        new(nameof(TenderEndpoints.AskQuestion), "POST", Routes.TenderQuestions, TenderEndpoints.AskQuestion) { Body = typeof(QuestionForm), Returns = typeof(PublicQuestion), Success = 201 },
        new(nameof(TenderEndpoints.ListQuestions), "GET", Routes.TenderQuestions, TenderEndpoints.ListQuestions) { Returns = typeof(List<PublicQuestion>) },
        new(nameof(TenderEndpoints.AnswerQuestion), "POST", Routes.TenderQuestionAnswer, TenderEndpoints.AnswerQuestion) { Body = typeof(AnswerForm), Returns = typeof(PublicQuestion) },
        new(nameof(TenderEndpoints.SubmitBid), "POST", Routes.TenderBids, TenderEndpoints.SubmitBid) { Body = typeof(BidForm), AcceptsForm = true, Returns = typeof(BidReceipt), Success = 201 },
        new(nameof(TenderEndpoints.ListBids), "GET", Routes.TenderBids, TenderEndpoints.ListBids) { Returns = typeof(List<OpenedBid>) },
        new(nameof(TenderEndpoints.WithdrawBid), "POST", Routes.TenderBidWithdraw, TenderEndpoints.WithdrawBid) { Returns = typeof(BidReceipt) },
        new(nameof(TenderEndpoints.DecideFailedLot), "POST", Routes.TenderLotDecision, TenderEndpoints.DecideFailedLot)
            { Body = typeof(FailedLotDecisionForm), Returns = typeof(Tender), Success = 201 },
        new(nameof(AwardEndpoints.DecideQualification), "POST", Routes.BidQualification, AwardEndpoints.DecideQualification) { Body = typeof(QualificationForm), Returns = typeof(BidQualification) },
        new(nameof(AwardEndpoints.ScoreBid), "POST", Routes.BidEvaluations, AwardEndpoints.ScoreBid) { Body = typeof(ScoreForm), Returns = typeof(BidScore) },
        new(nameof(AwardEndpoints.ExplainPrice), "POST", Routes.BidExplanation, AwardEndpoints.ExplainPrice) { Body = typeof(ExplanationForm), Returns = typeof(AbnormalPrice) },
        new(nameof(AwardEndpoints.RankLot), "POST", Routes.LotRanking, AwardEndpoints.RankLot) { Returns = typeof(LotAward) },
        new(nameof(AwardEndpoints.GetAward), "GET", Routes.LotAward, AwardEndpoints.GetAward, Access.Public) { Returns = typeof(LotAward) },
        new(nameof(AwardEndpoints.ConfirmAward), "POST", Routes.LotAward, AwardEndpoints.ConfirmAward) { Returns = typeof(LotAward) },
        new(nameof(AwardEndpoints.WithdrawFromAward), "POST", Routes.LotAwardWithdraw, AwardEndpoints.WithdrawFromAward) { Body = typeof(ReasonForm), Returns = typeof(LotAward) },
        new(nameof(AwardEndpoints.DisqualifyCandidate), "POST", Routes.LotAwardDisqualify, AwardEndpoints.DisqualifyCandidate) { Body = typeof(ReasonForm), Returns = typeof(LotAward) },
        new(nameof(AwardEndpoints.LodgeChallenge), "POST", Routes.TenderChallenges, AwardEndpoints.LodgeChallenge) { Body = typeof(ChallengeForm), Returns = typeof(Challenge), Success = 201 },
        new(nameof(AwardEndpoints.ListChallenges), "GET", Routes.TenderChallenges, AwardEndpoints.ListChallenges, Access.Public) { Returns = typeof(List<Challenge>) },
        new(nameof(AwardEndpoints.RuleChallenge), "POST", Routes.ChallengeRuling, AwardEndpoints.RuleChallenge) { Body = typeof(Procurement.RulingForm), Returns = typeof(Challenge) },
        new(nameof(AwardEndpoints.ListTenderContracts), "GET", Routes.TenderContracts, AwardEndpoints.ListTenderContracts) { Returns = typeof(List<Contract>) },
        new(nameof(AwardEndpoints.GetOcds), "GET", Routes.TenderOcds, AwardEndpoints.GetOcds, Access.Public) { Returns = typeof(System.Text.Json.Nodes.JsonObject) }, // an OCDS 1.1 release package (its own schema: standard.open-contracting.org)
        new(nameof(AwardEndpoints.GetContract), "GET", Routes.Contract, AwardEndpoints.GetContract) { Returns = typeof(Contract) },
        new(nameof(AwardEndpoints.SignContract), "POST", Routes.ContractSign, AwardEndpoints.SignContract) { Returns = typeof(Contract) },
        new(nameof(AwardEndpoints.ReportMilestone), "POST", Routes.MilestoneReport, AwardEndpoints.ReportMilestone) { Body = typeof(MilestoneReportForm), Returns = typeof(Contract) },
        new(nameof(AwardEndpoints.DecideMilestone), "POST", Routes.MilestoneAcceptance, AwardEndpoints.DecideMilestone) { Body = typeof(AcceptanceForm), Returns = typeof(Contract) },
        new(nameof(AwardEndpoints.EvaluatePerformance), "POST", Routes.ContractEvaluation, AwardEndpoints.EvaluatePerformance) { Body = typeof(PerformanceForm), Returns = typeof(Contract) },
        new(nameof(DispatchEndpoints.RegisterVolunteer), "POST", Routes.Volunteers, DispatchEndpoints.RegisterVolunteer)
            { Body = typeof(VolunteerForm), Returns = typeof(VolunteerView), Success = 201 },
        new(nameof(DispatchEndpoints.GetVolunteer), "GET", Routes.Volunteer, DispatchEndpoints.GetVolunteer) { Returns = typeof(VolunteerView) },
        new(nameof(DispatchEndpoints.UpdateVolunteer), "PUT", Routes.Volunteer, DispatchEndpoints.UpdateVolunteer) { Body = typeof(VolunteerForm), Returns = typeof(VolunteerView) },
        new(nameof(DispatchEndpoints.GetHours), "GET", Routes.VolunteerHours, DispatchEndpoints.GetHours) { Returns = typeof(HoursStatement) },
        new(nameof(DispatchEndpoints.CreateServiceRequest), "POST", Routes.ServiceRequests, DispatchEndpoints.CreateServiceRequest)
            { Body = typeof(ServiceRequestForm), Returns = typeof(ServiceRequest), Success = 201 },
        new(nameof(DispatchEndpoints.GetServiceRequest), "GET", Routes.ServiceRequest, DispatchEndpoints.GetServiceRequest) { Returns = typeof(ServiceRequestView) },
        new(nameof(DispatchEndpoints.MyOffers), "GET", Routes.MyOffers, DispatchEndpoints.MyOffers) { Returns = typeof(List<Offer>) },
        new(nameof(DispatchEndpoints.AcceptOffer), "POST", Routes.OfferAccept, DispatchEndpoints.AcceptOffer) { Returns = typeof(Offer) },
        new(nameof(DispatchEndpoints.DeclineOffer), "POST", Routes.OfferDecline, DispatchEndpoints.DeclineOffer) { Returns = typeof(Offer) },
        new(nameof(DispatchEndpoints.CheckIn), "POST", Routes.RequestCheckIn, DispatchEndpoints.CheckIn) { Returns = typeof(ServiceRequest) },
        new(nameof(DispatchEndpoints.CheckOut), "POST", Routes.RequestCheckOut, DispatchEndpoints.CheckOut) { Returns = typeof(ServiceRequest) },
        new(nameof(DispatchEndpoints.ConfirmService), "POST", Routes.RequestConfirm, DispatchEndpoints.ConfirmService) { Returns = typeof(ServiceRequest) },
        new(nameof(DispatchEndpoints.CreatePairing), "POST", Routes.Pairings, DispatchEndpoints.CreatePairing) { Body = typeof(PairingForm), Returns = typeof(PairingView), Success = 201 },
        new(nameof(DispatchEndpoints.GetPairing), "GET", Routes.Pairing, DispatchEndpoints.GetPairing) { Returns = typeof(PairingView) },
        new(nameof(DispatchEndpoints.LogVisit), "POST", Routes.PairingVisits, DispatchEndpoints.LogVisit) { Body = typeof(VisitForm), Returns = typeof(PairingView), Success = 201 },
        new(nameof(DispatchEndpoints.EndPairing), "POST", Routes.PairingEnd, DispatchEndpoints.EndPairing) { Returns = typeof(PairingView) },
        new(nameof(DispatchEndpoints.VolunteeringReport), "GET", Routes.VolunteeringReport, DispatchEndpoints.VolunteeringReport) { Returns = typeof(VolunteeringReport) },

        // The people's pages (HTML, bilingual): the same handlers as above, behind server-rendered forms.
        new(nameof(VenturePages.Home), "GET", Routes.PagesHome, VenturePages.Home, Access.Public) { Html = true },
        new(nameof(VenturePages.ApplyForm), "GET", Routes.PagesApply, VenturePages.ApplyForm) { Html = true },
        new(nameof(VenturePages.ApplySubmit), "POST", Routes.PagesApply, VenturePages.ApplySubmit) { Html = true, Body = typeof(ApplicationForm), AcceptsForm = true, FormOnly = true, Success = 303 },
        new(nameof(VenturePages.Receipt), "GET", Routes.PagesApplication, VenturePages.Receipt) { Html = true },
        new(nameof(VenturePages.Mine), "GET", Routes.PagesMine, VenturePages.Mine) { Html = true },
        new(nameof(TenderPages.BidForm), "GET", Routes.PagesBid, TenderPages.BidForm) { Html = true },
        new(nameof(TenderPages.BidSubmit), "POST", Routes.PagesBid, TenderPages.BidSubmit) { Html = true, Body = typeof(BidForm), AcceptsForm = true, FormOnly = true, Success = 303 },
        new(nameof(TenderPages.BidReceipt), "GET", Routes.PagesBidReceipt, TenderPages.BidReceipt) { Html = true },
        new(nameof(VenturePages.Results), "GET", Routes.PagesResults, VenturePages.Results, Access.Public) { Html = true },
        new(nameof(VenturePages.ObjectionSubmit), "POST", Routes.PagesResults, VenturePages.ObjectionSubmit, Access.Public) { Html = true, Body = typeof(ObjectionForm), AcceptsForm = true, FormOnly = true, Success = 303 },
        new(nameof(ReviewPages.Assignments), "GET", Routes.PagesReviews, ReviewPages.Assignments) { Html = true },
        new(nameof(ReviewPages.ScoreForm), "GET", Routes.PagesReview, ReviewPages.ScoreForm) { Html = true },
        new(nameof(ReviewPages.ScoreSubmit), "POST", Routes.PagesReview, ReviewPages.ScoreSubmit) { Html = true, Body = typeof(ReviewForm), AcceptsForm = true, FormOnly = true, Success = 303 },
        new(nameof(OfferPages.Offers), "GET", Routes.PagesOffers, OfferPages.Offers) { Html = true },
        new(nameof(OfferPages.Accept), "POST", Routes.PagesOfferAccept, OfferPages.Accept) { Html = true, Success = 303 },
        new(nameof(OfferPages.Decline), "POST", Routes.PagesOfferDecline, OfferPages.Decline) { Html = true, Success = 303 },
    ];

    public static readonly IReadOnlyList<ScheduleEntry> Schedules =
    [
        new(nameof(RoundSweep.CloseOverdueRounds), Crons.EveryMinute, RoundSweep.CloseOverdueRounds),
        new(nameof(RoundSweep.WakeReviewedRounds), Crons.EveryMinute, RoundSweep.WakeReviewedRounds),
        new(nameof(TenderSweep.OpenDueTenders), Crons.EveryMinute, TenderSweep.OpenDueTenders),
        new(nameof(OutboxRelay.RelayPendingEvents), Crons.EveryMinute, OutboxRelay.RelayPendingEvents),
    ];

    public static readonly IReadOnlyList<QueueEntry> Queues =
    [
        new(nameof(RoundSweep.RequestRoundClose), RoundSweep.CloseQueue, RoundSweep.RequestRoundClose),
        new(nameof(TenderSweep.RequestTenderOpening), TenderSweep.OpenQueue, TenderSweep.RequestTenderOpening),
        new(nameof(OutboxRelay.RelayOutbox), Outbox.RelayQueue, OutboxRelay.RelayOutbox),
        new(nameof(RoundSweep.CheckReviews), RoundSweep.ReviewCheckQueue, RoundSweep.CheckReviews),
    ];

    public static readonly IReadOnlyList<string> Orchestrations = [nameof(RoundOrchestration), nameof(RoundStagesOrchestration), nameof(GrantOrchestration), nameof(TenderOrchestration),
        nameof(AwardOrchestration), nameof(ContractOrchestration), nameof(DispatchOrchestration),
        nameof(PairingOrchestration)];

    public static readonly IReadOnlyList<string> Activities =
    [
        nameof(CloseRoundActivity), nameof(ScreenRoundActivity), nameof(StartReviewActivity), nameof(RemindReviewersActivity),
        nameof(CloseReviewWaveActivity), nameof(ComputeResultsActivity), nameof(ReopenReviewActivity), nameof(RemindCommitteeActivity),
        nameof(StartPublicityActivity), nameof(ObjectionProgressActivity), nameof(MakeAwardsActivity), nameof(StartGrantsActivity), nameof(GrantsProgressActivity), nameof(StartStagesActivity),
        nameof(CompleteRoundActivity), nameof(GrantStateActivity), nameof(PayTrancheActivity), nameof(RemindGrantActivity),
        nameof(CompleteGrantActivity), nameof(FailGrantActivity), nameof(OpenTenderActivity), nameof(RejectUnexplainedActivity),
        nameof(AdvanceAwardActivity), nameof(ContractStateActivity), nameof(LapseContractActivity), nameof(PayMilestoneActivity),
        nameof(RemindContractActivity), nameof(CompleteContractActivity), nameof(AdvanceDispatchActivity),
        nameof(PairingStepActivity), nameof(PairingNoticeActivity), nameof(NextPairingPeriodActivity),
    ];

    /// <summary>
    /// Registers an activity so that what it writes is recorded on the audit trail as the system's, done by this
    /// activity for this workflow instance.
    /// </summary>
    private static void AddAudited<T>(DurableTaskRegistry registry)
        where T : class, ITaskActivity =>
        registry.AddActivity(typeof(T).Name, services => new AuditedActivity(ActivatorUtilities.CreateInstance<T>(services)));

    private sealed class AuditedActivity(ITaskActivity inner) : ITaskActivity
    {
        public Type InputType => inner.InputType;

        public Type OutputType => inner.OutputType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            using var actor = AuditContext.Use(new AuditActor("system", [], $"activity:{context.Name}:{context.InstanceId}"));
            return await inner.RunAsync(context, input);
        }
    }

    /// <summary>Registers the orchestrations and activities with a Durable Task worker (the DevHost's engine, tests).</summary>
    public static void AddDurableTasks(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<RoundOrchestration>();
        registry.AddOrchestrator<RoundStagesOrchestration>();
        AddAudited<CloseRoundActivity>(registry);
        AddAudited<ScreenRoundActivity>(registry);
        AddAudited<StartReviewActivity>(registry);
        AddAudited<RemindReviewersActivity>(registry);
        AddAudited<CloseReviewWaveActivity>(registry);
        AddAudited<ComputeResultsActivity>(registry);
        AddAudited<ReopenReviewActivity>(registry);
        AddAudited<RemindCommitteeActivity>(registry);
        AddAudited<StartPublicityActivity>(registry);
        AddAudited<ObjectionProgressActivity>(registry);
        AddAudited<MakeAwardsActivity>(registry);
        registry.AddOrchestrator<GrantOrchestration>();
        AddAudited<StartGrantsActivity>(registry);
        AddAudited<GrantsProgressActivity>(registry);
        AddAudited<StartStagesActivity>(registry);
        AddAudited<CompleteRoundActivity>(registry);
        AddAudited<GrantStateActivity>(registry);
        AddAudited<PayTrancheActivity>(registry);
        AddAudited<RemindGrantActivity>(registry);
        AddAudited<CompleteGrantActivity>(registry);
        AddAudited<FailGrantActivity>(registry);
        registry.AddOrchestrator<TenderOrchestration>();
        AddAudited<OpenTenderActivity>(registry);
        AddAudited<RejectUnexplainedActivity>(registry);
        registry.AddOrchestrator<AwardOrchestration>();
        AddAudited<AdvanceAwardActivity>(registry);
        registry.AddOrchestrator<ContractOrchestration>();
        AddAudited<ContractStateActivity>(registry);
        AddAudited<LapseContractActivity>(registry);
        AddAudited<PayMilestoneActivity>(registry);
        AddAudited<RemindContractActivity>(registry);
        AddAudited<CompleteContractActivity>(registry);
        registry.AddOrchestrator<DispatchOrchestration>();
        AddAudited<AdvanceDispatchActivity>(registry);
        registry.AddOrchestrator<PairingOrchestration>();
        AddAudited<PairingStepActivity>(registry);
        AddAudited<PairingNoticeActivity>(registry);
        AddAudited<NextPairingPeriodActivity>(registry);
    }
}

/// <summary>Route templates under /api. Constants, so Functions attributes can use them.</summary>
public static class Routes
{
    public const string Health = "health";
    public const string Me = "me";
    public const string OpenApi = "openapi.json";
    public const string ApiReference = "reference";
    public const string Member = "members/{principalId}";
    public const string AuditTrail = "audit/{aggregate}/{id}";
    public const string Queues = "queues";
    public const string QueueReplay = "queues/{queue}/replay";
    public const string Organizations = "organizations";
    public const string Organization = "organizations/{orgId}";
    public const string Rounds = "rounds";
    public const string Round = "rounds/{roundId}";
    public const string RoundPublish = "rounds/{roundId}/publish";
    public const string RoundCancel = "rounds/{roundId}/cancel";
    public const string RoundWorkflow = "rounds/{roundId}/workflow";
    public const string Applications = "rounds/{roundId}/applications";
    public const string Application = "rounds/{roundId}/applications/{applicationId}";
    public const string ApplicationWithdraw = "rounds/{roundId}/applications/{applicationId}/withdraw";
    public const string ApplicationScreening = "rounds/{roundId}/applications/{applicationId}/screening";
    public const string ApplicationReviews = "rounds/{roundId}/applications/{applicationId}/reviews";
    public const string ApplicationReviewDecline = "rounds/{roundId}/applications/{applicationId}/reviews/decline";
    public const string MyReviews = "reviews/mine";
    public const string RoundResults = "rounds/{roundId}/results";
    public const string StageApprove = "rounds/{roundId}/stages/{stage}/approve";
    public const string StageReject = "rounds/{roundId}/stages/{stage}/reject";
    public const string Objections = "rounds/{roundId}/objections";
    public const string ObjectionRuling = "rounds/{roundId}/objections/{objectionId}/ruling";
    public const string RoundGrants = "rounds/{roundId}/grants";
    public const string Grant = "grants/{grantId}";
    public const string GrantSign = "grants/{grantId}/sign";
    public const string GrantReports = "grants/{grantId}/reports";
    public const string GrantReportReview = "grants/{grantId}/reports/{reportId}/review";
    public const string GrantEvaluation = "grants/{grantId}/evaluation";
    public const string Tenders = "tenders";
    public const string Tender = "tenders/{tenderId}";
    public const string TenderPublish = "tenders/{tenderId}/publish";
    public const string TenderQuestions = "tenders/{tenderId}/questions";
    public const string TenderQuestionAnswer = "tenders/{tenderId}/questions/{questionId}/answer";
    public const string TenderBids = "tenders/{tenderId}/bids";
    public const string TenderBidWithdraw = "tenders/{tenderId}/bids/{bidId}/withdraw";
    public const string TenderLotDecision = "tenders/{tenderId}/lots/{lotId}/decision";
    public const string BidQualification = "tenders/{tenderId}/bids/{bidId}/qualification";
    public const string BidEvaluations = "tenders/{tenderId}/bids/{bidId}/evaluations";
    public const string BidExplanation = "tenders/{tenderId}/bids/{bidId}/explanation";
    public const string LotRanking = "tenders/{tenderId}/lots/{lotId}/ranking";
    public const string LotAward = "tenders/{tenderId}/lots/{lotId}/award";
    public const string LotAwardWithdraw = "tenders/{tenderId}/lots/{lotId}/award/withdraw";
    public const string LotAwardDisqualify = "tenders/{tenderId}/lots/{lotId}/award/disqualify";
    public const string TenderChallenges = "tenders/{tenderId}/challenges";
    public const string ChallengeRuling = "tenders/{tenderId}/challenges/{challengeId}/ruling";
    public const string TenderContracts = "tenders/{tenderId}/contracts";
    public const string TenderOcds = "tenders/{tenderId}/ocds";
    public const string Contract = "contracts/{contractId}";
    public const string ContractSign = "contracts/{contractId}/sign";
    public const string MilestoneReport = "contracts/{contractId}/milestones/{index}/report";
    public const string MilestoneAcceptance = "contracts/{contractId}/milestones/{index}/acceptance";
    public const string ContractEvaluation = "contracts/{contractId}/evaluation";
    public const string Volunteers = "volunteers";
    public const string Volunteer = "volunteers/{volunteerId}";
    public const string VolunteerHours = "volunteers/{volunteerId}/hours";
    public const string ServiceRequests = "service-requests";
    public const string ServiceRequest = "service-requests/{requestId}";
    public const string RequestCheckIn = "service-requests/{requestId}/check-in";
    public const string RequestCheckOut = "service-requests/{requestId}/check-out";
    public const string RequestConfirm = "service-requests/{requestId}/confirm";
    public const string MyOffers = "offers/mine";
    public const string OfferAccept = "offers/{offerId}/accept";
    public const string OfferDecline = "offers/{offerId}/decline";
    public const string Pairings = "pairings";
    public const string Pairing = "pairings/{pairingId}";
    public const string PairingVisits = "pairings/{pairingId}/visits";
    public const string PairingEnd = "pairings/{pairingId}/end";
    public const string VolunteeringReport = "reports/volunteering";
    public const string PagesHome = "pages";
    public const string PagesApply = "pages/rounds/{roundId}/apply";
    public const string PagesApplication = "pages/rounds/{roundId}/applications/{applicationId}";
    public const string PagesMine = "pages/mine";
    public const string PagesResults = "pages/rounds/{roundId}/results";
    public const string PagesBid = "pages/tenders/{tenderId}/bid";
    public const string PagesBidReceipt = "pages/tenders/{tenderId}/bids/{bidId}";
    public const string PagesReviews = "pages/reviews";
    public const string PagesReview = "pages/rounds/{roundId}/applications/{applicationId}/review";
    public const string PagesOffers = "pages/offers";
    public const string PagesOfferAccept = "pages/offers/{offerId}/accept";
    public const string PagesOfferDecline = "pages/offers/{offerId}/decline";
}

/// <summary>Six-field CRON (second minute hour day month weekday), as Functions timer triggers take.</summary>
public static class Crons
{
    public const string EveryMinute = "0 */1 * * * *";
}

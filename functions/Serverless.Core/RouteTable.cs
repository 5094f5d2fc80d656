using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;
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
        new(nameof(SystemEndpoints.Health), "GET", Routes.Health, SystemEndpoints.Health, Access.Public),
        new(nameof(SystemEndpoints.WhoAmI), "GET", Routes.Me, SystemEndpoints.WhoAmI, Access.Public),
        new(nameof(SystemEndpoints.OpenApi), "GET", Routes.OpenApi, SystemEndpoints.OpenApi, Access.Public),
        new(nameof(SystemEndpoints.ApiReferencePage), "GET", Routes.ApiReference, SystemEndpoints.ApiReferencePage, Access.Public),
        new(nameof(MembershipEndpoints.GetMember), "GET", Routes.Member, MembershipEndpoints.GetMember),
        new(nameof(MembershipEndpoints.SetMember), "PUT", Routes.Member, MembershipEndpoints.SetMember),
        new(nameof(AuditEndpoints.GetAuditTrail), "GET", Routes.AuditTrail, AuditEndpoints.GetAuditTrail),
        new(nameof(QueueEndpoints.ListQueues), "GET", Routes.Queues, QueueEndpoints.ListQueues),
        new(nameof(QueueEndpoints.ReplayPoison), "POST", Routes.QueueReplay, QueueEndpoints.ReplayPoison),
        new(nameof(OrganizationEndpoints.RegisterOrganization), "POST", Routes.Organizations, OrganizationEndpoints.RegisterOrganization),
        new(nameof(OrganizationEndpoints.GetOrganization), "GET", Routes.Organization, OrganizationEndpoints.GetOrganization, Access.Public),
        new(nameof(RoundEndpoints.CreateRound), "POST", Routes.Rounds, RoundEndpoints.CreateRound),
        new(nameof(RoundEndpoints.ListRounds), "GET", Routes.Rounds, RoundEndpoints.ListRounds, Access.Public),
        new(nameof(RoundEndpoints.GetRound), "GET", Routes.Round, RoundEndpoints.GetRound, Access.Public),
        new(nameof(RoundEndpoints.PublishRound), "POST", Routes.RoundPublish, RoundEndpoints.PublishRound),
        new(nameof(RoundEndpoints.CancelRound), "POST", Routes.RoundCancel, RoundEndpoints.CancelRound),
        new(nameof(RoundEndpoints.GetRoundWorkflow), "GET", Routes.RoundWorkflow, RoundEndpoints.GetRoundWorkflow),
        new(nameof(ApplicationEndpoints.SubmitApplication), "POST", Routes.Applications, ApplicationEndpoints.SubmitApplication),
        new(nameof(ApplicationEndpoints.ListApplications), "GET", Routes.Applications, ApplicationEndpoints.ListApplications),
        new(nameof(ApplicationEndpoints.GetApplication), "GET", Routes.Application, ApplicationEndpoints.GetApplication),
        new(nameof(ApplicationEndpoints.EditApplication), "PUT", Routes.Application, ApplicationEndpoints.EditApplication),
        new(nameof(ApplicationEndpoints.WithdrawApplication), "POST", Routes.ApplicationWithdraw, ApplicationEndpoints.WithdrawApplication),
        new(nameof(StageEndpoints.DecideScreening), "POST", Routes.ApplicationScreening, StageEndpoints.DecideScreening),
        new(nameof(StageEndpoints.MyReviews), "GET", Routes.MyReviews, StageEndpoints.MyReviews),
        new(nameof(StageEndpoints.SubmitReview), "POST", Routes.ApplicationReviews, StageEndpoints.SubmitReview),
        new(nameof(StageEndpoints.DeclineReview), "POST", Routes.ApplicationReviewDecline, StageEndpoints.DeclineReview),
        new(nameof(StageEndpoints.GetResults), "GET", Routes.RoundResults, StageEndpoints.GetResults, Access.Public),
        new(nameof(StageEndpoints.ApproveStage), "POST", Routes.StageApprove, StageEndpoints.ApproveStage),
        new(nameof(StageEndpoints.RejectStage), "POST", Routes.StageReject, StageEndpoints.RejectStage),
        new(nameof(StageEndpoints.LodgeObjection), "POST", Routes.Objections, StageEndpoints.LodgeObjection, Access.Public),
        new(nameof(StageEndpoints.RuleObjection), "POST", Routes.ObjectionRuling, StageEndpoints.RuleObjection),
        new(nameof(GrantEndpoints.ListRoundGrants), "GET", Routes.RoundGrants, GrantEndpoints.ListRoundGrants),
        new(nameof(GrantEndpoints.GetGrant), "GET", Routes.Grant, GrantEndpoints.GetGrant),
        new(nameof(GrantEndpoints.SignGrant), "POST", Routes.GrantSign, GrantEndpoints.SignGrant),
        new(nameof(GrantEndpoints.SubmitReport), "POST", Routes.GrantReports, GrantEndpoints.SubmitReport),
        new(nameof(GrantEndpoints.ReviewReport), "POST", Routes.GrantReportReview, GrantEndpoints.ReviewReport),
        new(nameof(GrantEndpoints.EvaluateGrant), "POST", Routes.GrantEvaluation, GrantEndpoints.EvaluateGrant),
        new(nameof(TenderEndpoints.CreateTender), "POST", Routes.Tenders, TenderEndpoints.CreateTender),
        new(nameof(TenderEndpoints.ListTenders), "GET", Routes.Tenders, TenderEndpoints.ListTenders, Access.Public),
        new(nameof(TenderEndpoints.GetTender), "GET", Routes.Tender, TenderEndpoints.GetTender, Access.Public),
        new(nameof(TenderEndpoints.PublishTender), "POST", Routes.TenderPublish, TenderEndpoints.PublishTender),
        new(nameof(TenderEndpoints.AskQuestion), "POST", Routes.TenderQuestions, TenderEndpoints.AskQuestion),
        new(nameof(TenderEndpoints.ListQuestions), "GET", Routes.TenderQuestions, TenderEndpoints.ListQuestions),
        new(nameof(TenderEndpoints.AnswerQuestion), "POST", Routes.TenderQuestionAnswer, TenderEndpoints.AnswerQuestion),
        new(nameof(TenderEndpoints.SubmitBid), "POST", Routes.TenderBids, TenderEndpoints.SubmitBid),
        new(nameof(TenderEndpoints.ListBids), "GET", Routes.TenderBids, TenderEndpoints.ListBids),
        new(nameof(TenderEndpoints.WithdrawBid), "POST", Routes.TenderBidWithdraw, TenderEndpoints.WithdrawBid),
        new(nameof(TenderEndpoints.DecideFailedLot), "POST", Routes.TenderLotDecision, TenderEndpoints.DecideFailedLot),
        new(nameof(AwardEndpoints.DecideQualification), "POST", Routes.BidQualification, AwardEndpoints.DecideQualification),
        new(nameof(AwardEndpoints.ScoreBid), "POST", Routes.BidEvaluations, AwardEndpoints.ScoreBid),
        new(nameof(AwardEndpoints.ExplainPrice), "POST", Routes.BidExplanation, AwardEndpoints.ExplainPrice),
        new(nameof(AwardEndpoints.RankLot), "POST", Routes.LotRanking, AwardEndpoints.RankLot),
        new(nameof(AwardEndpoints.GetAward), "GET", Routes.LotAward, AwardEndpoints.GetAward, Access.Public),
        new(nameof(AwardEndpoints.ConfirmAward), "POST", Routes.LotAward, AwardEndpoints.ConfirmAward),
        new(nameof(AwardEndpoints.WithdrawFromAward), "POST", Routes.LotAwardWithdraw, AwardEndpoints.WithdrawFromAward),
        new(nameof(AwardEndpoints.DisqualifyCandidate), "POST", Routes.LotAwardDisqualify, AwardEndpoints.DisqualifyCandidate),
        new(nameof(AwardEndpoints.LodgeChallenge), "POST", Routes.TenderChallenges, AwardEndpoints.LodgeChallenge),
        new(nameof(AwardEndpoints.ListChallenges), "GET", Routes.TenderChallenges, AwardEndpoints.ListChallenges, Access.Public),
        new(nameof(AwardEndpoints.RuleChallenge), "POST", Routes.ChallengeRuling, AwardEndpoints.RuleChallenge),
        new(nameof(AwardEndpoints.ListTenderContracts), "GET", Routes.TenderContracts, AwardEndpoints.ListTenderContracts),
        new(nameof(AwardEndpoints.GetOcds), "GET", Routes.TenderOcds, AwardEndpoints.GetOcds, Access.Public),
        new(nameof(AwardEndpoints.GetContract), "GET", Routes.Contract, AwardEndpoints.GetContract),
        new(nameof(AwardEndpoints.SignContract), "POST", Routes.ContractSign, AwardEndpoints.SignContract),
        new(nameof(AwardEndpoints.ReportMilestone), "POST", Routes.MilestoneReport, AwardEndpoints.ReportMilestone),
        new(nameof(AwardEndpoints.DecideMilestone), "POST", Routes.MilestoneAcceptance, AwardEndpoints.DecideMilestone),
        new(nameof(AwardEndpoints.EvaluatePerformance), "POST", Routes.ContractEvaluation, AwardEndpoints.EvaluatePerformance),
        new(nameof(DispatchEndpoints.RegisterVolunteer), "POST", Routes.Volunteers, DispatchEndpoints.RegisterVolunteer),
        new(nameof(DispatchEndpoints.GetVolunteer), "GET", Routes.Volunteer, DispatchEndpoints.GetVolunteer),
        new(nameof(DispatchEndpoints.UpdateVolunteer), "PUT", Routes.Volunteer, DispatchEndpoints.UpdateVolunteer),
        new(nameof(DispatchEndpoints.GetHours), "GET", Routes.VolunteerHours, DispatchEndpoints.GetHours),
        new(nameof(DispatchEndpoints.CreateServiceRequest), "POST", Routes.ServiceRequests, DispatchEndpoints.CreateServiceRequest),
        new(nameof(DispatchEndpoints.GetServiceRequest), "GET", Routes.ServiceRequest, DispatchEndpoints.GetServiceRequest),
        new(nameof(DispatchEndpoints.MyOffers), "GET", Routes.MyOffers, DispatchEndpoints.MyOffers),
        new(nameof(DispatchEndpoints.AcceptOffer), "POST", Routes.OfferAccept, DispatchEndpoints.AcceptOffer),
        new(nameof(DispatchEndpoints.DeclineOffer), "POST", Routes.OfferDecline, DispatchEndpoints.DeclineOffer),
        new(nameof(DispatchEndpoints.CheckIn), "POST", Routes.RequestCheckIn, DispatchEndpoints.CheckIn),
        new(nameof(DispatchEndpoints.CheckOut), "POST", Routes.RequestCheckOut, DispatchEndpoints.CheckOut),
        new(nameof(DispatchEndpoints.ConfirmService), "POST", Routes.RequestConfirm, DispatchEndpoints.ConfirmService),
        new(nameof(DispatchEndpoints.CreatePairing), "POST", Routes.Pairings, DispatchEndpoints.CreatePairing),
        new(nameof(DispatchEndpoints.GetPairing), "GET", Routes.Pairing, DispatchEndpoints.GetPairing),
        new(nameof(DispatchEndpoints.LogVisit), "POST", Routes.PairingVisits, DispatchEndpoints.LogVisit),
        new(nameof(DispatchEndpoints.EndPairing), "POST", Routes.PairingEnd, DispatchEndpoints.EndPairing),
        new(nameof(DispatchEndpoints.VolunteeringReport), "GET", Routes.VolunteeringReport, DispatchEndpoints.VolunteeringReport),
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
}

/// <summary>Six-field CRON (second minute hour day month weekday), as Functions timer triggers take.</summary>
public static class Crons
{
    public const string EveryMinute = "0 */1 * * * *";
}

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Procurement;

namespace Serverless.Functions.Procurement;

/// <summary>The endpoints after a tender's opening: evaluation, award, challenges, contracts, OCDS.</summary>
public static class AwardFunctions
{
    [Function(nameof(AwardEndpoints.DecideQualification))]
    public static Task<IResult> DecideQualification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.BidQualification)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.DecideQualification), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ScoreBid))]
    public static Task<IResult> ScoreBid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.BidEvaluations)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ScoreBid), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ExplainPrice))]
    public static Task<IResult> ExplainPrice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.BidExplanation)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ExplainPrice), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.RankLot))]
    public static Task<IResult> RankLot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.LotRanking)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.RankLot), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.GetAward))]
    public static Task<IResult> GetAward(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.LotAward)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.GetAward), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ConfirmAward))]
    public static Task<IResult> ConfirmAward(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.LotAward)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ConfirmAward), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.WithdrawFromAward))]
    public static Task<IResult> WithdrawFromAward(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.LotAwardWithdraw)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.WithdrawFromAward), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.DisqualifyCandidate))]
    public static Task<IResult> DisqualifyCandidate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.LotAwardDisqualify)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.DisqualifyCandidate), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.LodgeChallenge))]
    public static Task<IResult> LodgeChallenge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TenderChallenges)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.LodgeChallenge), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ListChallenges))]
    public static Task<IResult> ListChallenges(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.TenderChallenges)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ListChallenges), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.RuleChallenge))]
    public static Task<IResult> RuleChallenge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ChallengeRuling)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.RuleChallenge), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ListTenderContracts))]
    public static Task<IResult> ListTenderContracts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.TenderContracts)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ListTenderContracts), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.GetOcds))]
    public static Task<IResult> GetOcds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.TenderOcds)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.GetOcds), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.GetContract))]
    public static Task<IResult> GetContract(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Contract)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.GetContract), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.SignContract))]
    public static Task<IResult> SignContract(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ContractSign)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.SignContract), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.ReportMilestone))]
    public static Task<IResult> ReportMilestone(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.MilestoneReport)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.ReportMilestone), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.DecideMilestone))]
    public static Task<IResult> DecideMilestone(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.MilestoneAcceptance)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.DecideMilestone), req, durable, context.InstanceServices);

    [Function(nameof(AwardEndpoints.EvaluatePerformance))]
    public static Task<IResult> EvaluatePerformance(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ContractEvaluation)] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
        => Api.InvokeAsync(nameof(AwardEndpoints.EvaluatePerformance), req, durable, context.InstanceServices);
}

/// <summary>Each lot's award workflow, each contract's workflow, and their steps, as Durable Functions.</summary>
public sealed class AwardWorkflowFunctions(Awarding awarding, ContractLifecycle contracts, TenderEvaluation evaluation)
{
    [Function(nameof(AwardOrchestration))]
    public static Task<AwardStep> RunAward([OrchestrationTrigger] TaskOrchestrationContext context)
        => new AwardOrchestration().RunAsync(context, context.GetInput<AwardKey>()!);

    [Function(nameof(ContractOrchestration))]
    public static Task<ContractState> RunContract([OrchestrationTrigger] TaskOrchestrationContext context)
        => new ContractOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(RejectUnexplainedActivity))]
    public Task<ExplanationStep> RejectUnexplained([ActivityTrigger] string tenderId) => evaluation.RejectUnexplainedAsync(tenderId);

    [Function(nameof(AdvanceAwardActivity))]
    public Task<AwardStep> AdvanceAward([ActivityTrigger] AwardKey key, [DurableClient] DurableTaskClient durable) => awarding.AdvanceAsync(key, durable);

    [Function(nameof(ContractStateActivity))]
    public Task<ContractState> ContractState([ActivityTrigger] string contractId) => contracts.StateAsync(contractId);

    [Function(nameof(LapseContractActivity))]
    public Task<ContractState> LapseContract([ActivityTrigger] string contractId, [DurableClient] DurableTaskClient durable) => contracts.LapseAsync(contractId, durable);

    [Function(nameof(PayMilestoneActivity))]
    public Task<ContractState> PayMilestone([ActivityTrigger] MilestonePaymentRequest request) => contracts.PayAsync(request);

    [Function(nameof(RemindContractActivity))]
    public Task<bool> RemindContract([ActivityTrigger] MilestoneReminder reminder) => contracts.RemindAsync(reminder);

    [Function(nameof(CompleteContractActivity))]
    public Task<ContractState> CompleteContract([ActivityTrigger] string contractId) => contracts.CompleteAsync(contractId);
}

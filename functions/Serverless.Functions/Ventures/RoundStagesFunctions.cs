using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.Core.Ventures;

namespace Serverless.Functions.Ventures;

/// <summary>The round's stages after closing as Durable Functions: the child orchestration and its activities.</summary>
public sealed class RoundStagesFunctions(RoundStages stages)
{
    [Function(nameof(RoundStagesOrchestration))]
    public static Task<StagesOutcome> RunStages([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RoundStagesOrchestration().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(ScreenRoundActivity))]
    public Task<StageReport> ScreenRound([ActivityTrigger] string roundId) => stages.ScreenAsync(roundId);

    [Function(nameof(StartReviewActivity))]
    public Task<StageReport> StartReview([ActivityTrigger] string roundId) => stages.StartReviewAsync(roundId);

    [Function(nameof(RemindReviewersActivity))]
    public Task<StageReport> RemindReviewers([ActivityTrigger] string roundId) => stages.RemindReviewersAsync(roundId);

    [Function(nameof(CloseReviewWaveActivity))]
    public Task<StageReport> CloseReviewWave([ActivityTrigger] string roundId) => stages.CloseReviewWaveAsync(roundId);

    [Function(nameof(ComputeResultsActivity))]
    public Task<StageReport> ComputeResults([ActivityTrigger] string roundId) => stages.ComputeResultsAsync(roundId);

    [Function(nameof(StartPublicityActivity))]
    public Task<StageReport> StartPublicity([ActivityTrigger] string roundId) => stages.StartPublicityAsync(roundId);

    [Function(nameof(ObjectionProgressActivity))]
    public Task<StageReport> ObjectionProgress([ActivityTrigger] string roundId) => stages.ObjectionProgressAsync(roundId);

    [Function(nameof(MakeAwardsActivity))]
    public Task<StageReport> MakeAwards([ActivityTrigger] string roundId) => stages.MakeAwardsAsync(roundId);

    [Function(nameof(ReopenReviewActivity))]
    public Task<StageReport> ReopenReview([ActivityTrigger] ReopenReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return stages.ReopenReviewAsync(request.RoundId, request.Reason);
    }

    [Function(nameof(RemindCommitteeActivity))]
    public async Task<bool> RemindCommittee([ActivityTrigger] CommitteeReminderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await stages.RemindCommitteeAsync(request.RoundId, request.Period);
        return true;
    }
}

using Microsoft.DurableTask;

namespace Serverless.Core.Ventures;

// The round's later stages as activities: thin wrappers over RoundStages, one class each so both hosts
// register them by name (the DevHost by type, the Functions app by [Function] name).

public sealed record ReopenReviewRequest(string RoundId, string Reason);

public sealed record CommitteeReminderRequest(string RoundId, int Period);

public sealed class ScreenRoundActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.ScreenAsync(input);
}

public sealed class StartReviewActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.StartReviewAsync(input);
}

public sealed class RemindReviewersActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.RemindReviewersAsync(input);
}

public sealed class CloseReviewWaveActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.CloseReviewWaveAsync(input);
}

public sealed class ComputeResultsActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.ComputeResultsAsync(input);
}

public sealed class ReopenReviewActivity(RoundStages stages) : TaskActivity<ReopenReviewRequest, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, ReopenReviewRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return stages.ReopenReviewAsync(input.RoundId, input.Reason);
    }
}

public sealed class RemindCommitteeActivity(RoundStages stages) : TaskActivity<CommitteeReminderRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, CommitteeReminderRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await stages.RemindCommitteeAsync(input.RoundId, input.Period);
        return true;
    }
}

public sealed class StartPublicityActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.StartPublicityAsync(input);
}

public sealed class ObjectionProgressActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.ObjectionProgressAsync(input);
}

public sealed class MakeAwardsActivity(RoundStages stages) : TaskActivity<string, StageReport>
{
    public override Task<StageReport> RunAsync(TaskActivityContext context, string input) => stages.MakeAwardsAsync(input);
}

using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

public sealed record OpenTenderRequest(string TenderId);

/// <summary>The every-minute sweep under the tenders' durable timers: opens any open tender past its deadline.</summary>
public static class TenderSweep
{
    public const string OpenQueue = "tender-open-requests";

    public static async Task OpenDueTenders(JobContext job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = job.Service<TimeProvider>().GetUtcNow();
        var storage = job.Service<Storage>();
        foreach (var tender in (await job.Service<TenderStore>().ListAsync(job.Cancellation)).Where(t => t.Status == TenderStatus.Open && t.BidDeadline <= now))
        {
            await storage.SendAsync(OpenQueue, ApiJson.Serialize(new OpenTenderRequest(tender.Id)), job.Cancellation);
        }
    }

    /// <summary>Idempotent: signals the tender's workflow, starts it if a crash left none, or opens directly if it ended.</summary>
    public static async Task RequestTenderOpening(JobContext job, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ApiJson.Deserialize<OpenTenderRequest>(message);
        await Workflows.NudgeAsync(job.Durable, nameof(TenderOrchestration), TenderOrchestration.InstanceId(request.TenderId), request.TenderId,
            TenderOrchestration.OpenRequestedEvent, "sweep", () => job.Service<TenderOpening>().OpenAsync(request.TenderId, job.Cancellation), job.Cancellation);
    }
}

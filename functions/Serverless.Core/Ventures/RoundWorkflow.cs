using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>How the rest of the product talks to a round's orchestration: by an instance id derived from the round id.</summary>
public static class RoundWorkflow
{
    public const string CloseRequestedEvent = "CloseRequested";
    public const string CancelledEvent = "RoundCancelled";

    public const string ScreeningCompleteEvent = "ScreeningComplete";
    public const string ReviewsCompleteEvent = "ReviewsComplete";
    public const string CommitteeDecisionEvent = "CommitteeDecision";
    public const string ObjectionRuledEvent = "ObjectionRuled";

    public static string InstanceId(string roundId) => $"round-{roundId}";

    /// <summary>The child workflow of the stages after closing.</summary>
    public static string StagesInstanceId(string roundId) => $"round-{roundId}-stages";

    public const string GrantEndedEvent = "GrantEnded";

    public static Task EnsureStagesStartedAsync(DurableTaskClient durable, string roundId, CancellationToken cancellation) =>
        Workflows.EnsureStartedAsync(durable, nameof(RoundStagesOrchestration), StagesInstanceId(roundId), roundId, cancellation);

    /// <summary>Signals the stages workflow, if it runs.</summary>
    public static Task SignalStagesAsync(DurableTaskClient durable, string roundId, string eventName, object payload, CancellationToken cancellation) =>
        Workflows.SignalAsync(durable, StagesInstanceId(roundId), eventName, payload, cancellation);

    /// <summary>Starts the round's orchestration unless it already exists (publishing twice starts one).</summary>
    public static Task EnsureStartedAsync(DurableTaskClient durable, Round round, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(round);
        return Workflows.EnsureStartedAsync(durable, nameof(RoundOrchestration), InstanceId(round.Id),
            new RoundWorkflowInput(round.Id, round.ClosesAt), cancellation);
    }

    /// <summary>The sweep's close of an open round past its deadline.</summary>
    public static async Task RequestCloseAsync(DurableTaskClient durable, RoundStore rounds, RoundClosing closing, string roundId, string by, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentNullException.ThrowIfNull(closing);
        if (await rounds.FindAsync(roundId, cancellation) is not { Round.Status: RoundStatus.Open } current)
        {
            return;
        }

        await Workflows.NudgeAsync(durable, nameof(RoundOrchestration), InstanceId(roundId), new RoundWorkflowInput(roundId, current.Round.ClosesAt),
            CloseRequestedEvent, by, () => closing.CloseAsync(new CloseRoundRequest(roundId, by), cancellation), cancellation);
    }
}

/// <summary>The every-minute sweep and the queue it feeds: the safety net under the durable timers.</summary>
public static class RoundSweep
{
    public const string CloseQueue = "round-close-requests";

    /// <summary>Finds open rounds past their deadline and queues one close request each (retried, poison-tracked).</summary>
    public static async Task CloseOverdueRounds(JobContext job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = job.Service<TimeProvider>().GetUtcNow();
        var storage = job.Service<Storage>();
        foreach (var roundId in await job.Service<RoundStore>().OpenPastDeadlineAsync(now, job.Cancellation))
        {
            await storage.SendAsync(CloseQueue, ApiJson.Serialize(new CloseRoundRequest(roundId, "sweep")), job.Cancellation);
        }
    }

    /// <summary>
    /// Wakes the stages workflow of a round in review whose reviews are all in. The last reviewer's submission
    /// asks for that check (<see cref="ReviewCheckQueue"/>); a crash between storing that review and the message
    /// would otherwise leave the round waiting for its review deadline, which may be weeks away. A signal that
    /// finds the review already closed only makes the workflow check again.
    /// </summary>
    public static async Task WakeReviewedRounds(JobContext job)
    {
        ArgumentNullException.ThrowIfNull(job);
        foreach (var roundId in await job.Service<RoundStore>().InStatusAsync(RoundStatus.Review, job.Cancellation))
        {
            await WakeIfReviewedAsync(job, roundId, "sweep");
        }
    }

    /// <summary>
    /// The queue of checks whether a round's reviews are all in. Asking after every review, in the request, was one
    /// filtered query of the round's whole partition per review: 30,000 of them over a partition of 90,000 rows.
    /// A submitted review asks for a check instead, made in <see cref="ReviewCheckDelay"/>, and the reviews of that
    /// moment share it (<see cref="Storage.RequestAsync"/>): the last review is always followed by one.
    /// </summary>
    public const string ReviewCheckQueue = "round-review-checks";

    public static readonly TimeSpan ReviewCheckDelay = TimeSpan.FromSeconds(1);

    /// <summary>Asks for a check of the round's reviews, in <see cref="ReviewCheckDelay"/> (shared with the reviews of that moment).</summary>
    public static Task RequestReviewCheckAsync(Storage storage, string roundId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.RequestAsync(ReviewCheckQueue, roundId, ApiJson.Serialize(new ReviewCheckRequest(roundId)), ReviewCheckDelay, cancellation);
    }

    /// <summary>Handles one check: wakes the stages workflow when the round is in review and no review is still to score. Idempotent.</summary>
    public static async Task CheckReviews(JobContext job, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ApiJson.Deserialize<ReviewCheckRequest>(message);
        if (await job.Service<RoundStore>().FindAsync(request.RoundId, job.Cancellation) is { Round.Status: RoundStatus.Review })
        {
            await WakeIfReviewedAsync(job, request.RoundId, "all scored");
        }
    }

    private static async Task WakeIfReviewedAsync(JobContext job, string roundId, string by)
    {
        if (!await job.Service<ReviewStore>().AnyAssignedAsync(roundId, job.Cancellation))
        {
            await RoundWorkflow.SignalStagesAsync(job.Durable, roundId, RoundWorkflow.ReviewsCompleteEvent, by, job.Cancellation);
        }
    }

    /// <summary>Handles one close request: idempotent, so a duplicate message changes nothing.</summary>
    public static async Task RequestRoundClose(JobContext job, string message)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ApiJson.Deserialize<CloseRoundRequest>(message);
        await RoundWorkflow.RequestCloseAsync(job.Durable, job.Service<RoundStore>(), job.Service<RoundClosing>(),
            request.RoundId, request.By, job.Cancellation);
    }
}

/// <summary>The message of <see cref="RoundSweep.ReviewCheckQueue"/>: which round to check.</summary>
public sealed record ReviewCheckRequest(string RoundId);

using System.Text.Json.Serialization;
using Microsoft.DurableTask;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

// Stages travel as names in durable payloads, so a later change to the enum never reinterprets history.
public sealed record StagesOutcome(
    [property: JsonPropertyName("stage"), JsonConverter(typeof(JsonStringEnumConverter<RoundStatus>))] RoundStatus Stage,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The committee's decision on the proposed results, as the stages workflow receives it.</summary>
public sealed record CommitteeDecision(bool Approved, string? Reason, string By);

/// <summary>
/// A round after it closes: screening, review (with a reminder before the deadline and one reassignment of
/// missing reviews), aggregation and allocation, the committee's approval (a rejection sends it back to
/// review), publicity with objections, awards. Every wait is a durable timer raced against the people's
/// calls (signalled as events) and against cancellation. Events are hints: each step re-reads the tables,
/// so a late or repeated signal changes nothing.
/// </summary>
public sealed class RoundStagesOrchestration : TaskOrchestrator<string, StagesOutcome>
{
    private const int MaxCommitteeRounds = 10;
    private const int MaxWaits = 100;
    private static readonly TimeSpan MinimumReminderPeriod = TimeSpan.FromSeconds(1);

    private static readonly TaskOptions Retry = DurableSteps.Retry;

    private enum Woke
    {
        Timer,
        Signal,
        Cancelled,
    }

    public override async Task<StagesOutcome> RunAsync(TaskOrchestrationContext context, string roundId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancelled = context.WaitForExternalEvent<string>(RoundWorkflow.CancelledEvent);

        // Screening: automatic checks, then reviewers confirm or overturn until the screening deadline.
        var report = await Step(context, nameof(ScreenRoundActivity), roundId);
        for (var i = 0; i < MaxWaits && report.Done < report.Total; i++)
        {
            Show(context, report, "waiting for reviewers to confirm screening");
            var (woke, _) = await WaitAsync<string>(context, report.Until, RoundWorkflow.ScreeningCompleteEvent, cancelled);
            if (woke == Woke.Cancelled)
            {
                return Cancelled(context);
            }

            if (woke == Woke.Timer)
            {
                break;
            }

            report = await Step(context, nameof(ScreenRoundActivity), roundId);
        }

        report = await Step(context, nameof(StartReviewActivity), roundId);
        var approved = false;
        for (var pass = 0; pass < MaxCommitteeRounds; pass++)
        {
            // Review: a reminder a fifth of the period before each deadline, then the deadline itself.
            DateTimeOffset? remindedFor = null;
            for (var i = 0; i < MaxWaits && !report.Finished; i++)
            {
                if (report.Until is { } until && remindedFor != until && until - context.CurrentUtcDateTime > TimeSpan.FromSeconds(1))
                {
                    Show(context, report, "waiting for reviews; a reminder goes out before the deadline");
                    var remindAt = until - ((until - context.CurrentUtcDateTime) / 5);
                    var (early, _) = await WaitAsync<string>(context, remindAt, RoundWorkflow.ReviewsCompleteEvent, cancelled);
                    if (early == Woke.Cancelled)
                    {
                        return Cancelled(context);
                    }

                    if (early == Woke.Signal)
                    {
                        report = await Step(context, nameof(CloseReviewWaveActivity), roundId);
                        continue;
                    }

                    await Step(context, nameof(RemindReviewersActivity), roundId);
                    remindedFor = until;
                }

                Show(context, report, "waiting for reviews until the deadline");
                var (woke, _) = await WaitAsync<string>(context, report.Until, RoundWorkflow.ReviewsCompleteEvent, cancelled);
                if (woke == Woke.Cancelled)
                {
                    return Cancelled(context);
                }

                report = await Step(context, nameof(CloseReviewWaveActivity), roundId);
            }

            if (!report.Finished)
            {
                return StartAfresh(context, roundId, report);
            }

            // Aggregation and allocation, then the committee, reminded each period it has not decided.
            report = await Step(context, nameof(ComputeResultsActivity), roundId);
            if (report.Stage > RoundStatus.Committee)
            {
                // A run started afresh after the committee had approved: nothing to wait for here.
                approved = true;
                break;
            }

            // A deadline already past (a retried step, a slow worker) must not turn into a burst of reminders.
            var period = (report.Until ?? context.CurrentUtcDateTime.AddDays(7)) - context.CurrentUtcDateTime;
            period = period < MinimumReminderPeriod ? MinimumReminderPeriod : period;
            CommitteeDecision? decision = null;
            for (var p = 1; p <= MaxWaits && decision is null; p++)
            {
                Show(context, report, "waiting for the committee's decision");
                var (woke, value) = await WaitAsync<CommitteeDecision>(context, context.CurrentUtcDateTime + period, RoundWorkflow.CommitteeDecisionEvent, cancelled);
                if (woke == Woke.Cancelled)
                {
                    return Cancelled(context);
                }

                if (woke == Woke.Signal)
                {
                    decision = value;
                }
                else
                {
                    await context.CallActivityAsync<bool>(nameof(RemindCommitteeActivity), new CommitteeReminderRequest(roundId, p), Retry);
                }
            }

            if (decision is null)
            {
                // The committee has been silent for many periods: start afresh (each step sees the round is
                // already in committee) rather than decide for it, and keep the history short.
                return StartAfresh(context, roundId, report);
            }

            if (decision.Approved)
            {
                approved = true;
                break;
            }

            report = await context.CallActivityAsync<StageReport>(nameof(ReopenReviewActivity),
                new ReopenReviewRequest(roundId, decision.Reason ?? "sent back by the committee"), Retry);
        }

        if (!approved)
        {
            // Never publish results the committee has not approved: after many send-backs, start afresh.
            return StartAfresh(context, roundId, report);
        }

        // Publicity: the period runs out; then every open objection must be ruled on before awards.
        report = await Step(context, nameof(StartPublicityActivity), roundId);
        for (var i = 0; i < MaxWaits && !report.Finished; i++)
        {
            Show(context, report, "results public; objections may be lodged and are ruled on by the bureau");
            var (woke, _) = await WaitAsync<string>(context, report.Until, RoundWorkflow.ObjectionRuledEvent, cancelled);
            if (woke == Woke.Cancelled)
            {
                return Cancelled(context);
            }

            report = await Step(context, nameof(ObjectionProgressActivity), roundId);
        }

        if (!report.Finished)
        {
            return StartAfresh(context, roundId, report);
        }

        report = await Step(context, nameof(MakeAwardsActivity), roundId);
        Show(context, report, "grants run");

        // Grants: each its own long-running workflow, started once; each signals when it ends, and the
        // round is complete when every grant has ended (checked again at least daily).
        report = await Step(context, nameof(StartGrantsActivity), roundId);
        for (var i = 0; i < MaxWaits * 10 && !report.Finished; i++)
        {
            Show(context, report, "grants run");
            // Awards are made: a cancellation can no longer be accepted, so only the signal and the timer count.
            await WaitAsync<string>(context, context.CurrentUtcDateTime.AddDays(1), RoundWorkflow.GrantEndedEvent, cancelled);
            report = await Step(context, nameof(GrantsProgressActivity), roundId);
        }

        if (!report.Finished)
        {
            return StartAfresh(context, roundId, report);
        }

        report = await Step(context, nameof(CompleteRoundActivity), roundId);
        Show(context, report, "nothing");
        return new StagesOutcome(report.Stage, report.Message);
    }

    /// <summary>
    /// Waited its fill without the step it needs: start again with a short history rather than move on.
    /// Every step looks at where the round is, so the new run passes quickly through what is done.
    /// </summary>
    private static StagesOutcome StartAfresh(TaskOrchestrationContext context, string roundId, StageReport report)
    {
        Workflows.ContinueAsNew(context, roundId);
        return new StagesOutcome(report.Stage, report.Message);
    }

    private static Task<StageReport> Step(TaskOrchestrationContext context, string activity, string roundId) =>
        context.CallActivityAsync<StageReport>(activity, roundId, Retry);

    private static void Show(TaskOrchestrationContext context, StageReport report, string waitingFor) =>
        context.SetCustomStatus(new RoundProgress(Round.Name(report.Stage), $"{report.Message}; {waitingFor}"));

    private static StagesOutcome Cancelled(TaskOrchestrationContext context)
    {
        context.SetCustomStatus(new RoundProgress("cancelled", "the round was cancelled"));
        return new StagesOutcome(RoundStatus.Cancelled, "the round was cancelled");
    }

    /// <summary>Waits until a time, a signal, or the round's cancellation, whichever comes first.</summary>
    private static async Task<(Woke Woke, T? Value)> WaitAsync<T>(TaskOrchestrationContext context, DateTimeOffset? until, string signal, Task<string> cancelled)
    {
        var (signalled, value, stopped) = await DurableSteps.WaitAsync<T>(context, until ?? context.CurrentUtcDateTime, signal, cancelled);
        return stopped ? (Woke.Cancelled, default) : signalled ? (Woke.Signal, value) : (Woke.Timer, default);
    }

}

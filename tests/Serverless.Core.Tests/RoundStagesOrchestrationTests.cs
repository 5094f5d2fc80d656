using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>
/// The stages after a round closes, on the in-memory durable host (which really replays), with every activity
/// replaced under its real name by a script. These are the paths that end without waiting long: the people act
/// (or cancel) while the workflow waits.
/// </summary>
public sealed class RoundStagesOrchestrationTests
{
    [Fact]
    public async Task An_approved_round_goes_from_screening_through_awards_to_completion_without_waiting_for_anything_already_done()
    {
        var script = new StageScript();
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-happy");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(
            [
                nameof(ScreenRoundActivity), nameof(StartReviewActivity), nameof(ComputeResultsActivity),
                nameof(StartPublicityActivity), nameof(MakeAwardsActivity), nameof(StartGrantsActivity), nameof(CompleteRoundActivity),
            ],
            script.Activities);
        Assert.All(script.Calls, call => Assert.Equal("r-happy", call.Input));
        Assert.Equal("complete", metadata.ReadCustomStatusAs<RoundProgress>()?.Stage);
    }

    [Fact]
    public async Task After_awards_each_grant_runs_as_its_own_workflow_and_the_round_completes_when_every_grant_has_ended()
    {
        var script = new StageScript { Grants = ["g-1", "g-2"] };
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-grants");
        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));

        await script.WhenCalledAsync(nameof(StartGrantsActivity));
        script.EndGrant();
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.GrantEndedEvent, "g-1");
        await script.WhenCalledAsync(nameof(GrantsProgressActivity));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var whileOneGrantRuns = script.Activities;
        script.EndGrant();
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.GrantEndedEvent, "g-2");
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.DoesNotContain(nameof(CompleteRoundActivity), whileOneGrantRuns);
        Assert.Equal([nameof(GrantsProgressActivity), nameof(CompleteRoundActivity)], script.Activities.TakeLast(2));
        Assert.Equal(["r-grants"], script.CallsOf(nameof(StartGrantsActivity)).Select(c => c.Input!.ToString()!).ToArray());
        Assert.Single(script.CallsOf(nameof(MakeAwardsActivity)));
    }

    [Fact]
    public async Task A_committee_rejection_reopens_review_with_its_reason_and_puts_new_results_to_the_committee()
    {
        var script = new StageScript()
            .Answer(nameof(ReopenReviewActivity), _ => new StageReport(RoundStatus.Review, StageScript.In(0.8), 4, 6, "review reopened"))
            .Answer(nameof(CloseReviewWaveActivity), _ => new StageReport(RoundStatus.Review, null, 6, 6, "review: 6 of 6", Finished: true));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-reject");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(false, "recheck", "chair"));
        await script.WhenCalledAsync(nameof(ComputeResultsActivity), times: 2);
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(
            [
                nameof(ScreenRoundActivity), nameof(StartReviewActivity), nameof(ComputeResultsActivity),
                nameof(ReopenReviewActivity), nameof(CloseReviewWaveActivity), nameof(ComputeResultsActivity),
                nameof(StartPublicityActivity), nameof(MakeAwardsActivity), nameof(StartGrantsActivity), nameof(CompleteRoundActivity),
            ],
            script.Activities);
        Assert.Equal(new ReopenReviewRequest("r-reject", "recheck"), script.InputsOf(nameof(ReopenReviewActivity)).Single());
    }

    [Fact]
    public async Task A_cancellation_while_the_committee_deliberates_ends_the_workflow_without_awards()
    {
        var script = new StageScript()
            .Answer(nameof(ComputeResultsActivity), _ => new StageReport(RoundStatus.Committee, StageScript.In(120), 3, 5, "committee"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-cancel");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CancelledEvent, "budget withdrawn");
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(new StagesOutcome(RoundStatus.Cancelled, "the round was cancelled"), metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(new RoundProgress("cancelled", "the round was cancelled"), metadata.ReadCustomStatusAs<RoundProgress>());
        Assert.DoesNotContain(nameof(StartPublicityActivity), script.Activities);
        Assert.DoesNotContain(nameof(MakeAwardsActivity), script.Activities);
        Assert.DoesNotContain(nameof(RemindCommitteeActivity), script.Activities);
    }

    [Fact]
    public async Task Screening_not_confirmed_by_its_deadline_moves_on_to_review_without_screening_again()
    {
        var script = new StageScript()
            .Answer(nameof(ScreenRoundActivity), _ => new StageReport(RoundStatus.Screening, StageScript.In(1), 1, 2, "screening: 1 of 2 confirmed"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-screen-deadline");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal([nameof(ScreenRoundActivity), nameof(StartReviewActivity)], script.Activities.Take(2));
        var screened = script.CallsOf(nameof(ScreenRoundActivity)).Single();
        var reviewStarted = script.CallsOf(nameof(StartReviewActivity)).Single();
        Assert.True(reviewStarted.At - screened.At >= TimeSpan.FromSeconds(0.8), $"review started {reviewStarted.At - screened.At} after screening");
    }

    [Fact]
    public async Task A_screening_complete_signal_screens_again_and_goes_on_before_the_deadline()
    {
        var script = new StageScript()
            .Answer(nameof(ScreenRoundActivity), n => n == 1
                ? new StageReport(RoundStatus.Screening, StageScript.In(120), 1, 2, "screening: 1 of 2 confirmed")
                : new StageReport(RoundStatus.Screening, StageScript.In(120), 2, 2, "screening: 2 of 2 confirmed"))
            .Answer(nameof(ComputeResultsActivity), _ => new StageReport(RoundStatus.Committee, StageScript.In(120), 3, 5, "committee"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-screen-signal");

        await script.WhenCalledAsync(nameof(ScreenRoundActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.ScreeningCompleteEvent, "all confirmed");
        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal([nameof(ScreenRoundActivity), nameof(ScreenRoundActivity), nameof(StartReviewActivity)], script.Activities.Take(3));
    }
}

/// <summary>The stages' own clocks: reminders before deadlines, the committee's periods, and publicity running out.</summary>
public sealed class RoundStagesTimerTests
{
    [Fact]
    public async Task Reviewers_are_reminded_before_the_review_deadline_and_the_wave_closes_at_it()
    {
        // The deadline counts from when review starts, not from the test's start: a loaded machine may take
        // a second or more to start the host, which would leave too short a period to remind within.
        DateTimeOffset? deadline = null;
        DateTimeOffset Until() => deadline ??= StageScript.In(4);
        var script = new StageScript()
            .Answer(nameof(StartReviewActivity), _ => new StageReport(RoundStatus.Review, Until(), 2, 6, "review: 2 of 6 scored"))
            .Answer(nameof(RemindReviewersActivity), _ => new StageReport(RoundStatus.Review, Until(), 3, 6, "review: 3 of 6 scored"))
            .Answer(nameof(CloseReviewWaveActivity), _ => new StageReport(RoundStatus.Review, null, 6, 6, "review: 6 of 6 scored", Finished: true));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-review-reminder");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(
            [
                nameof(ScreenRoundActivity), nameof(StartReviewActivity), nameof(RemindReviewersActivity),
                nameof(CloseReviewWaveActivity), nameof(ComputeResultsActivity), nameof(StartPublicityActivity), nameof(MakeAwardsActivity),
                nameof(StartGrantsActivity), nameof(CompleteRoundActivity),
            ],
            script.Activities);
        var until = Until();
        var reminded = script.CallsOf(nameof(RemindReviewersActivity)).Single();
        var closed = script.CallsOf(nameof(CloseReviewWaveActivity)).Single();
        Assert.True(reminded.At < until, $"reminded at {reminded.At:O}, deadline {until:O}");
        Assert.True(closed.At >= until - TimeSpan.FromMilliseconds(100), $"closed at {closed.At:O}, deadline {until:O}");
    }

    [Fact]
    public async Task A_silent_committee_is_reminded_after_its_period_and_its_later_decision_still_counts()
    {
        var script = new StageScript()
            .Answer(nameof(ComputeResultsActivity), _ => new StageReport(RoundStatus.Committee, StageScript.In(1.5), 3, 5, "committee"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-committee-reminder");

        await script.WhenCalledAsync(nameof(RemindCommitteeActivity));
        // Let the reminder's completion reach the workflow before the decision does.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal([new CommitteeReminderRequest("r-committee-reminder", 1)], script.InputsOf(nameof(RemindCommitteeActivity)));
        var computed = script.CallsOf(nameof(ComputeResultsActivity)).Single();
        var reminded = script.CallsOf(nameof(RemindCommitteeActivity)).Single();
        Assert.True(reminded.At - computed.At >= TimeSpan.FromSeconds(1.3), $"reminded {reminded.At - computed.At} after the results");
        Assert.Single(script.CallsOf(nameof(MakeAwardsActivity)));
    }

    [Fact]
    public async Task A_decision_made_while_the_committee_reminder_goes_out_is_not_lost()
    {
        using var reminding = new SemaphoreSlim(0);
        using var decided = new SemaphoreSlim(0);
        var script = new StageScript
        {
            WhileReminding = async request =>
            {
                if (request.Period == 1)
                {
                    reminding.Release();
                    await decided.WaitAsync(TimeSpan.FromSeconds(20));
                }
            },
        }.Answer(nameof(ComputeResultsActivity), _ => new StageReport(RoundStatus.Committee, StageScript.In(1), 3, 5, "committee"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-decided-while-reminding");

        Assert.True(await reminding.WaitAsync(TimeSpan.FromSeconds(20)), "the committee was never reminded");
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        // The decision reaches the workflow's history while the reminder is still running.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        decided.Release();
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal([new CommitteeReminderRequest("r-decided-while-reminding", 1)], script.InputsOf(nameof(RemindCommitteeActivity)));
    }

    [Fact]
    public async Task Each_further_committee_period_without_a_decision_sends_the_next_numbered_reminder()
    {
        var script = new StageScript()
            .Answer(nameof(ComputeResultsActivity), _ => new StageReport(RoundStatus.Committee, StageScript.In(0.8), 3, 5, "committee"));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-committee-periods");

        await script.WhenCalledAsync(nameof(RemindCommitteeActivity), times: 2);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        var periods = script.InputsOf(nameof(RemindCommitteeActivity)).Cast<CommitteeReminderRequest>().Select(r => r.Period).ToList();
        Assert.True(periods.Count is 2 or 3, $"{periods.Count} reminders");
        Assert.Equal(Enumerable.Range(1, periods.Count), periods);
    }

    [Fact]
    public async Task Awards_wait_for_the_objection_progress_that_reports_publicity_finished()
    {
        var script = new StageScript()
            .Answer(nameof(StartPublicityActivity), _ => new StageReport(RoundStatus.Publicity, StageScript.In(1), 0, 0, "publicity"))
            .Answer(nameof(ObjectionProgressActivity), n => n == 1
                ? new StageReport(RoundStatus.Publicity, StageScript.In(1), 0, 1, "publicity over: 1 open objections await the bureau's ruling")
                : new StageReport(RoundStatus.Publicity, null, 1, 1, "publicity over: 1 objections, all ruled", Finished: true));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-publicity");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(
            [nameof(StartPublicityActivity), nameof(ObjectionProgressActivity), nameof(ObjectionProgressActivity), nameof(MakeAwardsActivity)],
            script.Activities.SkipWhile(a => a != nameof(StartPublicityActivity)).Take(4));
        var started = script.CallsOf(nameof(StartPublicityActivity)).Single();
        var awarded = script.CallsOf(nameof(MakeAwardsActivity)).Single();
        Assert.True(awarded.At - started.At >= TimeSpan.FromSeconds(1.8), $"awarded {awarded.At - started.At} after publicity began");
    }

    [Fact]
    public async Task An_objection_ruling_wakes_publicity_early_to_check_its_progress()
    {
        var script = new StageScript()
            .Answer(nameof(StartPublicityActivity), _ => new StageReport(RoundStatus.Publicity, StageScript.In(120), 0, 0, "publicity"))
            .Answer(nameof(ObjectionProgressActivity), _ => new StageReport(RoundStatus.Publicity, null, 1, 1, "all ruled", Finished: true));
        await using var host = await StagesHost.StartAsync(script);
        var instanceId = await StagesHost.StartStagesAsync(host, "r-ruling");

        await script.WhenCalledAsync(nameof(ComputeResultsActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CommitteeDecisionEvent, new CommitteeDecision(true, null, "chair"));
        await script.WhenCalledAsync(nameof(StartPublicityActivity));
        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.ObjectionRuledEvent, "objection-1");
        var metadata = await StagesHost.WaitAsync(host, instanceId);

        Assert.Equal(StageScript.Completed, metadata.ReadOutputAs<StagesOutcome>());
        Assert.Equal(
            [nameof(StartPublicityActivity), nameof(ObjectionProgressActivity), nameof(MakeAwardsActivity)],
            script.Activities.SkipWhile(a => a != nameof(StartPublicityActivity)).Take(3));
    }
}

/// <summary>Starts the in-memory host with the real stages workflow and the script standing in for every activity.</summary>
internal static class StagesHost
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly string[] RoundIdActivities =
    [
        nameof(ScreenRoundActivity), nameof(StartReviewActivity), nameof(RemindReviewersActivity), nameof(CloseReviewWaveActivity),
        nameof(ComputeResultsActivity), nameof(StartPublicityActivity), nameof(ObjectionProgressActivity), nameof(MakeAwardsActivity),
        nameof(CompleteRoundActivity),
    ];

    public static Task<DurableTaskTestHost> StartAsync(StageScript script) =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<RoundStagesOrchestration>();
            foreach (var name in RoundIdActivities)
            {
                registry.AddActivityFunc<string, StageReport>(name, (_, roundId) => script.Report(name, roundId));
            }

            registry.AddActivityFunc<ReopenReviewRequest, StageReport>(nameof(ReopenReviewActivity),
                (_, request) => script.Report(nameof(ReopenReviewActivity), request));
            registry.AddActivityFunc<CommitteeReminderRequest, bool>(nameof(RemindCommitteeActivity), (_, request) => script.RemindAsync(request));
            // Grants stand in as a count the test moves: started on awards, ended when the test says so.
            registry.AddActivityFunc<string, StageReport>(nameof(StartGrantsActivity), (_, roundId) => script.GrantsReport(nameof(StartGrantsActivity), roundId));
            registry.AddActivityFunc<string, StageReport>(nameof(GrantsProgressActivity), (_, roundId) => script.GrantsReport(nameof(GrantsProgressActivity), roundId));
        });

    public static async Task<string> StartStagesAsync(DurableTaskTestHost host, string roundId) =>
        await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RoundStagesOrchestration), roundId,
            new StartOrchestrationOptions(RoundWorkflow.StagesInstanceId(roundId)));

    public static async Task<OrchestrationMetadata> WaitAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instanceId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorType}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata;
    }
}

/// <summary>One activity call as the script saw it: which activity, with what input, when.</summary>
internal sealed record StageCall(string Activity, object Input, DateTimeOffset At);

/// <summary>
/// Stands in for the stage activities: records every call (activities run once per scheduled call, however often
/// the workflow replays) and answers each activity's n-th call as scripted. Unscripted, a round goes straight
/// through: screening confirmed, review finished, results that await the committee for two minutes, publicity
/// over, awards made, no grants to run, the round complete.
/// </summary>
internal sealed class StageScript
{
    public const string AwardMessage = "awarded: 3 projects, 240000 CNY";
    public const string CompleteMessage = "complete: every grant has ended";

    private readonly Lock gate = new();
    private readonly List<StageCall> calls = [];
    private readonly Dictionary<string, Func<int, StageReport>> answers = new(StringComparer.Ordinal)
    {
        [nameof(ScreenRoundActivity)] = _ => new StageReport(RoundStatus.Screening, In(120), 5, 5, "screening: 5 of 5 confirmed by a reviewer"),
        [nameof(StartReviewActivity)] = _ => new StageReport(RoundStatus.Review, In(120), 15, 15, "review: 15 of 15 reviews scored", Finished: true),
        [nameof(RemindReviewersActivity)] = _ => new StageReport(RoundStatus.Review, In(120), 0, 15, "review: reminded"),
        [nameof(CloseReviewWaveActivity)] = _ => new StageReport(RoundStatus.Review, null, 15, 15, "review: closed", Finished: true),
        [nameof(ComputeResultsActivity)] = _ => new StageReport(RoundStatus.Committee, In(120), 3, 5, "committee: results for 5 applications, 3 funded, await approval"),
        [nameof(ReopenReviewActivity)] = _ => new StageReport(RoundStatus.Review, null, 15, 15, "review reopened", Finished: true),
        [nameof(StartPublicityActivity)] = _ => new StageReport(RoundStatus.Publicity, null, 0, 0, "publicity over", Finished: true),
        [nameof(ObjectionProgressActivity)] = _ => new StageReport(RoundStatus.Publicity, null, 0, 0, "publicity over: 0 objections, all ruled", Finished: true),
        [nameof(MakeAwardsActivity)] = _ => new StageReport(RoundStatus.Awarded, null, 3, 3, AwardMessage),
        [nameof(CompleteRoundActivity)] = _ => new StageReport(RoundStatus.Complete, null, 0, 0, CompleteMessage, Finished: true),
    };

    /// <summary>What the workflow ends with when the round runs to the end.</summary>
    public static StagesOutcome Completed { get; } = new(RoundStatus.Complete, CompleteMessage);

    /// <summary>The grants the awards create; none unless a test says so.</summary>
    public List<string> Grants { get; init; } = [];

    /// <summary>Grant workflows started, by instance id, with the grant each was started for.</summary>

    /// <summary>An instant that many seconds from now, as a stage's deadline.</summary>
    public static DateTimeOffset In(double seconds) => DateTimeOffset.UtcNow.AddSeconds(seconds);

    public IReadOnlyList<StageCall> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public IReadOnlyList<string> Activities => [.. Calls.Select(c => c.Activity)];

    public IReadOnlyList<StageCall> CallsOf(string activity) => [.. Calls.Where(c => c.Activity == activity)];

    public IReadOnlyList<object> InputsOf(string activity) => [.. CallsOf(activity).Select(c => c.Input)];

    /// <summary>Answers the activity's n-th call (from 1) with <paramref name="report"/>.</summary>
    public StageScript Answer(string activity, Func<int, StageReport> report)
    {
        answers[activity] = report;
        return this;
    }

    public StageReport Report(string activity, object input) => answers[activity](Record(activity, input));

    /// <summary>What the committee reminder does while it runs, after it is recorded: nothing unless a test says so.</summary>
    public Func<CommitteeReminderRequest, Task>? WhileReminding { get; init; }

    public async Task<bool> RemindAsync(CommitteeReminderRequest request)
    {
        Record(nameof(RemindCommitteeActivity), request);
        if (WhileReminding is { } whileReminding)
        {
            await whileReminding(request);
        }

        return true;
    }

    private int grantsEnded;

    /// <summary>One more of the round's grants has ended.</summary>
    public void EndGrant() => Interlocked.Increment(ref grantsEnded);

    public StageReport GrantsReport(string activity, string roundId)
    {
        Record(activity, roundId);
        var ended = Volatile.Read(ref grantsEnded);
        return new StageReport(RoundStatus.Awarded, null, ended, Grants.Count, $"grants: {ended} of {Grants.Count} ended", Finished: ended >= Grants.Count);
    }

    /// <summary>Waits until the activity has been called <paramref name="times"/> times.</summary>
    public async Task WhenCalledAsync(string activity, int times = 1)
    {
        var giveUp = DateTimeOffset.UtcNow.AddSeconds(20);
        while (CallsOf(activity).Count < times)
        {
            if (DateTimeOffset.UtcNow > giveUp)
            {
                throw new TimeoutException($"{activity} was called {CallsOf(activity).Count} times, not {times}: {string.Join(", ", Activities)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private int Record(string activity, object input)
    {
        lock (gate)
        {
            calls.Add(new StageCall(activity, input, DateTimeOffset.UtcNow));
            return calls.Count(c => c.Activity == activity);
        }
    }
}

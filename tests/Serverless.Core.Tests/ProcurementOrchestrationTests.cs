using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Procurement;

namespace Serverless.Core.Tests;

/// <summary>
/// A contract's workflow on the in-memory durable host (which really replays), with its activities replaced under
/// their real names by a scripted contract the test changes: signatures, milestone reports, acceptances, the
/// performance evaluation. Each change is followed by the update signal, as the endpoints send it.
/// </summary>
public sealed class ProcurementOrchestrationTests
{
    [Fact]
    public async Task A_contract_unsigned_by_its_deadline_lapses_once_and_the_workflow_ends_lapsed()
    {
        var world = new ContractWorld("c-lapse", milestones: 1);
        await using var host = await ProcurementHost.StartAsync(world);
        world.SignWithin(TimeSpan.FromSeconds(1));
        var instanceId = await ProcurementHost.StartContractAsync(host, world);

        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        var output = metadata.ReadOutputAs<ContractState>()!;
        Assert.Equal(ContractStatus.Lapsed, output.Status);
        var lapses = world.CallsOf(nameof(LapseContractActivity));
        Assert.Equal(["c-lapse"], lapses.Select(c => c.Input));
        Assert.True(lapses[0].At >= world.SignBy - TimeSpan.FromMilliseconds(100), $"lapsed at {lapses[0].At:O}, sign by {world.SignBy:O}");
        Assert.Empty(world.CallsOf(nameof(PayMilestoneActivity)));
        Assert.Empty(world.CallsOf(nameof(RemindContractActivity)));
        Assert.Empty(world.CallsOf(nameof(CompleteContractActivity)));
    }

    [Fact]
    public async Task A_contract_signed_before_its_deadline_never_lapses_even_once_the_deadline_has_passed()
    {
        var world = new ContractWorld("c-signed", milestones: 1);
        await using var host = await ProcurementHost.StartAsync(world);
        world.SignWithin(TimeSpan.FromSeconds(1.5));
        var instanceId = await ProcurementHost.StartContractAsync(host, world);

        await world.WhenCalledAsync(nameof(ContractStateActivity));
        world.Sign();
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "signed");
        await world.WhenCalledAsync(nameof(ContractStateActivity), times: 2);
        var pastTheDeadline = world.SignBy + TimeSpan.FromMilliseconds(600) - DateTimeOffset.UtcNow;
        if (pastTheDeadline > TimeSpan.Zero)
        {
            await Task.Delay(pastTheDeadline);
        }

        var lapsesPastTheDeadline = world.CallsOf(nameof(LapseContractActivity)).Count;
        var running = await host.Client.GetInstanceAsync(instanceId);
        world.Report(0);
        world.Accept(0);
        world.Evaluate();
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "accepted and evaluated");
        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        Assert.Equal(0, lapsesPastTheDeadline);
        Assert.Equal(OrchestrationRuntimeStatus.Running, running?.RuntimeStatus);
        Assert.Empty(world.CallsOf(nameof(LapseContractActivity)));
        Assert.Equal(ContractStatus.Completed, metadata.ReadOutputAs<ContractState>()!.Status);
        Assert.Equal([0], world.Payments);
    }

    [Fact]
    public async Task Each_accepted_milestone_is_paid_once_nothing_before_its_acceptance_and_the_contract_completes_only_once_evaluated()
    {
        var world = new ContractWorld("c-pay", milestones: 3);
        world.Sign();
        await using var host = await ProcurementHost.StartAsync(world);
        var instanceId = await ProcurementHost.StartContractAsync(host, world);

        await world.WhenCalledAsync(nameof(ContractStateActivity));
        world.Report(0);
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "milestone 0 reported");
        await world.WhenCalledAsync(nameof(ContractStateActivity), times: 2);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var paidBeforeAcceptance = world.Payments;

        world.Accept(0);
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "milestone 0 accepted");
        await world.WhenCalledAsync(nameof(PayMilestoneActivity));
        for (var hint = 0; hint < 3; hint++)
        {
            // Signals are hints: each one brings a fresh read of a state that has not changed.
            var reads = world.CallsOf(nameof(ContractStateActivity)).Count;
            await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "nothing new");
            await world.WhenCalledAsync(nameof(ContractStateActivity), times: reads + 1);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var paidAfterRepeatedReads = world.Payments;

        world.Report(1);
        world.Accept(1);
        world.Report(2);
        world.Accept(2);
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "milestones 1 and 2 accepted");
        await world.WhenCalledAsync(nameof(PayMilestoneActivity), times: 3);
        var readsAwaitingEvaluation = world.CallsOf(nameof(ContractStateActivity)).Count;
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "nothing new");
        await world.WhenCalledAsync(nameof(ContractStateActivity), times: readsAwaitingEvaluation + 1);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var completedBeforeEvaluation = world.CallsOf(nameof(CompleteContractActivity)).Count;
        var running = await host.Client.GetInstanceAsync(instanceId);

        var evaluatedAt = world.Evaluate();
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "evaluated");
        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        Assert.Empty(paidBeforeAcceptance);
        Assert.Equal([0], paidAfterRepeatedReads);
        Assert.Equal([0, 1, 2], world.Payments);
        foreach (var payment in world.CallsOf(nameof(PayMilestoneActivity)))
        {
            var index = ((MilestonePaymentRequest)payment.Input).Milestone;
            Assert.Equal("c-pay", ((MilestonePaymentRequest)payment.Input).ContractId);
            Assert.True(payment.At >= world.AcceptedAt(index), $"milestone {index} paid at {payment.At:O}, accepted at {world.AcceptedAt(index):O}");
        }

        Assert.True(world.CallsOf(nameof(ContractStateActivity)).Count >= 8, "the state was read on every signal");
        Assert.Equal(0, completedBeforeEvaluation);
        Assert.Equal(OrchestrationRuntimeStatus.Running, running?.RuntimeStatus);
        var completions = world.CallsOf(nameof(CompleteContractActivity));
        Assert.Equal(["c-pay"], completions.Select(c => c.Input));
        Assert.True(completions[0].At >= evaluatedAt, $"completed at {completions[0].At:O}, evaluated at {evaluatedAt:O}");
        Assert.Equal(ContractStatus.Completed, metadata.ReadOutputAs<ContractState>()!.Status);
        Assert.Empty(world.CallsOf(nameof(RemindContractActivity)));
        Assert.Empty(world.CallsOf(nameof(LapseContractActivity)));
    }
}

/// <summary>A milestone report's clocks: the reminder when it falls due, the escalation a grace period later.</summary>
public sealed class ProcurementOrchestrationDeadlineTests
{
    [Fact]
    public async Task An_overdue_milestone_report_brings_a_reminder_at_its_due_time_then_an_escalation_a_grace_period_later()
    {
        var world = new ContractWorld("c-late", milestones: 2) { Grace = TimeSpan.FromSeconds(1.2) };
        world.Sign();
        world.Report(0);
        world.Accept(0);
        world.FallsDueWithin(1, TimeSpan.FromSeconds(1));
        await using var host = await ProcurementHost.StartAsync(world);
        var instanceId = await ProcurementHost.StartContractAsync(host, world);

        await world.WhenRemindedAsync(times: 2);
        world.Report(1);
        world.Accept(1);
        world.Evaluate();
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "reported, accepted, evaluated");
        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        var due = world.DueAt(1)!.Value;
        Assert.Equal(ContractStatus.Completed, metadata.ReadOutputAs<ContractState>()!.Status);
        Assert.Equal([0, 1], world.Payments);
        var calls = world.CallsOf(nameof(RemindContractActivity));
        Assert.Equal(new MilestoneReminder("c-late", 1, "reminder", 0), calls[0].Input);
        Assert.All(calls, c => Assert.Equal(1, ((MilestoneReminder)c.Input).Milestone));
        var recorded = calls.Where(c => c.Result is true).ToList();
        Assert.Equal(new MilestoneReminder("c-late", 1, "reminder", 0), recorded[0].Input);
        Assert.Equal(new MilestoneReminder("c-late", 1, "escalation", 1), recorded[1].Input);
        Assert.All(recorded.Skip(2), c => Assert.Equal(("escalation", 1), (((MilestoneReminder)c.Input).Kind, ((MilestoneReminder)c.Input).Milestone)));
        Assert.True(recorded[0].At >= due - TimeSpan.FromMilliseconds(100), $"reminded at {recorded[0].At:O}, due {due:O}");
        Assert.True(recorded[0].At < due + world.Grace, $"reminded at {recorded[0].At:O}, not at its due time {due:O}");
        Assert.True(recorded[1].At >= due + world.Grace - TimeSpan.FromMilliseconds(100), $"escalated at {recorded[1].At:O}, due {due:O}");
    }

    [Fact]
    public async Task A_reminder_that_was_not_really_due_is_neither_counted_nor_retried_in_a_spin()
    {
        var world = new ContractWorld("c-early", milestones: 1) { Grace = TimeSpan.FromSeconds(1) };
        world.Sign();
        world.RemindAnswer = false;
        world.FallsDueWithin(0, TimeSpan.FromSeconds(0.5));
        await using var host = await ProcurementHost.StartAsync(world);
        var instanceId = await ProcurementHost.StartContractAsync(host, world);

        await world.WhenCalledAsync(nameof(RemindContractActivity), times: 3);
        var declined = world.CallsOf(nameof(RemindContractActivity));
        world.RemindAnswer = null;
        var flippedAt = DateTimeOffset.UtcNow;
        await world.WhenRemindedAsync(times: 2);
        world.Report(0);
        world.Accept(0);
        world.Evaluate();
        await host.Client.RaiseEventAsync(instanceId, ContractOrchestration.UpdatedEvent, "reported, accepted, evaluated");
        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        Assert.All(declined, c => Assert.Equal(new MilestoneReminder("c-early", 0, "reminder", 0), c.Input));
        var window = declined.Where(c => c.At < declined[0].At + TimeSpan.FromSeconds(2)).Count();
        Assert.True(window <= 3, $"{window} reminders within 2 s of the first declined one: {string.Join(", ", declined.Select(c => c.At.ToString("O")))}");
        foreach (var (before, after) in declined.Zip(declined.Skip(1)))
        {
            Assert.True(after.At - before.At >= TimeSpan.FromMilliseconds(800), $"looked again after {(after.At - before.At).TotalMilliseconds} ms");
        }

        var recorded = world.CallsOf(nameof(RemindContractActivity)).Where(c => c.Result is true).ToList();
        Assert.True(recorded[0].At >= flippedAt);
        Assert.Equal(new MilestoneReminder("c-early", 0, "reminder", 0), recorded[0].Input);
        Assert.Equal(new MilestoneReminder("c-early", 0, "escalation", 1), recorded[1].Input);
        Assert.Equal(ContractStatus.Completed, metadata.ReadOutputAs<ContractState>()!.Status);
        Assert.Equal([0], world.Payments);
    }
}

/// <summary>A lot's award workflow: the standstill, an open challenge, the signed contract.</summary>
public sealed class ProcurementOrchestrationAwardTests
{
    [Fact]
    public async Task An_award_waits_out_the_standstill_then_for_the_ruling_on_an_open_challenge_and_completes_once_contracted()
    {
        var world = new AwardWorld { StandstillFor = TimeSpan.FromSeconds(1.5) };
        await using var host = await ProcurementHost.StartAsync(world);
        var key = new AwardKey("tnd-1", "A");
        var instanceId = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AwardOrchestration), key,
            new StartOrchestrationOptions(LotAward.InstanceId(key.TenderId, key.LotId)));

        await world.WhenCalledAsync(times: 1);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var callsDuringStandstill = world.Calls.Count;
        var runningDuringStandstill = await host.Client.GetInstanceAsync(instanceId);
        world.LodgeChallenge();

        await world.WhenCalledAsync(times: 2);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var callsWhileChallenged = world.Calls.Count;
        var runningWhileChallenged = await host.Client.GetInstanceAsync(instanceId);
        await host.Client.RaiseEventAsync(instanceId, AwardOrchestration.UpdatedEvent, "a hearing was scheduled");
        await world.WhenCalledAsync(times: 3);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var callsAfterAHint = world.Calls.Count;
        var runningAfterAHint = await host.Client.GetInstanceAsync(instanceId);

        world.DismissChallengesAndSign();
        await host.Client.RaiseEventAsync(instanceId, AwardOrchestration.UpdatedEvent, "signed");
        var metadata = await ProcurementHost.WaitAsync(host, instanceId);

        var calls = world.Calls;
        var standstillEnds = world.StandstillEndsAt!.Value;
        Assert.Equal(new AwardStep(AwardStatus.Standstill, standstillEnds, 0, "standstill"), calls[0].Result);
        Assert.Equal(1, callsDuringStandstill);
        Assert.Equal(OrchestrationRuntimeStatus.Running, runningDuringStandstill?.RuntimeStatus);
        Assert.Equal(new AwardStep(AwardStatus.Standstill, null, 1, "challenge open"), calls[1].Result);
        Assert.True(calls[1].At >= standstillEnds - TimeSpan.FromMilliseconds(100), $"advanced at {calls[1].At:O}, standstill ends {standstillEnds:O}");
        Assert.Equal(2, callsWhileChallenged);
        Assert.Equal(OrchestrationRuntimeStatus.Running, runningWhileChallenged?.RuntimeStatus);
        Assert.Equal(3, callsAfterAHint);
        Assert.Equal(OrchestrationRuntimeStatus.Running, runningAfterAHint?.RuntimeStatus);
        var contracted = new AwardStep(AwardStatus.Contracted, null, 0, "contract signed");
        Assert.Equal(contracted, metadata.ReadOutputAs<AwardStep>());
        Assert.Equal([contracted], calls.Skip(3).Select(c => c.Result));
        Assert.All(calls, c => Assert.Equal(key, c.Input));
    }
}

/// <summary>Starts the in-memory host with the real procurement workflows and scripted worlds standing in for their activities.</summary>
internal static class ProcurementHost
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Task<DurableTaskTestHost> StartAsync(ContractWorld world) =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<ContractOrchestration>();
            registry.AddActivityFunc<string, ContractState>(nameof(ContractStateActivity), (_, id) => world.Read(id));
            registry.AddActivityFunc<string, ContractState>(nameof(LapseContractActivity), (_, id) => world.Lapse(id));
            registry.AddActivityFunc<MilestonePaymentRequest, ContractState>(nameof(PayMilestoneActivity), (_, request) => world.Pay(request));
            registry.AddActivityFunc<MilestoneReminder, bool>(nameof(RemindContractActivity), (_, reminder) => world.Remind(reminder));
            registry.AddActivityFunc<string, ContractState>(nameof(CompleteContractActivity), (_, id) => world.Complete(id));
        });

    public static Task<DurableTaskTestHost> StartAsync(AwardWorld world) =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<AwardOrchestration>();
            registry.AddActivityFunc<AwardKey, AwardStep>(nameof(AdvanceAwardActivity), (_, key) => world.Advance(key));
        });

    public static async Task<string> StartContractAsync(DurableTaskTestHost host, ContractWorld world) =>
        await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ContractOrchestration), world.ContractId,
            new StartOrchestrationOptions(ContractOrchestration.InstanceId(world.ContractId)));

    public static async Task<OrchestrationMetadata> WaitAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instanceId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorType}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata;
    }

    /// <summary>Polls until <paramref name="done"/> holds, or gives up after 20 s saying what it saw.</summary>
    public static async Task PollAsync(Func<bool> done, Func<string> seen)
    {
        var giveUp = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!done())
        {
            if (DateTimeOffset.UtcNow > giveUp)
            {
                throw new TimeoutException(seen());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}

/// <summary>One activity call as the scripted world saw it: which activity, with what input, when, and what it answered.</summary>
internal sealed record ProcurementCall(string Activity, object Input, DateTimeOffset At, object? Result = null);

/// <summary>
/// One contract as the tables would hold it, changed by the test (signatures, reports, acceptances, the evaluation)
/// and by the workflow's steps (a milestone paid, the contract lapsed or completed). Records every activity call:
/// activities run once per scheduled call, however often the workflow replays.
/// </summary>
internal sealed class ContractWorld
{
    private readonly Lock gate = new();
    private readonly List<ProcurementCall> calls = [];
    private readonly List<Row> milestones;
    private ContractStatus status = ContractStatus.AwaitingSignature;
    private bool evaluated;
    private bool? remindAnswer;
    private readonly Dictionary<int, TimeSpan> dueWithin = [];
    private DateTimeOffset signBy = In(120);
    private TimeSpan? signWithin;

    /// <summary>A contract awaiting signatures; unless a test says otherwise every deadline is two minutes off.</summary>
    public ContractWorld(string contractId, int milestones)
    {
        ContractId = contractId;
        this.milestones = [.. Enumerable.Range(0, milestones).Select(i => new Row(i, null, false, false, null, false))];
    }

    public string ContractId { get; }

    public DateTimeOffset SignBy
    {
        get
        {
            lock (gate)
            {
                return signBy;
            }
        }

        set
        {
            lock (gate)
            {
                signBy = value;
            }
        }
    }

    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>What RemindContractActivity answers: null to judge as the real one does (due, and no report yet).</summary>
    public bool? RemindAnswer
    {
        get
        {
            lock (gate)
            {
                return remindAnswer;
            }
        }

        set
        {
            lock (gate)
            {
                remindAnswer = value;
            }
        }
    }

    public static DateTimeOffset In(double seconds) => DateTimeOffset.UtcNow.AddSeconds(seconds);

    public IReadOnlyList<ProcurementCall> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public IReadOnlyList<ProcurementCall> CallsOf(string activity) => [.. Calls.Where(c => c.Activity == activity)];

    /// <summary>The milestones paid, in the order the workflow asked for them.</summary>
    public IReadOnlyList<int> Payments => [.. CallsOf(nameof(PayMilestoneActivity)).Select(c => ((MilestonePaymentRequest)c.Input).Milestone)];

    /// <summary>The supplier and the bureau have both signed: each milestone falls due two minutes on.</summary>
    public void Sign()
    {
        lock (gate)
        {
            status = ContractStatus.Active;
            for (var i = 0; i < milestones.Count; i++)
            {
                milestones[i] = milestones[i] with { DueAt = milestones[i].DueAt ?? In(120) };
            }
        }
    }

    /// <summary>
    /// The signing deadline, that long after the workflow first reads the contract: counted from then, not from
    /// the test's start, so that a slow start of the host on a loaded machine does not eat into it.
    /// </summary>
    public void SignWithin(TimeSpan after)
    {
        lock (gate)
        {
            signWithin = after;
        }
    }

    /// <summary>The milestone falls due that long after the workflow first reads the contract.</summary>
    public void FallsDueWithin(int index, TimeSpan after)
    {
        lock (gate)
        {
            dueWithin[index] = after;
        }
    }

    public DateTimeOffset? DueAt(int index)
    {
        lock (gate)
        {
            return milestones[index].DueAt;
        }
    }

    public void Report(int index) => Change(index, m => m with { Reported = true, AwaitingDecision = true });

    public void Accept(int index) => Change(index, m => m with { AwaitingDecision = false, AcceptedAt = DateTimeOffset.UtcNow });

    public DateTimeOffset? AcceptedAt(int index)
    {
        lock (gate)
        {
            return milestones[index].AcceptedAt;
        }
    }

    /// <summary>Records the bureau's performance evaluation; returns when.</summary>
    public DateTimeOffset Evaluate()
    {
        lock (gate)
        {
            evaluated = true;
            return DateTimeOffset.UtcNow;
        }
    }

    public ContractState Read(string contractId)
    {
        lock (gate)
        {
            if (!calls.Exists(c => c.Activity == nameof(ContractStateActivity)))
            {
                var now = DateTimeOffset.UtcNow;
                signBy = signWithin is { } sign ? now + sign : signBy;
                foreach (var (index, after) in dueWithin)
                {
                    milestones[index] = milestones[index] with { DueAt = now + after };
                }
            }

            Record(nameof(ContractStateActivity), contractId);
            return Snapshot();
        }
    }

    /// <summary>The workflow asks only once it holds the deadline passed; the tests check when it asked.</summary>
    public ContractState Lapse(string contractId)
    {
        lock (gate)
        {
            Record(nameof(LapseContractActivity), contractId);
            if (status == ContractStatus.AwaitingSignature)
            {
                status = ContractStatus.Lapsed;
            }

            return Snapshot();
        }
    }

    public ContractState Pay(MilestonePaymentRequest request)
    {
        lock (gate)
        {
            Record(nameof(PayMilestoneActivity), request);
            milestones[request.Milestone] = milestones[request.Milestone] with { Paid = true };
            return Snapshot();
        }
    }

    public bool Remind(MilestoneReminder reminder)
    {
        lock (gate)
        {
            var answer = remindAnswer ?? ReallyDue(reminder);
            Record(nameof(RemindContractActivity), reminder, answer);
            return answer;
        }
    }

    public ContractState Complete(string contractId)
    {
        lock (gate)
        {
            Record(nameof(CompleteContractActivity), contractId);
            if (status == ContractStatus.Active)
            {
                status = ContractStatus.Completed;
            }

            return Snapshot();
        }
    }

    public Task WhenCalledAsync(string activity, int times = 1) =>
        ProcurementHost.PollAsync(() => CallsOf(activity).Count >= times,
            () => $"{activity} was called {CallsOf(activity).Count} times, not {times}: {string.Join(", ", Calls.Select(c => c.Activity))}");

    /// <summary>Waits until that many reminders were recorded (RemindContractActivity answered true).</summary>
    public Task WhenRemindedAsync(int times) =>
        ProcurementHost.PollAsync(() => CallsOf(nameof(RemindContractActivity)).Count(c => c.Result is true) >= times,
            () => $"reminders: {string.Join(", ", CallsOf(nameof(RemindContractActivity)).Select(c => $"{c.Input} -> {c.Result}"))}");

    private bool ReallyDue(MilestoneReminder reminder)
    {
        if (reminder.Kind == "evaluation")
        {
            return true;
        }

        var milestone = milestones[reminder.Milestone];
        var dueAt = milestone.DueAt + (reminder.Kind == "escalation" ? Grace : TimeSpan.Zero);
        return !milestone.Reported && dueAt is { } at && DateTimeOffset.UtcNow >= at;
    }

    private void Change(int index, Func<Row, Row> change)
    {
        lock (gate)
        {
            milestones[index] = change(milestones[index]);
        }
    }

    private void Record(string activity, object input, object? result = null) => calls.Add(new ProcurementCall(activity, input, DateTimeOffset.UtcNow, result));

    private ContractState Snapshot()
    {
        var next = milestones.FirstOrDefault(m => m.AcceptedAt is null);
        return new ContractState(ContractId, status, signBy, next?.Index, next?.DueAt, next?.AwaitingDecision == true, next?.Reported == true,
            [.. milestones.Where(m => m.AcceptedAt is not null && !m.Paid).Select(m => m.Index)], Grace, evaluated);
    }

    private sealed record Row(int Index, DateTimeOffset? DueAt, bool Reported, bool AwaitingDecision, DateTimeOffset? AcceptedAt, bool Paid);
}

/// <summary>
/// A lot's award as AdvanceAwardActivity would see it, stepping as the real one does: the standstill until its end,
/// then the ruling on any open challenge, then the contract. The test lodges and rules challenges, and signs.
/// </summary>
internal sealed class AwardWorld
{
    private readonly Lock gate = new();
    private readonly List<ProcurementCall> calls = [];
    private DateTimeOffset? standstillEndsAt;
    private int openChallenges;
    private bool contracted;

    /// <summary>The standstill, counted from the workflow's first step (so that a slow start does not eat into it).</summary>
    public TimeSpan StandstillFor { get; init; } = TimeSpan.FromMinutes(2);

    public DateTimeOffset? StandstillEndsAt
    {
        get
        {
            lock (gate)
            {
                return standstillEndsAt;
            }
        }
    }

    public IReadOnlyList<ProcurementCall> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public void LodgeChallenge()
    {
        lock (gate)
        {
            openChallenges++;
        }
    }

    public void DismissChallengesAndSign()
    {
        lock (gate)
        {
            openChallenges = 0;
            contracted = true;
        }
    }

    public AwardStep Advance(AwardKey key)
    {
        lock (gate)
        {
            var ends = standstillEndsAt ??= DateTimeOffset.UtcNow + StandstillFor;
            var step = contracted ? new AwardStep(AwardStatus.Contracted, null, 0, "contract signed")
                : DateTimeOffset.UtcNow < ends ? new AwardStep(AwardStatus.Standstill, ends, openChallenges, "standstill")
                : openChallenges > 0 ? new AwardStep(AwardStatus.Standstill, null, openChallenges, "challenge open")
                : new AwardStep(AwardStatus.Contracting, null, 0, "contract awaits signatures");
            calls.Add(new ProcurementCall(nameof(AdvanceAwardActivity), key, DateTimeOffset.UtcNow, step));
            return step;
        }
    }

    public Task WhenCalledAsync(int times) =>
        ProcurementHost.PollAsync(() => Calls.Count >= times, () => $"{nameof(AdvanceAwardActivity)} was called {Calls.Count} times, not {times}");
}

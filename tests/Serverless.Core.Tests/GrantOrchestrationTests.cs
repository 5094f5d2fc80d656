using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>
/// One grant's workflow on the in-memory durable host (which really replays), with its activities replaced under
/// their real names by a scripted grant the test changes: signatures, approved reports, the final evaluation. These
/// are the paths the people move on: every deadline is far off, and each change is followed by the update signal.
/// </summary>
public sealed class GrantOrchestrationTests
{
    [Fact]
    public async Task A_two_tranche_grant_pays_nothing_before_signing_then_its_first_tranche_and_its_last_once_the_evaluation_passes()
    {
        var world = new GrantWorld("g-pass", tranches: 2);
        await using var host = await GrantHost.StartAsync(world);
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(GrantStateActivity));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var paidBeforeSigning = world.Payments;
        world.Sign();
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "signed");
        await world.WhenCalledAsync(nameof(PayTrancheActivity));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var paidBeforeTheReport = world.Payments;
        world.Approve(1);
        world.Evaluate(new GrantEvaluation(true, "every milestone met", 0, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "evaluated");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        Assert.Empty(paidBeforeSigning);
        Assert.Equal([0], paidBeforeTheReport);
        Assert.Equal([0, 1], world.Payments);
        Assert.Equal(new GrantOutcome("g-pass", GrantStatus.Completed), metadata.ReadOutputAs<GrantOutcome>());
        Assert.Equal(["g-pass"], world.InputsOf(nameof(CompleteGrantActivity)));
        Assert.Empty(world.CallsOf(nameof(FailGrantActivity)));
        Assert.Empty(world.Reminders);
        Assert.Equal(GrantStatus.Completed, world.Status);
    }

    [Fact]
    public async Task In_a_three_tranche_grant_the_middle_tranche_is_paid_on_its_approved_report_and_the_last_only_on_a_passed_evaluation()
    {
        var world = new GrantWorld("g-three", tranches: 3);
        world.Sign();
        await using var host = await GrantHost.StartAsync(world);
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(PayTrancheActivity));
        world.Approve(1);
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "report 1 approved");
        await world.WhenCalledAsync(nameof(PayTrancheActivity), times: 2);
        var paidOnTheMidTermReport = world.Payments;
        var reads = world.CallsOf(nameof(GrantStateActivity)).Count;
        world.Approve(2);
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "report 2 approved");
        await world.WhenCalledAsync(nameof(GrantStateActivity), times: reads + 1);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var paidBeforeTheEvaluation = world.Payments;
        var evaluatedAt = world.Evaluate(new GrantEvaluation(true, "every milestone met", 0, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "evaluated");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        Assert.Equal([0, 1], paidOnTheMidTermReport);
        Assert.Equal([0, 1], paidBeforeTheEvaluation);
        Assert.Equal([0, 1, 2], world.Payments);
        var payments = world.CallsOf(nameof(PayTrancheActivity));
        Assert.True(payments[1].At < evaluatedAt, $"tranche 1 paid at {payments[1].At:O}, evaluated at {evaluatedAt:O}");
        Assert.True(payments[2].At >= evaluatedAt, $"tranche 2 paid at {payments[2].At:O}, evaluated at {evaluatedAt:O}");
        Assert.Equal(new GrantOutcome("g-three", GrantStatus.Completed), metadata.ReadOutputAs<GrantOutcome>());
        Assert.Single(world.CallsOf(nameof(CompleteGrantActivity)));
    }

    [Fact]
    public async Task A_failed_evaluation_while_a_report_is_awaited_fails_the_grant_and_withholds_the_tranches_not_yet_paid()
    {
        var world = new GrantWorld("g-fail", tranches: 3);
        world.Sign();
        await using var host = await GrantHost.StartAsync(world);
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(PayTrancheActivity));
        world.Evaluate(new GrantEvaluation(false, "the project stopped serving its beneficiaries", 20000m, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "evaluated");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        Assert.Equal(new GrantOutcome("g-fail", GrantStatus.Failed), metadata.ReadOutputAs<GrantOutcome>());
        Assert.Equal([0], world.Payments);
        Assert.Equal(["g-fail"], world.InputsOf(nameof(FailGrantActivity)));
        Assert.Empty(world.CallsOf(nameof(CompleteGrantActivity)));
        Assert.Equal(GrantStatus.Failed, world.Status);
    }

    [Fact]
    public async Task A_failed_evaluation_before_the_agreement_is_signed_fails_the_grant_without_paying_anything()
    {
        var world = new GrantWorld("g-unsigned", tranches: 2);
        await using var host = await GrantHost.StartAsync(world);
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(GrantStateActivity));
        world.Evaluate(new GrantEvaluation(false, "the organization withdrew", 0, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "evaluated");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        Assert.Equal(new GrantOutcome("g-unsigned", GrantStatus.Failed), metadata.ReadOutputAs<GrantOutcome>());
        Assert.Empty(world.Payments);
        Assert.Equal(["g-unsigned"], world.InputsOf(nameof(FailGrantActivity)));
        Assert.Empty(world.CallsOf(nameof(CompleteGrantActivity)));
        Assert.Empty(world.Reminders);
    }
}

/// <summary>The grant's own clocks: the signing deadline, and a report that falls due and then overdue.</summary>
public sealed class GrantDeadlineTests
{
    [Fact]
    public async Task A_report_not_approved_by_its_due_date_brings_a_reminder_then_a_grace_period_later_an_escalation()
    {
        var world = new GrantWorld("g-late", tranches: 2) { Grace = TimeSpan.FromSeconds(1.5) };
        world.Sign();
        await using var host = await GrantHost.StartAsync(world);
        var due = GrantWorld.In(1);
        world.FallsDue(1, due);
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(RemindGrantActivity), times: 2);
        world.Approve(1);
        world.Evaluate(new GrantEvaluation(true, "late, but every milestone met", 0, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "evaluated");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        Assert.Equal(new GrantOutcome("g-late", GrantStatus.Completed), metadata.ReadOutputAs<GrantOutcome>());
        Assert.Equal([0, 1], world.Payments);
        var reminders = world.CallsOf(nameof(RemindGrantActivity));
        Assert.Equal(new GrantReminder("g-late", 1, "reminder", 0), reminders[0].Input);
        Assert.Equal(new GrantReminder("g-late", 1, "escalation", 1), reminders[1].Input);
        Assert.All(world.Reminders.Skip(2), r => Assert.Equal(("escalation", 1), (r.Kind, r.TrancheIndex)));
        Assert.True(reminders[0].At >= due - TimeSpan.FromMilliseconds(100), $"reminded at {reminders[0].At:O}, due {due:O}");
        Assert.True(reminders[1].At >= due + world.Grace - TimeSpan.FromMilliseconds(100), $"escalated at {reminders[1].At:O}, due {due:O}");
    }

    [Fact]
    public async Task An_agreement_unsigned_at_its_signing_deadline_brings_a_signing_reminder_and_is_paid_once_signed()
    {
        var world = new GrantWorld("g-signing", tranches: 2) { Grace = TimeSpan.FromSeconds(3) };
        await using var host = await GrantHost.StartAsync(world);
        var signingDue = GrantWorld.In(1);
        world.SigningDue = signingDue;
        var instanceId = await GrantHost.StartGrantAsync(host, world);

        await world.WhenCalledAsync(nameof(RemindGrantActivity));
        var paidWhenReminded = world.Payments;
        world.Sign();
        world.Approve(1);
        world.Evaluate(new GrantEvaluation(true, "every milestone met", 0, "admin"));
        await host.Client.RaiseEventAsync(instanceId, GrantOrchestration.UpdatedEvent, "signed");
        var metadata = await GrantHost.WaitAsync(host, instanceId);

        var reminded = world.CallsOf(nameof(RemindGrantActivity))[0];
        Assert.Equal(new GrantReminder("g-signing", 0, "signing", 0), reminded.Input);
        Assert.True(reminded.At >= signingDue - TimeSpan.FromMilliseconds(100), $"reminded at {reminded.At:O}, due {signingDue:O}");
        Assert.Empty(paidWhenReminded);
        Assert.Equal([0, 1], world.Payments);
        Assert.Equal(new GrantOutcome("g-signing", GrantStatus.Completed), metadata.ReadOutputAs<GrantOutcome>());
    }
}

/// <summary>Starts the in-memory host with the real grant workflow and the scripted grant standing in for every activity.</summary>
internal static class GrantHost
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Task<DurableTaskTestHost> StartAsync(GrantWorld world) =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<GrantOrchestration>();
            registry.AddActivityFunc<string, GrantState>(nameof(GrantStateActivity), (_, grantId) => world.Read(grantId));
            registry.AddActivityFunc<PaymentRequest, GrantState>(nameof(PayTrancheActivity), (_, request) => world.Pay(request));
            registry.AddActivityFunc<GrantReminder, bool>(nameof(RemindGrantActivity), (_, reminder) => world.Remind(reminder));
            registry.AddActivityFunc<string, GrantState>(nameof(CompleteGrantActivity), (_, grantId) => world.End(nameof(CompleteGrantActivity), grantId, GrantStatus.Completed));
            registry.AddActivityFunc<string, GrantState>(nameof(FailGrantActivity), (_, grantId) => world.End(nameof(FailGrantActivity), grantId, GrantStatus.Failed));
        });

    public static async Task<string> StartGrantAsync(DurableTaskTestHost host, GrantWorld world) =>
        await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(GrantOrchestration), world.GrantId,
            new StartOrchestrationOptions(GrantOrchestration.InstanceId(world.GrantId)));

    public static async Task<OrchestrationMetadata> WaitAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instanceId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorType}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata;
    }
}

/// <summary>One activity call as the grant saw it: which activity, with what input, when.</summary>
internal sealed record GrantCall(string Activity, object Input, DateTimeOffset At);

/// <summary>
/// One grant as the tables would hold it, changed by the test (signatures, approved reports, the evaluation) and
/// by the workflow's steps (a tranche paid, the grant ended). Records every activity call: activities run once per
/// scheduled call, however often the workflow replays. Unless a test says otherwise every deadline is two minutes off.
/// </summary>
internal sealed class GrantWorld
{
    private readonly Lock gate = new();
    private readonly List<GrantCall> calls = [];
    private readonly List<TrancheState> tranches;
    private bool signed;
    private GrantEvaluation? evaluation;
    private GrantStatus? ended;
    private DateTimeOffset signingDue = In(120);

    public GrantWorld(string grantId, int tranches)
    {
        GrantId = grantId;
        this.tranches = [.. Enumerable.Range(0, tranches).Select(i => new TrancheState(i, 10000m, i == 0 ? null : In(120), false, false))];
    }

    public string GrantId { get; }

    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(2);

    public DateTimeOffset SigningDue
    {
        get
        {
            lock (gate)
            {
                return signingDue;
            }
        }

        set
        {
            lock (gate)
            {
                signingDue = value;
            }
        }
    }

    /// <summary>An instant that many seconds from now, as a deadline.</summary>
    public static DateTimeOffset In(double seconds) => DateTimeOffset.UtcNow.AddSeconds(seconds);

    public GrantStatus Status
    {
        get
        {
            lock (gate)
            {
                return StatusNow();
            }
        }
    }

    public IReadOnlyList<GrantCall> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    public IReadOnlyList<GrantCall> CallsOf(string activity) => [.. Calls.Where(c => c.Activity == activity)];

    public IReadOnlyList<object> InputsOf(string activity) => [.. CallsOf(activity).Select(c => c.Input)];

    /// <summary>The tranches paid, in the order the workflow asked for them.</summary>
    public IReadOnlyList<int> Payments => [.. CallsOf(nameof(PayTrancheActivity)).Select(c => ((PaymentRequest)c.Input).TrancheIndex)];

    public IReadOnlyList<GrantReminder> Reminders => [.. CallsOf(nameof(RemindGrantActivity)).Select(c => (GrantReminder)c.Input)];

    /// <summary>The organization and the bureau have both signed.</summary>
    public void Sign()
    {
        lock (gate)
        {
            signed = true;
        }
    }

    public void FallsDue(int tranche, DateTimeOffset at) => Change(tranche, t => t with { DueAt = at });

    public void Approve(int tranche) => Change(tranche, t => t with { ReportApproved = true });

    /// <summary>Records the final evaluation; returns when it was recorded.</summary>
    public DateTimeOffset Evaluate(GrantEvaluation result)
    {
        lock (gate)
        {
            evaluation = result;
            return DateTimeOffset.UtcNow;
        }
    }

    public GrantState Read(string grantId)
    {
        lock (gate)
        {
            Record(nameof(GrantStateActivity), grantId);
            return Snapshot();
        }
    }

    public GrantState Pay(PaymentRequest request)
    {
        lock (gate)
        {
            Record(nameof(PayTrancheActivity), request);
            tranches[request.TrancheIndex] = tranches[request.TrancheIndex] with { Paid = true };
            return Snapshot();
        }
    }

    public bool Remind(GrantReminder reminder)
    {
        lock (gate)
        {
            Record(nameof(RemindGrantActivity), reminder);
            return true;
        }
    }

    public GrantState End(string activity, string grantId, GrantStatus status)
    {
        lock (gate)
        {
            Record(activity, grantId);
            ended ??= status;
            return Snapshot();
        }
    }

    /// <summary>Waits until the activity has been called <paramref name="times"/> times.</summary>
    public async Task WhenCalledAsync(string activity, int times = 1)
    {
        var giveUp = DateTimeOffset.UtcNow.AddSeconds(20);
        while (CallsOf(activity).Count < times)
        {
            if (DateTimeOffset.UtcNow > giveUp)
            {
                throw new TimeoutException($"{activity} was called {CallsOf(activity).Count} times, not {times}: {string.Join(", ", Calls.Select(c => c.Activity))}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private void Change(int tranche, Func<TrancheState, TrancheState> change)
    {
        lock (gate)
        {
            tranches[tranche] = change(tranches[tranche]);
        }
    }

    private void Record(string activity, object input) => calls.Add(new GrantCall(activity, input, DateTimeOffset.UtcNow));

    private GrantStatus StatusNow() => ended ?? (signed ? GrantStatus.Active : GrantStatus.AwaitingSignatures);

    private GrantState Snapshot() => new(GrantId, StatusNow(), signed, signingDue, Grace, [.. tranches], evaluation);
}

using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

/// <summary>
/// The round's orchestration on the in-memory durable host, which really replays its history. The close
/// activity is replaced, under its real name, by a script that records what it is asked and answers as told.
/// </summary>
public sealed class RoundOrchestrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_deadline_timer_closes_the_round_once_with_the_count_the_closing_reports()
    {
        var closer = new ScriptedCloser(_ => new CloseOutcome(CloseResult.Closed, null, 12));
        await using var host = await StartAsync(closer);

        var metadata = await RunAsync(host, "r-timer", DateTimeOffset.UtcNow.AddSeconds(2));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(new RoundWorkflowOutcome("r-timer", CloseResult.Closed, 12), metadata.ReadOutputAs<RoundWorkflowOutcome>());
        Assert.Equal([new CloseRoundRequest("r-timer", "timer")], closer.Requests);
        Assert.Equal(["r-timer"], closer.StagesStarted);
        var progress = metadata.ReadCustomStatusAs<RoundProgress>();
        Assert.Equal("closed", progress?.Stage);
        Assert.Equal("closed with 12 applications", progress?.Message);
    }

    [Fact]
    public async Task An_early_close_request_waits_for_the_deadline_the_round_holds_and_closes_then()
    {
        var closer = new ScriptedCloser(request => request.By == "sweep"
            ? new CloseOutcome(CloseResult.NotYet, DateTimeOffset.UtcNow.AddSeconds(2))
            : new CloseOutcome(CloseResult.Closed, null, 4));
        await using var host = await StartAsync(closer);
        var instanceId = await StartRoundAsync(host, "r-early", DateTimeOffset.UtcNow.AddMinutes(10));
        await host.Client.WaitForInstanceStartAsync(instanceId, CancellationToken.None);

        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CloseRequestedEvent, "sweep");
        var metadata = await WaitAsync(host, instanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(new RoundWorkflowOutcome("r-early", CloseResult.Closed, 4), metadata.ReadOutputAs<RoundWorkflowOutcome>());
        Assert.Equal([new CloseRoundRequest("r-early", "sweep"), new CloseRoundRequest("r-early", "timer")], closer.Requests);
        Assert.Equal("closed", metadata.ReadCustomStatusAs<RoundProgress>()?.Stage);
    }

    [Fact]
    public async Task A_cancellation_ends_the_workflow_without_closing_the_round()
    {
        var closer = new ScriptedCloser(_ => new CloseOutcome(CloseResult.Closed, null, 1));
        await using var host = await StartAsync(closer);
        var instanceId = await StartRoundAsync(host, "r-cancel", DateTimeOffset.UtcNow.AddMinutes(10));
        await host.Client.WaitForInstanceStartAsync(instanceId, CancellationToken.None);

        await host.Client.RaiseEventAsync(instanceId, RoundWorkflow.CancelledEvent, "budget withdrawn");
        var metadata = await WaitAsync(host, instanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(new RoundWorkflowOutcome("r-cancel", CloseResult.Cancelled, null), metadata.ReadOutputAs<RoundWorkflowOutcome>());
        Assert.Equal("cancelled", metadata.ReadCustomStatusAs<RoundProgress>()?.Stage);
        Assert.Empty(closer.Requests);
        Assert.Empty(closer.StagesStarted);
    }

    [Fact]
    public async Task A_round_the_closing_finds_cancelled_or_missing_ends_the_workflow_with_that_result()
    {
        var closer = new ScriptedCloser(request => new CloseOutcome(request.RoundId == "r-gone" ? CloseResult.Missing : CloseResult.Cancelled));
        await using var host = await StartAsync(closer);
        var past = DateTimeOffset.UtcNow.AddSeconds(-5);

        var gone = await RunAsync(host, "r-gone", past);
        var cancelled = await RunAsync(host, "r-cancelled", past);

        Assert.Equal(new RoundWorkflowOutcome("r-gone", CloseResult.Missing, null), gone.ReadOutputAs<RoundWorkflowOutcome>());
        Assert.Equal("missing", gone.ReadCustomStatusAs<RoundProgress>()?.Stage);
        Assert.Equal(new RoundWorkflowOutcome("r-cancelled", CloseResult.Cancelled, null), cancelled.ReadOutputAs<RoundWorkflowOutcome>());
        Assert.Equal("cancelled", cancelled.ReadCustomStatusAs<RoundProgress>()?.Stage);
    }

    private static Task<DurableTaskTestHost> StartAsync(ScriptedCloser closer) =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestrator<RoundOrchestration>();
            registry.AddActivityFunc<CloseRoundRequest, CloseOutcome>(nameof(CloseRoundActivity), (_, request) => closer.Close(request));
            // Starting the later stages stands in as a step that records which round it was asked for.
            registry.AddActivityFunc<string, bool>(nameof(StartStagesActivity), (_, roundId) =>
            {
                closer.StagesStarted.Enqueue(roundId);
                return true;
            });
        });

    private static async Task<string> StartRoundAsync(DurableTaskTestHost host, string roundId, DateTimeOffset closesAt) =>
        await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RoundOrchestration),
            new RoundWorkflowInput(roundId, closesAt), new StartOrchestrationOptions(RoundWorkflow.InstanceId(roundId)));

    private static async Task<OrchestrationMetadata> RunAsync(DurableTaskTestHost host, string roundId, DateTimeOffset closesAt) =>
        await WaitAsync(host, await StartRoundAsync(host, roundId, closesAt));

    private static async Task<OrchestrationMetadata> WaitAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>Stands in for <see cref="CloseRoundActivity"/>: records each request, answers with the script.</summary>
    private sealed class ScriptedCloser(Func<CloseRoundRequest, CloseOutcome> script)
    {
        private readonly ConcurrentQueue<CloseRoundRequest> requests = new();

        public ConcurrentQueue<string> StagesStarted { get; } = new();

        public IReadOnlyList<CloseRoundRequest> Requests => [.. requests];

        public CloseOutcome Close(CloseRoundRequest request)
        {
            requests.Enqueue(request);
            return script(request);
        }
    }
}

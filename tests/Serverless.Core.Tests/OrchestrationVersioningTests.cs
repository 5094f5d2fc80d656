using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>
/// How a changed orchestration coexists with instances already running (docs/WORKFLOWS.md), on the real durable
/// worker in memory. "Deploying" is switching the code the registered orchestrator runs while instances wait: the
/// next event replays each instance's history against the new code, as after a real deployment. A change that
/// branches on the instance's version replays old instances on the old path and runs new ones on the new; a
/// change that does not silently changes what the instances already running do.
/// </summary>
public sealed class OrchestrationVersioningTests
{
    private const string Name = "VersionedVisitPlan";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The orchestrator's code as deployed at the moment: 1, 2 (versioned change) or 3 (unversioned change).</summary>
    private int deployed = 1;

    [Fact]
    public async Task A_change_made_behind_the_version_leaves_running_instances_on_their_old_path()
    {
        await using var host = await StartAsync();
        var old = await StartAsync(host, "1");
        await WaitingAsync(host, old);

        deployed = 2; // the new code ships, and with it Workflows.Version "2"
        var fresh = await StartAsync(host, "2");
        await WaitingAsync(host, fresh);
        await host.Client.RaiseEventAsync(old, "Visited", true);
        await host.Client.RaiseEventAsync(fresh, "Visited", true);

        Assert.Equal("notified, visited", await OutputAsync(host, old));
        Assert.Equal("notified, escalation armed, visited", await OutputAsync(host, fresh));
    }

    [Fact]
    public async Task The_same_change_made_without_the_version_changes_what_running_instances_do()
    {
        await using var host = await StartAsync();
        var old = await StartAsync(host, "1");
        await WaitingAsync(host, old);

        deployed = 3;
        await host.Client.RaiseEventAsync(old, "Visited", true);

        // The isolated worker does not stop a replay that diverges from its history: the instance started under
        // version 1 silently runs a step of version 2 halfway through. Hence the rule: branch on the version.
        Assert.Equal("notified, escalation armed, visited", await OutputAsync(host, old));
    }

    [Fact]
    public async Task Workflows_start_under_the_current_version_and_move_to_it_when_they_continue_as_new()
    {
        await using var host = await InMemoryDurableHost.StartAsync(registry =>
            registry.AddOrchestratorFunc<int, string>("Period", (context, period) =>
            {
                if (period == 0)
                {
                    Workflows.ContinueAsNew(context, 1); // a period boundary: the fresh history takes the current version
                    return Task.FromResult(string.Empty);
                }

                return Task.FromResult(context.Version);
            }));

        await Workflows.EnsureStartedAsync(host.Client, "Period", "started-by-the-product", 1, CancellationToken.None);
        var older = await host.Client.ScheduleNewOrchestrationInstanceAsync("Period", 0, new StartOrchestrationOptions { Version = "0" });

        Assert.Equal(Workflows.Version, await OutputAsync(host, "started-by-the-product"));
        Assert.Equal(Workflows.Version, await OutputAsync(host, older));
    }

    private Task<DurableTaskTestHost> StartAsync() =>
        InMemoryDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<string, string>(Name, RunAsync);
            registry.AddActivityFunc<string, string>("Notify", (_, what) => what);
            registry.AddActivityFunc<string, string>("ArmEscalation", (_, what) => what);
        });

    /// <summary>A pairing's visit plan: notify, then wait for the visit. Version 2 arms an escalation first.</summary>
    private async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var steps = new List<string> { await context.CallActivityAsync<string>("Notify", "notified") };
        var armsEscalation = deployed switch
        {
            2 => context.CompareVersionTo("2") >= 0, // the right way: only instances started under version 2
            3 => true, // the wrong way: every instance, including those whose history has no such step
            _ => false,
        };
        if (armsEscalation)
        {
            steps.Add(await context.CallActivityAsync<string>("ArmEscalation", "escalation armed"));
        }

        context.SetCustomStatus("waiting");
        await context.WaitForExternalEvent<bool>("Visited");
        steps.Add("visited");
        return string.Join(", ", steps);
    }

    private static async Task<string> StartAsync(DurableTaskTestHost host, string version) =>
        await host.Client.ScheduleNewOrchestrationInstanceAsync(Name, "pair-1", new StartOrchestrationOptions { Version = version });

    private static async Task WaitingAsync(DurableTaskTestHost host, string instanceId)
    {
        var until = DateTime.UtcNow + Patience;
        OrchestrationMetadata? instance;
        while ((instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains("waiting", StringComparison.Ordinal) != true)
        {
            Assert.True(DateTime.UtcNow < until, $"{instanceId} never reached its wait: {instance?.RuntimeStatus} {instance?.FailureDetails?.ErrorMessage}");
            await Task.Delay(50);
        }
    }

    private static async Task<string?> OutputAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var ended = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(ended.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{ended.RuntimeStatus}: {ended.FailureDetails?.ErrorMessage}");
        return ended.ReadOutputAs<string>();
    }
}

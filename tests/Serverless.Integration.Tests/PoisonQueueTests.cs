using System.Net;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// A message that keeps failing lands in its poison queue, is visible to the bureau, and is replayed once the
/// cause is gone: here the Event Grid topic is down long enough for a relay message to exhaust its attempts,
/// then comes back, and the replayed message delivers the event. The sweep is off, so only the replay can.
/// </summary>
public sealed class PoisonQueueTests : IAsyncLifetime, IDisposable
{
    private readonly FakeEventGridTopic topic = new();
    private DevHostProcess host = null!;

    private ApiClient Api => host.Client;

    public async Task InitializeAsync() => host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
    {
        ["EventGrid__TopicEndpoint"] = topic.Endpoint,
        ["EventGrid__Key"] = FakeEventGridTopic.Key,
        ["DevHost__QueueRetryDelay"] = "00:00:00.100",
        ["DevHost__Schedules__RelayPendingEvents"] = "off",
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    public void Dispose() => topic.Dispose();

    [Fact]
    public async Task A_message_that_keeps_failing_is_poisoned_shown_to_the_bureau_and_replayed_once_the_cause_is_gone()
    {
        topic.FailNext(int.MaxValue);
        var created = await Api.PostAsync("service-requests", new
        {
            beneficiaryId = "res-poison01",
            beneficiaryName = "王奶奶",
            vulnerability = "elderly-alone",
            need = "代购生活用品。",
            skills = new[] { "errands" },
            gridId = "g0001",
            tier = "blue",
            source = "hotline",
        }, "dispatcher; community=c001");
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var requestId = created.Str("id");

        // Every relay message of the request (its creation, its escalation: nobody is registered) exhausts its attempts.
        await Poll.UntilAsync(() => Api.GetAsync("queues", Samples.Admin),
            r => Relay(r).GetProperty("poisoned").GetInt32() > 0 && Relay(r).GetProperty("waiting").GetInt32() == 0, TimeSpan.FromSeconds(60));
        Assert.Empty(topic.Received);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync("queues", "dispatcher; community=c001")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync("queues/outbox-relay/replay", null, "dispatcher; community=c001")).Status);

        topic.FailNext(0);
        var replay = await Api.PostAsync("queues/outbox-relay/replay", null, Samples.Admin);

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.True(replay.Body.GetProperty("replayed").GetInt32() >= 1, replay.ToString());
        Assert.Equal(0, replay.Body.GetProperty("stillPoisoned").GetInt32());
        await Poll.UntilAsync(() => Api.GetAsync("me"), _ => topic.OfType("Serverless.Dispatch.RequestCreated").Any(e => e.GetProperty("subject").GetString() == requestId));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PostAsync("queues/no-such-queue/replay", null, Samples.Admin)).Status);
    }

    private static System.Text.Json.JsonElement Relay(Reply reply) =>
        reply.Body.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "outbox-relay");
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Common;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// A stand-in for an Event Grid topic, over real HTTP: it takes CloudEvents batches as the topic does (the
/// <c>aeg-sas-key</c> header, <c>application/cloudevents-batch+json</c>), and can be told to fail.
/// </summary>
public sealed class FakeEventGridTopic : IDisposable
{
    public const string Key = "test-topic-key";

    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private int failuresToGo;

    public FakeEventGridTopic()
    {
        Port = Repository.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}/api/events";

    /// <summary>Every event received, in order; an event published twice appears twice.</summary>
    public ConcurrentQueue<JsonElement> Received { get; } = new();

    public int Refused => refused;

    private int refused;

    /// <summary>The next <paramref name="count"/> posts are answered 503, as a topic under strain would.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failuresToGo, count);

    public List<JsonElement> OfType(string type) => Received.Where(e => e.GetProperty("type").GetString() == type).ToList();

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            if (context.Request.Headers["aeg-sas-key"] != Key)
            {
                response.StatusCode = 401;
                continue;
            }

            if (Interlocked.Decrement(ref failuresToGo) >= 0)
            {
                Interlocked.Increment(ref refused);
                response.StatusCode = 503;
                continue;
            }

            using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            foreach (var cloudEvent in body.RootElement.EnumerateArray())
            {
                Received.Enqueue(cloudEvent.Clone());
            }

            response.StatusCode = 200;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
        stop.Dispose();
    }
}

/// <summary>
/// Events relayed from the outbox to an Event Grid topic by a DevHost: promptly, as CloudEvents 1.0 with their
/// stable ids, marked once published, retried when the topic fails and never dropped, and the same id when a
/// row is published twice.
/// </summary>
public sealed class EventRelayTests : IAsyncLifetime, IDisposable
{
    private const string Dispatcher = "dispatcher; id=relay-dispatcher; community=c001";
    private readonly FakeEventGridTopic topic = new();
    private DevHostProcess host = null!;

    private ApiClient Api => host.Client;

    public async Task InitializeAsync() => host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
    {
        ["EventGrid__TopicEndpoint"] = topic.Endpoint,
        ["EventGrid__Key"] = FakeEventGridTopic.Key,
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    public void Dispose() => topic.Dispose();

    [Fact]
    public async Task A_change_is_published_to_the_topic_as_a_cloud_event_with_its_outbox_id_and_marked()
    {
        var requestId = await CreateRequestAsync();

        var created = await UntilReceivedAsync("Serverless.Dispatch.RequestCreated", requestId);

        Assert.Equal("1.0", created.GetProperty("specversion").GetString());
        Assert.Equal($"/service-requests/{requestId}", created.GetProperty("source").GetString());
        Assert.Equal(requestId, created.GetProperty("subject").GetString());
        Assert.Equal(requestId, created.GetProperty("data").GetProperty("requestId").GetString());
        var stored = Assert.Single(await OutboxAsync(requestId), e => e.Type == "Serverless.Dispatch.RequestCreated");
        Assert.Equal(stored.Id, created.GetProperty("id").GetString());
        await UntilAsync(async () => (await RowsAsync(requestId)).All(r => r.GetString(Outbox.PublishedToColumn) == "127.0.0.1"));
    }

    [Fact]
    public async Task A_topic_that_fails_delays_the_event_but_never_loses_it()
    {
        topic.FailNext(4);
        var requestId = await CreateRequestAsync();

        await UntilReceivedAsync("Serverless.Dispatch.RequestCreated", requestId, TimeSpan.FromSeconds(90));

        Assert.True(topic.Refused >= 4, $"the topic refused {topic.Refused} posts");
        await UntilAsync(async () => (await RowsAsync(requestId)).All(r => r.ContainsKey(Outbox.PublishedAtColumn)));
    }

    [Fact]
    public async Task Relaying_again_sends_nothing_new_and_a_row_published_twice_keeps_its_id()
    {
        var requestId = await CreateRequestAsync();
        var first = await UntilReceivedAsync("Serverless.Dispatch.RequestCreated", requestId);
        await UntilAsync(async () => (await RowsAsync(requestId)).All(r => r.ContainsKey(Outbox.PublishedAtColumn)));
        var storage = host.Storage();
        // The request's creation and its event were written in one batch, in the request's partition.
        var (table, partition) = (TableNames.ServiceRequests, requestId);

        List<JsonElement> Deliveries() => topic.OfType("Serverless.Dispatch.RequestCreated").Where(e => e.GetProperty("subject").GetString() == requestId).ToList();
        var before = Deliveries().Count;

        // The same relay message delivered three times more: published rows are skipped.
        for (var i = 0; i < 3; i++)
        {
            // A fresh client each time: one process sends one message per partition per relay delay.
            await Outbox.RequestRelayAsync(host.Storage(), table, partition);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(before, Deliveries().Count);

        // Published events leave no pending pointer behind.
        var rows = await storage.TableAsync(table);
        Assert.Empty(await PointersAsync(rows, partition));

        // A crash between the publish and the mark leaves the row unmarked and its pointer in place: published
        // again, with the same id, then marked and its pointer gone.
        var row = (await RowsAsync(requestId)).Single(r => r.GetString("Type") == "Serverless.Dispatch.RequestCreated");
        row.Remove(Outbox.PublishedAtColumn);
        row.Remove(Outbox.PublishedToColumn);
        await rows.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        await rows.UpsertEntityAsync(Outbox.PendingPointer(partition, Documents.FromEntity<DomainEvent>(row)), TableUpdateMode.Replace);
        await Outbox.RequestRelayAsync(host.Storage(), table, partition);

        await UntilAsync(() => Task.FromResult(Deliveries().Count > before));
        Assert.All(Deliveries(), e => Assert.Equal(first.GetProperty("id").GetString(), e.GetProperty("id").GetString()));
        await UntilAsync(async () => (await PointersAsync(rows, partition)).Count == 0 && (await RowsAsync(requestId)).All(r => r.ContainsKey(Outbox.PublishedAtColumn)));
    }

    [Fact]
    public async Task An_event_is_stored_with_its_change_or_not_at_all()
    {
        var requestId = await CreateRequestAsync();
        var storage = host.Storage();
        var store = new Serverless.Core.Dispatch.RequestStore(storage);
        var (request, _) = (await store.FindAsync(requestId))!.Value;
        var again = new Outbox(storage, TimeProvider.System).Event($"/service-requests/{requestId}", "Serverless.Dispatch.RequestCreated", "created-again", requestId,
            new { requestId, tier = "blue", gridId = "g0001", deadline = request.Deadline });

        // The request exists, so the batch that would add it again fails as a whole: its event is not written either.
        Assert.False(await store.TryAddAsync(request, [again]));

        var rows = await RowsAsync(requestId);
        Assert.DoesNotContain(rows, r => r.RowKey == Outbox.RowPrefix + again.Id);
        var created = Assert.Single(rows, r => r.GetString("Type") == "Serverless.Dispatch.RequestCreated");
        Assert.Equal(requestId, created.PartitionKey); // in the request's own partition, written in the request's batch
    }

    private async Task<string> CreateRequestAsync()
    {
        var reply = await Api.PostAsync("service-requests", new
        {
            beneficiaryId = "res-" + Guid.NewGuid().ToString("N")[..8],
            beneficiaryName = "张大爷",
            vulnerability = "elderly-alone",
            need = "独居老人需要上门陪伴。",
            skills = new[] { "companionship" },
            gridId = "g0001",
            tier = "blue",
            source = "hotline",
        }, Dispatcher);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Str("id");
    }

    private async Task<JsonElement> UntilReceivedAsync(string type, string subject, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(45));
        while (true)
        {
            if (topic.OfType(type).FirstOrDefault(e => e.GetProperty("subject").GetString() == subject) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < until, $"{type} for {subject} never reached the topic; it received {topic.Received.Count} events, refused {topic.Refused}.\n{host.Output}");
            await Task.Delay(200);
        }
    }

    private async Task<List<DomainEvent>> OutboxAsync(string requestId) =>
        (await RowsAsync(requestId)).Select(Documents.FromEntity<DomainEvent>).ToList();

    /// <summary>The outbox rows of the request: in its own partition (written with the change) and in the outbox table.</summary>
    private static async Task<List<string>> PointersAsync(TableClient table, string partition)
    {
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {Outbox.PendingPrefix} and RowKey lt {Outbox.PendingEnd}"), select: ["RowKey"]))
        {
            keys.Add(row.RowKey);
        }

        return keys;
    }

    private async Task<List<TableEntity>> RowsAsync(string requestId)
    {
        var storage = host.Storage();
        return [.. await StoredEvents.RowsAsync(storage, TableNames.ServiceRequests, requestId), .. await StoredEvents.RowsAsync(storage, TableNames.Outbox, "|service-requests|" + requestId)];
    }

    /// <summary>Polls until the condition holds; fails after the limit (a bound, not a timing assertion).</summary>
    private async Task UntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Condition not reached.\n{host.Output}");
            await Task.Delay(200);
        }
    }
}

using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Common;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// The sweep behind the relay queue, on real tables (Azurite, a storage prefix of its own, no DevHost to race
/// it): it finds what a lost relay message left behind through the pending mark written before the change,
/// never by scanning the tables, and clears a mark only once it is old enough that no write can still be on
/// its way.
/// </summary>
public sealed class OutboxSweepTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly RecordingPublisher topic = new();
    private Storage storage = null!;

    public async Task InitializeAsync() => storage = await Azurite.OwnStorageAsync("sweep");

    public Task DisposeAsync() => Task.CompletedTask;

    private OutboxRelay Relay => new(storage, topic, clock, NullLogger<OutboxRelay>.Instance);

    [Fact]
    public async Task A_change_whose_relay_message_was_lost_is_published_by_the_sweep_once_and_its_mark_cleared_when_old()
    {
        var partition = "req-" + Guid.NewGuid().ToString("N")[..8];
        var evt = Created(partition);

        // The change and its event in one batch; the relay message this sends is never read (no DevHost): lost.
        await Outbox.CommitAsync(storage, TableNames.ServiceRequests, partition, [evt], async rows =>
        {
            var table = await storage.TableAsync(TableNames.ServiceRequests);
            await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, "request")), .. rows]);
        });

        // Just written, it is left to the write's own relay message; a little later the sweep takes it.
        Assert.Equal(0, await Relay.SweepAsync());
        clock.Advance(Outbox.SweepAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Relay.SweepAsync());
        Assert.Equal([evt.Id], topic.Published.Select(e => e.Id));
        var row = await (await storage.TableAsync(TableNames.ServiceRequests)).GetEntityAsync<TableEntity>(partition, Outbox.RowPrefix + evt.Id);
        Assert.Equal("recording", row.Value.GetString(Outbox.PublishedToColumn));

        // A young mark stays (a write may still be on its way); swept again, nothing is published twice.
        Assert.Equal(0, await Relay.SweepAsync());
        Assert.True(await MarkedAsync(TableNames.ServiceRequests, partition));

        clock.Advance(Outbox.PendingGrace + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Relay.SweepAsync());
        Assert.False(await MarkedAsync(TableNames.ServiceRequests, partition));
        Assert.Single(topic.Published);
    }

    [Fact]
    public async Task A_change_that_failed_leaves_a_mark_but_no_event_and_the_sweep_clears_it()
    {
        var partition = "req-" + Guid.NewGuid().ToString("N")[..8];
        var table = await storage.TableAsync(TableNames.ServiceRequests);
        await table.AddEntityAsync(new TableEntity(partition, "request"));

        // The batch adds a row that exists: it fails as a whole, event included.
        await Assert.ThrowsAsync<TableTransactionFailedException>(() => Outbox.CommitAsync(storage, TableNames.ServiceRequests, partition, [Created(partition)],
            rows => table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, "request")), .. rows])));

        Assert.True(await MarkedAsync(TableNames.ServiceRequests, partition));
        clock.Advance(Outbox.PendingGrace + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Relay.SweepAsync());
        Assert.Empty(topic.Published);
        Assert.False(await MarkedAsync(TableNames.ServiceRequests, partition));
    }

    [Fact]
    public async Task A_topic_that_fails_leaves_the_event_and_its_mark_for_the_next_sweep()
    {
        var partition = "req-" + Guid.NewGuid().ToString("N")[..8];
        var evt = Created(partition);
        await Outbox.CommitAsync(storage, TableNames.ServiceRequests, partition, [evt], async rows =>
        {
            var table = await storage.TableAsync(TableNames.ServiceRequests);
            await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, "request")), .. rows]);
        });
        clock.Advance(Outbox.PendingGrace + TimeSpan.FromMinutes(1));
        topic.Down = true;

        Assert.Equal(0, await Relay.SweepAsync());
        Assert.True(await MarkedAsync(TableNames.ServiceRequests, partition));

        topic.Down = false;
        Assert.Equal(1, await Relay.SweepAsync());
        Assert.Equal([evt.Id], topic.Published.Select(e => e.Id));
        Assert.False(await MarkedAsync(TableNames.ServiceRequests, partition));
    }

    private DomainEvent Created(string requestId) => new Outbox(storage, clock).Event($"/service-requests/{requestId}", "Serverless.Dispatch.RequestCreated", "created", requestId,
        new { requestId, tier = "blue", gridId = "g0001", deadline = clock.GetUtcNow().AddHours(2) });

    private async Task<bool> MarkedAsync(string table, string partition)
    {
        var outbox = await storage.TableAsync(TableNames.Outbox);
        return (await outbox.GetEntityIfExistsAsync<TableEntity>(Outbox.PendingPartition, Outbox.PendingRow(table, partition))).HasValue;
    }

    private sealed class RecordingPublisher : IEventPublisher
    {
        public List<DomainEvent> Published { get; } = [];

        public bool Down { get; set; }

        public string Destination => "recording";

        public Task PublishAsync(IReadOnlyList<DomainEvent> events, CancellationToken cancellation)
        {
            if (Down)
            {
                throw new InvalidOperationException("The topic is down.");
            }

            Published.AddRange(events);
            return Task.CompletedTask;
        }
    }
}

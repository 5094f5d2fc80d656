using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// A round's own events, through a DevHost: published, an application submitted (once, however often it is
/// retried) and closed, each stored in the batch of the change it announces, in that aggregate's partition.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class VentureEventsTests(SharedDevHost devHost)
{
    private const string Published = "Serverless.Ventures.RoundPublished";
    private const string Submitted = "Serverless.Ventures.ApplicationSubmitted";
    private const string Closed = "Serverless.Ventures.RoundClosed";

    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task Publishing_a_round_submitting_to_it_and_its_close_are_each_announced_once_from_their_own_batch()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromSeconds(6));
        var orgId = await devHost.RegisterOrganizationAsync();
        var key = Guid.NewGuid().ToString();

        var again = await Api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin);
        var first = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(45_000m), Samples.Organization(orgId), key);
        var retry = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(45_000m), Samples.Organization(orgId), key);
        await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}"), r => r.Body.TryGetProperty("closedAt", out _));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.Status, retry.Status));
        var applicationId = first.Str("id");
        Assert.Equal(applicationId, retry.Str("id"));
        var storage = devHost.Host.Storage();
        var events = await new Outbox(storage, TimeProvider.System).ListAsync($"/rounds/{roundId}");

        var published = Assert.Single(events, e => e.Type == Published);
        var submitted = Assert.Single(events, e => e.Type == Submitted);
        var closed = Assert.Single(events, e => e.Type == Closed);
        Assert.True(published.Time <= submitted.Time && submitted.Time <= closed.Time, "published, submitted and closed in that order");

        Assert.Equal(roundId, published.Subject);
        using (var data = JsonDocument.Parse(published.Data))
        {
            Assert.Equal(roundId, data.RootElement.GetProperty("roundId").GetString());
            Assert.Equal(1_500_000m, data.RootElement.GetProperty("budget").GetDecimal());
            Assert.True(data.RootElement.TryGetProperty("closesAt", out _));
        }

        Assert.Equal(applicationId, submitted.Subject);
        using (var data = JsonDocument.Parse(submitted.Data))
        {
            Assert.Equal(applicationId, data.RootElement.GetProperty("applicationId").GetString());
            Assert.Equal(orgId, data.RootElement.GetProperty("organizationId").GetString());
            Assert.Equal(45_000m, data.RootElement.GetProperty("requested").GetDecimal());
            // Ids and figures only: the organization's name and the project stay behind the API.
            Assert.DoesNotContain("道里区", submitted.Data, StringComparison.Ordinal);
        }

        using (var data = JsonDocument.Parse(closed.Data))
        {
            Assert.Equal(1, data.RootElement.GetProperty("applications").GetInt32());
            Assert.True(data.RootElement.TryGetProperty("closedAt", out _));
        }

        // Each in the partition of the aggregate it announces, where it was written with the change.
        var (roundTable, roundPartition, _) = RoundStore.Locate(roundId);
        var (applicationTable, applicationPartition, _) = ApplicationStore.Locate(roundId, applicationId);
        Assert.Equal(roundPartition, (await OutboxRowAsync(storage, roundTable, published)).PartitionKey);
        Assert.Equal(roundPartition, (await OutboxRowAsync(storage, roundTable, closed)).PartitionKey);
        Assert.Equal(applicationPartition, (await OutboxRowAsync(storage, applicationTable, submitted)).PartitionKey);

        // The rows beside the documents stay out of what the API lists and counts.
        var list = await Api.GetAsync($"rounds/{roundId}/applications", Samples.Admin);
        Assert.Equal(1, list.Body.GetArrayLength());
        Assert.Equal(1, (await Api.GetAsync($"rounds/{roundId}")).Body.GetProperty("applications").GetProperty("submitted").GetInt32());
        Assert.Single((await Api.GetAsync("rounds", Samples.Admin)).Body.EnumerateArray(), r => r.GetProperty("id").GetString() == roundId);
    }

    [Fact]
    public async Task A_venture_event_is_stored_with_its_change_or_not_at_all()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var reply = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(orgId), Guid.NewGuid().ToString());
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        var storage = devHost.Host.Storage();
        var outbox = new Outbox(storage, TimeProvider.System);
        var source = $"/rounds/{roundId}";

        // The application exists, so the batch that would add it again fails as a whole: no event either.
        var applications = new ApplicationStore(storage);
        var (application, _, key, fingerprint) = (await applications.FindAsync(roundId, reply.Str("id")))!.Value;
        var twice = outbox.Event(source, Submitted, "again", application.Id,
            new { roundId, applicationId = application.Id, organizationId = orgId, requested = 1m });
        Assert.False(await applications.TryAddAsync(application, key, fingerprint!, [twice]));

        // A round changed since it was read: the update fails on its ETag, and its event with it.
        var rounds = new RoundStore(storage);
        var (round, stale) = (await rounds.FindAsync(roundId))!.Value;
        await rounds.UpdateAsync(round with { Title = round.Title + "（修订）" }, stale);
        var lost = outbox.Event(source, Closed, "stale", roundId, new { roundId, closedAt = DateTimeOffset.UtcNow, applications = 0 });
        var refused = await Assert.ThrowsAnyAsync<RequestFailedException>(() => rounds.UpdateAsync(round with { Status = RoundStatus.Closed }, stale, [lost]));
        Assert.Equal(412, refused.Status);

        // A tranche's payment is recorded once with its event; recording it again stores neither.
        var grants = new GrantStore(storage);
        var grantId = "grt-" + Guid.NewGuid().ToString("N");
        var tranche = new Tranche(0, "signing", 25_000m, null, null, DateTimeOffset.UtcNow);
        var released = outbox.Event($"/grants/{grantId}", "Serverless.Ventures.TrancheReleased", "tranche0", grantId,
            new { grantId, tranche = 0, amount = 25_000m, organizationId = orgId });
        var releasedAgain = outbox.Event($"/grants/{grantId}", "Serverless.Ventures.TrancheReleased", "tranche0-again", grantId,
            new { grantId, tranche = 0, amount = 25_000m, organizationId = orgId });
        Assert.True(await grants.TryRecordPaymentAsync(grantId, tranche, [released]));
        Assert.False(await grants.TryRecordPaymentAsync(grantId, tranche, [releasedAgain]));

        var events = await outbox.ListAsync(source);
        Assert.DoesNotContain(events, e => e.Id == twice.Id || e.Id == lost.Id);
        Assert.Single(events, e => e.Type == Submitted);
        Assert.Equal(RoundStatus.Open, (await rounds.FindAsync(roundId))!.Value.Round.Status);
        Assert.Equal(1, await grants.PaymentCountAsync(grantId));
        var paid = Assert.Single(await outbox.ListAsync($"/grants/{grantId}"));
        Assert.Equal(released.Id, paid.Id);
        Assert.Equal(grantId, (await OutboxRowAsync(storage, TableNames.Grants, paid)).PartitionKey);
    }

    /// <summary>The event's one outbox row, which must be in <paramref name="tableName"/>: the test then sees which partition holds it.</summary>
    private static async Task<TableEntity> OutboxRowAsync(Storage storage, string tableName, DomainEvent evt)
    {
        var (table, row) = Assert.Single(await StoredEvents.WhereAsync(storage, evt));
        Assert.Equal(tableName, table);
        return row;
    }
}

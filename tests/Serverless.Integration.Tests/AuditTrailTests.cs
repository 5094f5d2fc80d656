using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// The audit trail over real HTTP and real Table storage: every change recorded with who, through what and which
/// fields; the bureau's only; and a chain that reports where it was tampered with when rows are edited behind
/// the product's back (the tests edit Azurite directly, as an insider with storage keys could).
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class AuditTrailTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task Every_change_of_an_application_is_on_its_trail_with_who_what_and_before_after()
    {
        var (roundId, orgId, applicationId) = await ApplicationAsync();
        var edited = await Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(45_000m), Samples.Organization(orgId));
        Assert.Equal(HttpStatusCode.OK, edited.Status);

        var trail = await TrailAsync(roundId, applicationId);

        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
        var entries = trail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("record")).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal([1L, 2L], entries.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal(["SubmitApplication", "EditApplication"], entries.Select(e => e.GetProperty("via").GetString()));
        Assert.All(entries, e => Assert.Equal($"dev-organization-{orgId}", e.GetProperty("actor").GetString()));
        Assert.All(entries, e => Assert.Contains("organization", e.GetProperty("roles").EnumerateArray().Select(r => r.GetString())));
        var amount = entries[1].GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "content.amountRequested");
        Assert.Equal(("50000", "45000"), (amount.GetProperty("before").GetString(), amount.GetProperty("after").GetString()));
        // Each record holds the hash of the one before it; the first holds the genesis mark.
        var hashes = trail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("hash").GetString()).ToList();
        Assert.Equal(["genesis", hashes[0]], entries.Select(e => e.GetProperty("previousHash").GetString()));
    }

    [Fact]
    public async Task Only_the_bureau_reads_a_trail()
    {
        var (roundId, orgId, applicationId) = await ApplicationAsync();
        var path = $"audit/applications/{applicationId}?round={roundId}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync(path)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(path, Samples.Organization(orgId))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(path, "reviewer,committee,dispatcher")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(path, Samples.Admin)).Status);
        var missingParent = await Api.GetAsync($"audit/applications/{applicationId}", Samples.Admin);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (missingParent.Status, missingParent.Code));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"audit/nonsense/{applicationId}", Samples.Admin)).Status);
    }

    [Fact]
    public async Task Workflow_writes_are_recorded_as_the_systems_and_a_refused_write_records_nothing()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var round = await Api.GetAsync($"audit/rounds/{roundId}", Samples.Admin);
        var vias = round.Body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("record").GetProperty("via").GetString()).ToList();
        Assert.Equal(["CreateRound", "PublishRound"], vias);

        // A change refused by the rules writes neither the change nor a record.
        var (r2, orgId, applicationId) = await ApplicationAsync();
        var invalid = await Api.PutAsync($"rounds/{r2}/applications/{applicationId}", Samples.ApplicationForm(-5m), Samples.Organization(orgId));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        var trail = await TrailAsync(r2, applicationId);
        Assert.Equal(1, trail.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task An_edited_record_is_reported_at_the_record_that_was_edited()
    {
        var (roundId, orgId, applicationId) = await ApplicationAsync();
        await Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(40_000m), Samples.Organization(orgId));
        await Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(42_000m), Samples.Organization(orgId));
        var table = await TableAsync("Applications");
        var record = (await table.GetEntityAsync<TableEntity>(roundId, $"~audit|app|{applicationId}|0000000002")).Value;
        record["Data"] = record.GetString("Data").Replace($"dev-organization-{orgId}", "someone-else", StringComparison.Ordinal);
        await table.UpdateEntityAsync(record, record.ETag, TableUpdateMode.Replace);

        var trail = await TrailAsync(roundId, applicationId);

        Assert.False(trail.GetProperty("intact").GetBoolean());
        var breaks = trail.GetProperty("breaks").EnumerateArray().Select(b => b.GetString()!).ToList();
        Assert.Single(breaks);
        Assert.Contains("0000000002: the record does not match its hash", breaks[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_record_and_a_row_changed_outside_the_product_are_reported()
    {
        var (roundId, orgId, applicationId) = await ApplicationAsync();
        await Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(40_000m), Samples.Organization(orgId));
        await Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(42_000m), Samples.Organization(orgId));
        var table = await TableAsync("Applications");
        await table.DeleteEntityAsync(roundId, $"~audit|app|{applicationId}|0000000002");
        var row = (await table.GetEntityAsync<TableEntity>(roundId, $"app|{applicationId}")).Value;
        row["Data"] = row.GetString("Data").Replace("42000", "420000", StringComparison.Ordinal);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var trail = await TrailAsync(roundId, applicationId);

        Assert.False(trail.GetProperty("intact").GetBoolean());
        var breaks = string.Join("\n", trail.GetProperty("breaks").EnumerateArray().Select(b => b.GetString()));
        Assert.Contains("record 3 where 2 was due", breaks, StringComparison.Ordinal);
        Assert.Contains("changed outside the product", breaks, StringComparison.Ordinal);
    }

    private async Task<(string RoundId, string OrgId, string ApplicationId)> ApplicationAsync()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var submitted = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(50_000m), Samples.Organization(orgId));
        Assert.True(submitted.Status == HttpStatusCode.Created, submitted.ToString());
        return (roundId, orgId, submitted.Str("id"));
    }

    private async Task<JsonElement> TrailAsync(string roundId, string applicationId)
    {
        var reply = await Api.GetAsync($"audit/applications/{applicationId}?round={roundId}", Samples.Admin);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Body;
    }

    private async Task<TableClient> TableAsync(string name)
    {
        var table = new TableServiceClient(devHost.Host.ConnectionString).GetTableClient(devHost.Host.StoragePrefix + name);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}

using System.Net;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

[Collection(UsesSharedDevHost.Name)]
public sealed class RoundTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task A_round_closes_by_itself_at_its_deadline_and_refuses_every_change_after_it()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromSeconds(5));
        var orgId = await devHost.RegisterOrganizationAsync();
        var submitted = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(orgId));
        Assert.Equal(HttpStatusCode.Created, submitted.Status);
        var path = $"rounds/{roundId}/applications/{submitted.Str("id")}";

        var closed = await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}"), r => r.Body.TryGetProperty("closedAt", out _));

        Assert.Equal("timer", closed.Str("closedBy"));
        Assert.Equal(1, closed.Body.GetProperty("applicationsReceived").GetInt32());
        Assert.False(closed.Body.GetProperty("acceptingApplications").GetBoolean());
        var workflow = await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}/workflow", Samples.Admin),
            r => r.Body.GetProperty("customStatus").GetProperty("stage").GetString() == "closed");
        // Closed, the round's workflow goes on with its later stages in a child workflow.
        Assert.Equal("screening", (await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}"), r => r.Str("status") == "screening")).Str("status"));

        var lateOrg = await devHost.RegisterOrganizationAsync("迟到的组织");
        var late = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(lateOrg));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), (late.Status, late.Code));
        Assert.Contains("deadline", late.Str("detail"), StringComparison.Ordinal);
        var edit = await Api.PutAsync(path, Samples.ApplicationForm(), Samples.Organization(orgId));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), (edit.Status, edit.Code));
        var withdraw = await Api.PostAsync($"{path}/withdraw", null, Samples.Organization(orgId));
        Assert.Equal((HttpStatusCode.Conflict, "deadline-passed"), (withdraw.Status, withdraw.Code));
        Assert.Equal("submitted", (await Api.GetAsync(path, Samples.Organization(orgId))).Str("status"));
    }

    [Fact]
    public async Task A_draft_round_is_the_bureaus_alone_until_published_and_publishing_twice_is_harmless()
    {
        var now = DateTimeOffset.UtcNow;
        var created = await Api.PostAsync("rounds", Samples.RoundForm(now, now.AddDays(30)), Samples.Admin);
        var id = created.Str("id");
        Assert.Equal("draft", created.Str("status"));

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"rounds/{id}")).Status);
        Assert.DoesNotContain(id, (await Api.GetAsync("rounds")).Text, StringComparison.Ordinal);
        Assert.Contains(id, (await Api.GetAsync("rounds", Samples.Admin)).Text, StringComparison.Ordinal);

        var published = await Api.PostAsync($"rounds/{id}/publish", null, Samples.Admin);
        var again = await Api.PostAsync($"rounds/{id}/publish", null, Samples.Admin);

        Assert.Equal(("open", "open"), (published.Str("status"), again.Str("status")));
        var listed = await Api.GetAsync("rounds");
        var summary = listed.Body.EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        Assert.True(summary.GetProperty("acceptingApplications").GetBoolean());
        var workflow = await Api.GetAsync($"rounds/{id}/workflow", Samples.Admin);
        Assert.Contains(workflow.Str("runtimeStatus"), new[] { "Pending", "Running" });
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync($"rounds/{id}/publish", null, Samples.Organization("org-1"))).Status);
    }

    [Fact]
    public async Task A_cancelled_round_ends_its_workflow_without_closing()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));

        var cancelled = await Api.PostAsync($"rounds/{roundId}/cancel", new { reason = "预算调整，本轮取消" }, Samples.Admin);

        Assert.Equal("cancelled", cancelled.Str("status"));
        var workflow = await Poll.UntilAsync(() => Api.GetAsync($"rounds/{roundId}/workflow", Samples.Admin),
            r => r.Str("runtimeStatus") == "Completed");
        Assert.Equal("cancelled", workflow.Body.GetProperty("customStatus").GetProperty("stage").GetString());
        var orgId = await devHost.RegisterOrganizationAsync();
        var refused = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(orgId));
        Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task A_round_definition_with_errors_is_refused_with_each_failing_field()
    {
        var now = DateTimeOffset.UtcNow;
        var reply = await Api.PostAsync("rounds", new
        {
            title = "x",
            programmeAreas = Array.Empty<string>(),
            budget = 100m,
            minGrant = 500m,
            maxGrant = 200m,
            opensAt = now,
            closesAt = now.AddDays(-1),
            rubric = new[] { new { id = "a", name = "A", weight = 50, maxPoints = 10 } },
            periods = new { screening = "two weeks", review = "P14D", publicity = "P7D" },
        }, Samples.Admin);

        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (reply.Status, reply.Code));
        var fields = reply.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "title", "programmeAreas", "maxGrant", "closesAt", "rubric", "periods.screening" }, fields);
    }
}

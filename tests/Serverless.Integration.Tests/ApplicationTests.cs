using System.Net;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

[Collection(UsesSharedDevHost.Name)]
public sealed class ApplicationTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_first_application_and_stores_one()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var key = Guid.NewGuid().ToString();

        var first = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(orgId), key);
        var retry = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(orgId), key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal(first.Str("id"), retry.Str("id"));
        Assert.Equal($"/api/rounds/{roundId}/applications/{first.Str("id")}", first.Location);
        var list = await Api.GetAsync($"rounds/{roundId}/applications", Samples.Admin);
        Assert.Equal(1, list.Body.GetArrayLength());
        var round = await Api.GetAsync($"rounds/{roundId}");
        Assert.Equal(1, round.Body.GetProperty("applications").GetProperty("submitted").GetInt32());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_a_different_body_is_refused()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var key = Guid.NewGuid().ToString();

        await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(50_000m), Samples.Organization(orgId), key);
        var reused = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(60_000m), Samples.Organization(orgId), key);

        Assert.Equal((HttpStatusCode.Conflict, "idempotency-key-reused"), (reused.Status, reused.Code));
    }

    [Fact]
    public async Task An_organization_applies_with_an_html_form_post()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync("道里区阳光助残服务社");

        var reply = await Api.PostFormAsync($"rounds/{roundId}/applications", Samples.ApplicationFormFields(30_000m), Samples.Organization(orgId));

        Assert.Equal(HttpStatusCode.Created, reply.Status);
        var content = reply.Body.GetProperty("content");
        Assert.Equal("disability", content.GetProperty("programmeArea").GetString());
        Assert.Equal(30_000m, content.GetProperty("amountRequested").GetDecimal());
        Assert.Equal(["共乐社区", "安静社区"], content.GetProperty("communitiesServed").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("道里区阳光助残服务社", reply.Str("organizationName"));
    }

    [Fact]
    public async Task Invalid_fields_are_reported_together_and_nothing_is_stored()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var fields = Samples.ApplicationFormFields(500_000m);
        fields.RemoveAll(f => f.Key == "projectTitle");
        fields.Add(new("beneficiaryCount", "many"));

        var reply = await Api.PostFormAsync($"rounds/{roundId}/applications", fields, Samples.Organization(orgId));

        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (reply.Status, reply.Code));
        var errors = reply.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("beneficiaryCount", out _), reply.Text);
        var json = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(500_000m) , Samples.Organization(orgId));
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (json.Status, json.Code));
        Assert.Contains("100000", json.Body.GetProperty("errors").GetProperty("amountRequested")[0].GetString(), StringComparison.Ordinal);
        var list = await Api.GetAsync($"rounds/{roundId}/applications", Samples.Admin);
        Assert.Equal(0, list.Body.GetArrayLength());
    }

    [Fact]
    public async Task An_organization_reads_edits_and_withdraws_its_own_application_and_nobody_else_can()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var owner = await devHost.RegisterOrganizationAsync();
        var stranger = await devHost.RegisterOrganizationAsync("另一家社会组织");
        var created = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization(owner));
        var path = $"rounds/{roundId}/applications/{created.Str("id")}";

        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(path, Samples.Organization(owner))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync(path, Samples.Admin)).Status);
        // Who applied is confidential: to another organization the application does not exist.
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), Of(await Api.GetAsync(path, Samples.Organization(stranger))));
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), Of(await Api.GetAsync(path)));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.PutAsync(path, Samples.ApplicationForm(), Samples.Organization(stranger))).Status);
        var strangersList = await Api.GetAsync($"rounds/{roundId}/applications", Samples.Organization(stranger));
        Assert.Equal(0, strangersList.Body.GetArrayLength());

        var edited = await Api.PutAsync(path, Samples.ApplicationForm(80_000m, "长者助餐暖心行动（修订）"), Samples.Organization(owner));
        Assert.Equal(HttpStatusCode.OK, edited.Status);
        Assert.Equal(2, edited.Body.GetProperty("version").GetInt32());
        Assert.Equal(80_000m, edited.Body.GetProperty("content").GetProperty("amountRequested").GetDecimal());

        // A second project from the same organization is a second application, not a retry of the first.
        var second = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(30_000m, "社区议事厅"), Samples.Organization(owner));
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.NotEqual(created.Str("id"), second.Str("id"));

        var withdrawn = await Api.PostAsync($"{path}/withdraw", null, Samples.Organization(owner));
        Assert.Equal("withdrawn", withdrawn.Str("status"));
        var round = await Api.GetAsync($"rounds/{roundId}");
        Assert.Equal(1, round.Body.GetProperty("applications").GetProperty("submitted").GetInt32());
        Assert.Equal(1, round.Body.GetProperty("applications").GetProperty("withdrawn").GetInt32());
        Assert.Equal((HttpStatusCode.Conflict, "invalid-state"), Of(await Api.PutAsync(path, Samples.ApplicationForm(), Samples.Organization(owner))));
    }

    [Fact]
    public async Task Only_a_signed_in_organization_member_can_apply()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));

        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), Of(await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm())));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), Of(await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), "reviewer")));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"),
            Of(await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), Samples.Organization("org-00000000000000000000000000000000"))));
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}

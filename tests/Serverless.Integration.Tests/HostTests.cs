using System.Net;
using System.Text;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

[Collection(UsesSharedDevHost.Name)]
public sealed class HostTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task Health_reports_storage_and_the_durable_engine()
    {
        var reply = await Api.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("healthy", reply.Str("status"));
        Assert.Equal("healthy", reply.Body.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("healthy", reply.Body.GetProperty("durable").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_says_nothing_of_storage_operations_unless_they_are_counted()
    {
        var reply = await Api.GetAsync("health");

        Assert.False(reply.Body.TryGetProperty("storageOperations", out _));
        Assert.Null(reply.StorageOperations);
    }

    [Fact]
    public async Task A_counting_DevHost_says_how_many_storage_operations_each_reply_cost_and_in_total()
    {
        await using var counting = await DevHostProcess.StartAsync(extra: new Dictionary<string, string> { ["Storage__CountOperations"] = "true" });
        var api = counting.Client;
        var before = (await api.GetAsync("health")).Body.GetProperty("storageOperations").GetInt64();

        var registered = await api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode()), Samples.Admin);
        var read = await api.GetAsync($"organizations/{registered.Str("id")}");
        var after = (await api.GetAsync("health")).Body.GetProperty("storageOperations").GetInt64();

        Assert.Equal(HttpStatusCode.Created, registered.Status);
        Assert.Equal(1, read.StorageOperations); // one point read
        Assert.InRange(registered.StorageOperations!.Value, 2, 10); // the code's lookup, then the write
        // The total moved by at least both replies' own and the health probe's ping.
        Assert.True(after - before >= registered.StorageOperations + read.StorageOperations + 1, $"{before} -> {after}");
    }

    [Fact]
    public async Task Replies_and_problems_are_json_a_browser_must_not_sniff()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{devHost.Host.Port}/api/") };
        foreach (var path in new[] { "health", "rounds/nope'or'1", "organizations" })
        {
            using var reply = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("nosniff", string.Join(",", reply.Headers.GetValues("X-Content-Type-Options")));
            Assert.StartsWith("application/", reply.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_and_the_reference_page_are_served_to_anyone_and_the_page_may_run_no_script()
    {
        var document = await devHost.Api.GetAsync("openapi.json");
        Assert.Equal(HttpStatusCode.OK, document.Status);
        Assert.Equal("3.1.0", document.Str("openapi"));
        Assert.True(document.Body.GetProperty("paths").TryGetProperty("/rounds/{roundId}/applications", out var applications));
        Assert.Equal("SubmitApplication", applications.GetProperty("post").GetProperty("operationId").GetString());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{devHost.Host.Port}/api/") };
        using var page = await http.GetAsync(new Uri("reference", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", string.Join(",", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<code>/api/rounds/{roundId}/applications</code>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_with_a_binding_no_id_could_have_is_refused()
    {
        var reply = await Api.GetAsync("me", "volunteer; volunteer=PartitionKey%20eq%20'x'");

        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (reply.Status, reply.Code));
    }

    [Fact]
    public async Task The_development_sign_in_yields_the_platform_principal()
    {
        var reply = await Api.GetAsync("me", "organization; org=org-abc; name=Li%20Hua");

        Assert.True(reply.Body.GetProperty("authenticated").GetBoolean());
        Assert.Equal(["organization"], reply.Body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal("org-abc", reply.Str("organizationId"));
        Assert.Equal("Li Hua", reply.Str("name"));
    }

    [Fact]
    public async Task A_principal_header_sent_by_a_client_is_ignored_as_the_platform_does()
    {
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            "{\"auth_typ\":\"aad\",\"claims\":[{\"typ\":\"roles\",\"val\":\"admin\"},{\"typ\":\"http://schemas.microsoft.com/identity/claims/objectidentifier\",\"val\":\"x\"}]}"));

        var reply = await Api.SendAsync(HttpMethod.Get, "me", null, null, headers: new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = forged });

        Assert.False(reply.Body.GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_role_in_the_development_sign_in_is_a_clear_error()
    {
        var reply = await Api.GetAsync("me", "superuser");

        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (reply.Status, reply.Code));
    }

    [Fact]
    public async Task An_unknown_route_is_a_not_found_problem()
    {
        var reply = await Api.GetAsync("nowhere");

        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (reply.Status, reply.Code));
    }
}

using System.Net;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

[Collection(UsesSharedDevHost.Name)]
public sealed class OrganizationTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task The_bureau_registers_an_organization_and_anyone_reads_it_with_the_phone_masked()
    {
        var code = Samples.NewCreditCode();
        var created = await Api.PostAsync("organizations", Samples.OrganizationForm(code), Samples.Admin);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Str("id");
        Assert.Equal($"/api/organizations/{id}", created.Location);

        var asPublic = await Api.GetAsync($"organizations/{id}");
        Assert.Equal(HttpStatusCode.OK, asPublic.Status);
        Assert.Equal(code, asPublic.Str("creditCode"));
        Assert.Equal("共乐社区", asPublic.Body.GetProperty("address").GetProperty("community").GetString());
        Assert.Equal("138****0001", asPublic.Body.GetProperty("contact").GetProperty("phone").GetString());

        var asMember = await Api.GetAsync($"organizations/{id}", Samples.Organization(id));
        Assert.Equal("13804510001", asMember.Body.GetProperty("contact").GetProperty("phone").GetString());
    }

    [Fact]
    public async Task A_second_registration_of_the_same_credit_code_is_refused_and_names_the_first()
    {
        var code = Samples.NewCreditCode();
        var first = await Api.PostAsync("organizations", Samples.OrganizationForm(code), Samples.Admin);
        var second = await Api.PostAsync("organizations", Samples.OrganizationForm(code, "另一个名字的组织"), Samples.Admin);

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("duplicate-credit-code", second.Code);
        Assert.Contains(first.Str("id"), second.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_first_registration()
    {
        var form = Samples.OrganizationForm(Samples.NewCreditCode());
        var key = Guid.NewGuid().ToString();

        var first = await Api.PostAsync("organizations", form, Samples.Admin, key);
        var retry = await Api.PostAsync("organizations", form, Samples.Admin, key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal(first.Str("id"), retry.Str("id"));
    }

    [Fact]
    public async Task A_mistyped_credit_code_is_a_field_error_and_nothing_is_stored()
    {
        var code = Samples.NewCreditCode();
        var mistyped = code[..17] + (code[17] == '0' ? '1' : '0');

        var reply = await Api.PostAsync("organizations", Samples.OrganizationForm(mistyped), Samples.Admin);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("application/problem+json", reply.MediaType);
        Assert.Equal("validation-failed", reply.Code);
        Assert.Contains("check character", reply.Body.GetProperty("errors").GetProperty("creditCode")[0].GetString(), StringComparison.Ordinal);

        // The correct code still registers: the refused request left nothing behind.
        var corrected = await Api.PostAsync("organizations", Samples.OrganizationForm(code), Samples.Admin);
        Assert.Equal(HttpStatusCode.Created, corrected.Status);
    }

    [Fact]
    public async Task Only_the_bureau_registers_organizations()
    {
        var form = Samples.OrganizationForm(Samples.NewCreditCode());

        var anonymous = await Api.PostAsync("organizations", form);
        var organization = await Api.PostAsync("organizations", form, Samples.Organization("org-x"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("unauthenticated", anonymous.Code);
        Assert.Equal(HttpStatusCode.Forbidden, organization.Status);
        Assert.Equal("forbidden", organization.Code);
    }

    [Fact]
    public async Task Malformed_and_unknown_fields_are_clear_client_errors()
    {
        var broken = await Api.PostRawAsync("organizations", "{\"name\": ", "application/json", Samples.Admin);
        var unknown = await Api.PostRawAsync("organizations", "{\"nmae\": \"typo\"}", "application/json", Samples.Admin);
        var xml = await Api.PostRawAsync("organizations", "<org/>", "application/xml", Samples.Admin);

        Assert.Equal((HttpStatusCode.BadRequest, "malformed-body"), (broken.Status, broken.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "malformed-body"), (unknown.Status, unknown.Code));
        Assert.Contains("nmae", unknown.Str("detail"), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported-media-type"), (xml.Status, xml.Code));
    }

    [Fact]
    public async Task An_unknown_organization_is_not_found()
    {
        var reply = await Api.GetAsync("organizations/org-00000000000000000000000000000000");

        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (reply.Status, reply.Code));
    }
}

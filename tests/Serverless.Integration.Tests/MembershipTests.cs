using System.Net;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Sign-ins bound to what they act for by the product's own membership table, where the identity provider
/// issues only the roles: a volunteer's own sign-up, and the bureau binding organizations and dispatchers.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class MembershipTests(SharedDevHost devHost)
{
    private ApiClient Api => devHost.Api;

    private static object VolunteerForm(string name) => new
    {
        name,
        phone = "13912345678",
        gridId = "g0001",
        skills = new[] { "companionship" },
        availability = new[] { new { day = "monday", from = "08:00", to = "18:00" } },
        weeklyCap = 3,
    };

    [Fact]
    public async Task A_volunteer_who_signs_up_is_bound_to_the_volunteer_they_registered_as()
    {
        var principal = $"volunteer; id=user-{Guid.NewGuid():N}";
        var before = await Api.GetAsync("me", principal);
        Assert.Equal(System.Text.Json.JsonValueKind.Undefined, before.Body.TryGetProperty("volunteerId", out var none) ? none.ValueKind : default);

        var registered = await Api.PostAsync("volunteers", VolunteerForm("新志愿者"), principal);
        Assert.True(registered.Status == HttpStatusCode.Created, registered.ToString());
        var id = registered.Str("id");

        Assert.Equal(id, (await Api.GetAsync("me", principal)).Str("volunteerId"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"volunteers/{id}", principal)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("offers/mine", principal)).Status);
        // Signing up again is the same volunteer, not a second one.
        Assert.Equal(id, (await Api.PostAsync("volunteers", VolunteerForm("新志愿者"), principal)).Str("id"));
        // Another unbound sign-in is nobody's volunteer.
        var stranger = $"volunteer; id=user-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"volunteers/{id}", stranger)).Status);
    }

    [Fact]
    public async Task The_bureau_binds_an_organization_member_and_a_dispatchers_communities_and_the_binding_is_audited()
    {
        var orgId = await devHost.RegisterOrganizationAsync();
        var memberId = $"user-{Guid.NewGuid():N}";
        var member = $"organization; id={memberId}";
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var unbound = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), member);
        Assert.Equal(HttpStatusCode.Forbidden, unbound.Status);

        var bound = await Api.PutAsync($"members/{memberId}", new { organizationId = orgId }, Samples.Admin);
        Assert.True(bound.Status == HttpStatusCode.OK, bound.ToString());
        Assert.Equal(orgId, (await Api.GetAsync("me", member)).Str("organizationId"));
        var applied = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), member);
        Assert.True(applied.Status == HttpStatusCode.Created, applied.ToString());
        Assert.Equal(orgId, applied.Str("organizationId"));

        var dispatcherId = $"user-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"members/{dispatcherId}", new { communities = new[] { "c002", "c001" } }, Samples.Admin)).Status);
        var me = await Api.GetAsync("me", $"dispatcher; id={dispatcherId}");
        Assert.Equal(["c001", "c002"], me.Body.GetProperty("communities").EnumerateArray().Select(c => c.GetString()));

        var trail = await Api.GetAsync($"audit/members/{memberId}", Samples.Admin);
        var record = Assert.Single(trail.Body.GetProperty("entries").EnumerateArray()).GetProperty("record");
        Assert.Equal(("dev-admin", "SetMember"), (record.GetProperty("actor").GetString(), record.GetProperty("via").GetString()));
        Assert.True(trail.Body.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task Only_the_bureau_binds_and_a_binding_must_name_what_exists()
    {
        var target = $"user-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.PutAsync($"members/{target}", new { communities = new[] { "c001" } })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PutAsync($"members/{target}", new { communities = new[] { "c001" } }, "dispatcher; community=c001")).Status);

        var unknown = await Api.PutAsync($"members/{target}", new { organizationId = "org-00000000000000000000000000000000", communities = new[] { "c999" } }, Samples.Admin);
        Assert.Equal((HttpStatusCode.BadRequest, "validation-failed"), (unknown.Status, unknown.Code));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"members/{target}", Samples.Admin)).Status);
    }
}

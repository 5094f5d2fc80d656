using System.Text;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Tests;

public sealed class ClientPrincipalTests
{
    private static HttpRequest RequestWith(string? principal)
    {
        var request = new DefaultHttpContext().Request;
        if (principal is not null)
        {
            request.Headers[ClientPrincipal.Header] = principal;
        }

        return request;
    }

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static Problem Refusal(string principal) =>
        Assert.Throws<ProblemException>(() => ClientPrincipal.Read(RequestWith(principal))).Problem;

    [Fact]
    public void An_encoded_caller_reads_back_with_id_name_roles_organization_and_volunteer()
    {
        var caller = new Caller("user-7", "李梅", new HashSet<Role> { Role.Organization, Role.Volunteer }, "org-42", "vol-9");

        var read = ClientPrincipal.Read(RequestWith(ClientPrincipal.Encode(caller)));

        Assert.True(read.IsAuthenticated);
        Assert.Equal("user-7", read.Id);
        Assert.Equal("李梅", read.Name);
        Assert.Equal(caller.Roles.Order(), read.Roles.Order());
        Assert.Equal("org-42", read.OrganizationId);
        Assert.Equal("vol-9", read.VolunteerId);
        Assert.True(read.ActsFor("org-42"));
        Assert.False(read.ActsFor("org-43"));
    }

    [Fact]
    public void Every_product_role_survives_the_round_trip()
    {
        var caller = new Caller("user-1", "All roles", Enum.GetValues<Role>().ToHashSet());

        var read = ClientPrincipal.Read(RequestWith(ClientPrincipal.Encode(caller)));

        Assert.Equal(Enum.GetValues<Role>().Order(), read.Roles.Order());
    }

    [Fact]
    public void A_request_without_the_header_comes_from_the_public()
    {
        var read = ClientPrincipal.Read(RequestWith(null));

        Assert.Same(Caller.Public, read);
        Assert.False(read.IsAuthenticated);
        Assert.Empty(read.Roles);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("e30")] // '{}' without its padding
    public void A_header_that_is_not_base64_is_refused_as_an_invalid_principal(string header)
    {
        var problem = Refusal(header);

        Assert.Equal(401, problem.Status);
        Assert.Equal(ProblemCodes.InvalidPrincipal, problem.Code);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"auth_typ\":\"aad\"}")]
    [InlineData("[1,2,3]")]
    [InlineData("this is not json")]
    public void A_header_without_a_claims_document_is_refused_as_an_invalid_principal(string json)
    {
        var problem = Refusal(Base64(json));

        Assert.Equal(401, problem.Status);
        Assert.Equal(ProblemCodes.InvalidPrincipal, problem.Code);
    }

    [Theory]
    [InlineData("http://schemas.microsoft.com/identity/claims/objectidentifier", "a/b")]
    [InlineData("organization_id", "org-1' or PartitionKey ne '")]
    [InlineData("volunteer_id", "vol-1<script>")]
    [InlineData("community_id", "c001#x")]
    public void A_principal_whose_identifier_or_binding_no_id_could_have_is_refused(string claim, string value)
    {
        var claims = claim.EndsWith("objectidentifier", StringComparison.Ordinal)
            ? $$"""[{"typ":"{{claim}}","val":"{{value}}"}]"""
            : $$"""[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"user-1"},{"typ":"{{claim}}","val":"{{value}}"}]""";

        var problem = Refusal(Base64($$"""{"auth_typ":"aad","claims":{{claims}}}"""));

        Assert.Equal((401, ProblemCodes.InvalidPrincipal), (problem.Status, problem.Code));
    }

    [Fact]
    public void A_principal_with_claims_but_no_identifier_is_refused()
    {
        var problem = Refusal(Base64("""{"claims":[{"typ":"roles","val":"admin"}]}"""));

        Assert.Equal(401, problem.Status);
        Assert.Equal(ProblemCodes.InvalidPrincipal, problem.Code);
    }

    [Fact]
    public void Role_claims_that_are_not_product_roles_are_ignored_and_names_are_case_insensitive()
    {
        var json = """
            {"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[
              {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"user-1"},
              {"typ":"roles","val":"anonymous"},
              {"typ":"roles","val":"authenticated"},
              {"typ":"roles","val":"superuser"},
              {"typ":"roles","val":"0"},
              {"typ":"roles","val":"Reviewer"},
              {"typ":"roles","val":null}
            ]}
            """;

        var read = ClientPrincipal.Read(RequestWith(Base64(json)));

        Assert.Equal([Role.Reviewer], read.Roles);
    }

    [Fact]
    public void Roles_are_read_from_the_provider_s_role_claim_type()
    {
        var json = """
            {"auth_typ":"aad","role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","claims":[
              {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"user-1"},
              {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"committee"}
            ]}
            """;

        Assert.Equal([Role.Committee], ClientPrincipal.Read(RequestWith(Base64(json))).Roles);
    }

    [Fact]
    public void An_anonymous_caller_who_must_hold_a_role_is_refused_with_401()
    {
        var problem = Assert.Throws<ProblemException>(() => Caller.Public.Require(Role.Admin)).Problem;

        Assert.Equal(401, problem.Status);
        Assert.Equal(ProblemCodes.Unauthenticated, problem.Code);
    }

    [Fact]
    public void A_signed_in_caller_without_the_role_is_refused_with_403_naming_the_roles()
    {
        var volunteer = new Caller("user-2", "Volunteer", new HashSet<Role> { Role.Volunteer }, VolunteerId: "vol-1");

        var problem = Assert.Throws<ProblemException>(() => volunteer.Require(Role.Admin, Role.Reviewer)).Problem;

        Assert.Equal(403, problem.Status);
        Assert.Equal(ProblemCodes.Forbidden, problem.Code);
        Assert.Equal("This needs one of the roles: admin, reviewer.", problem.Detail);
    }

    [Fact]
    public void A_caller_holding_any_one_of_the_roles_passes()
    {
        var reviewer = new Caller("user-3", "Expert", new HashSet<Role> { Role.Reviewer });

        var thrown = Record.Exception(() => reviewer.Require(Role.Admin, Role.Reviewer));

        Assert.Null(thrown);
    }

    [Fact]
    public void An_organization_member_without_a_bound_organization_is_refused_with_403()
    {
        var unbound = new Caller("user-4", "Member", new HashSet<Role> { Role.Organization });

        var problem = Assert.Throws<ProblemException>(() => unbound.RequireOrganization()).Problem;

        Assert.Equal(403, problem.Status);
        Assert.Equal(ProblemCodes.Forbidden, problem.Code);
    }

    [Fact]
    public void An_organization_member_acts_for_the_organization_bound_to_the_sign_in()
    {
        var member = new Caller("user-5", "Member", new HashSet<Role> { Role.Organization }, "org-42");

        Assert.Equal("org-42", member.RequireOrganization());
    }

    [Fact]
    public void A_principal_with_a_null_claim_is_refused_as_an_invalid_principal()
    {
        var problem = Refusal(Base64("""{"claims":[null,{"typ":"roles","val":"admin"}]}"""));

        Assert.Equal(401, problem.Status);
        Assert.Equal(ProblemCodes.InvalidPrincipal, problem.Code);
    }
}

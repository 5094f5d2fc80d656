using System.Net;
using System.Text.Json;
using Serverless.Core.Dispatch;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Fifty conflicting writes to one aggregate at the same moment lose nothing: each is either applied (and then
/// on the audit trail, whose chain stays intact) or refused with a clear conflict; the state is the last one
/// applied; an offer accepted fifty times at once is won once.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class ConcurrencyTests(SharedDevHost devHost)
{
    private const int Writers = 50;

    private ApiClient Api => devHost.Api;

    [Fact]
    public async Task Fifty_concurrent_edits_of_one_application_each_apply_or_conflict_and_none_is_lost()
    {
        var roundId = await devHost.OpenRoundAsync(TimeSpan.FromMinutes(10));
        var orgId = await devHost.RegisterOrganizationAsync();
        var submitted = await Api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(50_000m), Samples.Organization(orgId));
        var applicationId = submitted.Str("id");

        var replies = await Task.WhenAll(Enumerable.Range(1, Writers).Select(i =>
            Api.PutAsync($"rounds/{roundId}/applications/{applicationId}", Samples.ApplicationForm(40_000m + i), Samples.Organization(orgId))));

        var applied = AppliedOrConflicted(replies).Select(r => r.Body.GetProperty("content").GetProperty("amountRequested").GetDecimal()).ToList();
        var trail = (await Api.GetAsync($"audit/applications/{applicationId}?round={roundId}", Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
        var recorded = Amounts(trail).ToList();
        // Every acknowledged edit is on the trail, once, and nothing else is; the application holds the last.
        Assert.Equal(applied.Order(), recorded.Order());
        var now = await Api.GetAsync($"rounds/{roundId}/applications/{applicationId}", Samples.Organization(orgId));
        Assert.Equal(recorded[^1], now.Body.GetProperty("content").GetProperty("amountRequested").GetDecimal());
    }

    [Fact]
    public async Task Fifty_concurrent_updates_of_one_volunteer_each_apply_or_conflict_and_none_is_lost()
    {
        var volunteer = await Api.PostAsync("volunteers", Form("并发志愿者", "g0901", "tutoring"), Samples.Admin);
        var id = volunteer.Str("id");
        var self = $"volunteer; volunteer={id}";

        var replies = await Task.WhenAll(Enumerable.Range(1, Writers).Select(i =>
            Api.PutAsync($"volunteers/{id}", Form($"并发志愿者{i:D2}", "g0901", "tutoring"), self)));

        var applied = AppliedOrConflicted(replies).Select(r => r.Str("name")).ToList();
        var trail = (await Api.GetAsync($"audit/volunteers/{id}", Samples.Admin)).Body;
        Assert.True(trail.GetProperty("intact").GetBoolean(), trail.ToString());
        var names = Entries(trail).Skip(1).Select(e => Change(e, "name")).Where(n => n is not null).Select(n => JsonSerializer.Deserialize<string>(n!)!).ToList();
        Assert.Equal(applied.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(names[^1], (await Api.GetAsync($"volunteers/{id}", self)).Str("name"));
    }

    [Fact]
    public async Task An_offer_accepted_fifty_times_at_once_is_won_once()
    {
        const string grid = "g1201";
        var community = DistrictMap.Shipped.FindGrid(grid)!.CommunityId;
        var dispatcher = $"dispatcher; community={community}";
        var volunteer = (await Api.PostAsync("volunteers", Form("抢单志愿者", grid, "legal-aid",
            [new { skill = "legal-aid", name = "法律职业资格证", expiresOn = "2030-12-31" }]), Samples.Admin)).Str("id");
        var request = await Api.PostAsync("service-requests", new
        {
            beneficiaryId = "res-concur01",
            beneficiaryName = "赵大爷",
            vulnerability = "elderly-alone",
            need = "法律咨询。",
            skills = new[] { "legal-aid" },
            gridId = grid,
            tier = "blue",
            source = "hotline",
        }, dispatcher);
        Assert.True(request.Status == HttpStatusCode.Created, request.ToString());
        var requestId = request.Str("id");
        var self = $"volunteer; volunteer={volunteer}";
        var offer = await Poll.UntilAsync(() => Api.GetAsync("offers/mine", self), r => r.Body.EnumerateArray().Any(o => o.GetProperty("requestId").GetString() == requestId));
        var offerId = offer.Body.EnumerateArray().Single(o => o.GetProperty("requestId").GetString() == requestId).GetProperty("id").GetString();

        var replies = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Api.PostAsync($"offers/{offerId}/accept", null, self)));

        AppliedOrConflicted(replies);
        var accepted = await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{requestId}", dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted");
        Assert.Equal(volunteer, accepted.Body.GetProperty("request").GetProperty("volunteerId").GetString());
        var offerTrail = (await Api.GetAsync($"audit/offers/{offerId}?volunteer={volunteer}", Samples.Admin)).Body;
        Assert.True(offerTrail.GetProperty("intact").GetBoolean());
        Assert.Single(Entries(offerTrail), e => Change(e, "status") == "\"accepted\"");
        var requestTrail = (await Api.GetAsync($"audit/service-requests/{requestId}", Samples.Admin)).Body;
        Assert.Single(Entries(requestTrail), e => Change(e, "status") == "\"accepted\"");
    }

    /// <summary>Each reply is an application (200) or a clear conflict (409 with a code); at least one applied.</summary>
    private static List<Reply> AppliedOrConflicted(Reply[] replies)
    {
        Assert.All(replies, r => Assert.True(r.Status == HttpStatusCode.OK || (r.Status == HttpStatusCode.Conflict && r.Code is not null), r.ToString()));
        var applied = replies.Where(r => r.Status == HttpStatusCode.OK).ToList();
        Assert.NotEmpty(applied);
        return applied;
    }

    private static IEnumerable<JsonElement> Entries(JsonElement trail) =>
        trail.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("record"));

    private static string? Change(JsonElement record, string path) =>
        record.GetProperty("changes").EnumerateArray().FirstOrDefault(c => c.GetProperty("path").GetString() == path) is { ValueKind: JsonValueKind.Object } change
            && change.TryGetProperty("after", out var after) ? after.GetString() : null;

    private static IEnumerable<decimal> Amounts(JsonElement trail) =>
        Entries(trail).Skip(1).Select(e => Change(e, "content.amountRequested")).Where(a => a is not null).Select(a => decimal.Parse(a!, System.Globalization.CultureInfo.InvariantCulture));

    private static object Form(string name, string grid, string skill, object[]? certifications = null) => new
    {
        name,
        phone = "13700001111",
        gridId = grid,
        skills = new[] { skill },
        availability = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToLowerInvariant(), from = "00:00", to = "23:59" }).ToArray(),
        weeklyCap = 5,
        certifications = certifications ?? [],
    };
}

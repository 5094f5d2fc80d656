using System.Globalization;
using System.Net;
using System.Text;
using Serverless.Core.Dispatch;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>A DevHost of its own, so its log holds only what this test did.</summary>
public sealed class PersonalDataFixture : IAsyncLifetime
{
    public DevHostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await DevHostProcess.StartAsync(extra: new Dictionary<string, string>
    {
        // Everything the product itself logs, at every level it logs.
        ["Logging__LogLevel__Serverless"] = "Trace",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Phone numbers and resident ID numbers (居民身份证号) are personal data: replies to anyone but the bureau and
/// the person (or, for a beneficiary, the dispatchers of their community) show them masked, and the DevHost's
/// log never holds them, whatever requests carry them, valid or hostile.
/// </summary>
public sealed class PersonalDataTests(PersonalDataFixture fixture) : IClassFixture<PersonalDataFixture>
{
    private const string Phone = "13987654321";
    private const string OrganizationPhone = "13804510001"; // Samples.OrganizationForm's contact

    /// <summary>A resident ID number of a Daoli resident born 1950-03-07, with its GB 11643 check character.</summary>
    private static readonly string IdNumber = ResidentId("23010219500307123");

    private ApiClient Api => fixture.Host.Client;

    [Fact]
    public async Task Phone_and_ID_numbers_are_masked_for_others_and_never_written_to_the_log()
    {
        var log = new LogWatch(fixture.Host);
        var ids = await ProgrammeIds.CreateAsync(Api, Phone, beneficiaryId: IdNumber);
        log.Take();

        // Hostile requests that carry the numbers: in bodies, routes, query strings, headers and sign-ins.
        var everyone = ids.Everyone;
        var hostile = new List<(string Method, string Path, string? Principal, string? Body, Dictionary<string, string>? Headers)>
        {
            ("POST", "volunteers", everyone, $"{{\"name\":\"张伟\",\"phone\":{Phone},\"gridId\":\"{ids.GridId}\"}}", null),
            ("POST", "volunteers", everyone, $"{{\"name\":\"张伟\",\"phone\":\"{Phone}\\u0000\",\"gridId\":\"{ids.GridId}\"}}", null),
            ("POST", "volunteers", everyone, $"{{\"name\":\"张伟\",\"phone\":\"{Phone}\",\"phone\":\"{Phone}\"}}", null),
            ("POST", "volunteers", everyone, $"{{\"name\":\"{IdNumber}\",\"phone\":\"{Phone}\",\"idNumber\":\"{IdNumber}\"}}", null),
            ("PUT", $"volunteers/{ids.VolunteerId}", everyone, $"{{\"name\":\"张伟\",\"phone\":\"{Phone}'\",\"gridId\":\"{IdNumber}\"}}", null),
            ("POST", "service-requests", everyone, $"{{\"beneficiaryId\":\"{IdNumber}'\",\"beneficiaryName\":\"张大爷\",\"need\":\"身份证 {IdNumber} 电话 {Phone}\",\"gridId\":\"{ids.GridId}\",\"tier\":\"blue\",\"skills\":[\"companionship\"]}}", null),
            ("POST", "service-requests", everyone, $"{{\"beneficiaryId\":{IdNumber},\"beneficiaryName\":\"张大爷\"}}", null),
            ("POST", "service-requests", everyone, $"{{\"beneficiaryId\":\"{IdNumber}\",\"need\":\"{Phone}\\ud800\"}}", null),
            ("POST", "pairings", everyone, $"{{\"volunteerId\":\"{Phone}' or 1 eq 1\",\"beneficiaryId\":\"{IdNumber}\",\"beneficiaryName\":\"王奶奶\",\"gridId\":\"{ids.GridId}\"}}", null),
            ("POST", "pairings", everyone, $"{{\"volunteerId\":\"{ids.VolunteerId}\",\"beneficiaryId\":\"{IdNumber}\",\"beneficiaryName\":\"王奶奶\",\"gridId\":\"{ids.GridId}\",\"every\":\"{Phone}\"}}", null),
            ("POST", "organizations", everyone, $"{{\"name\":\"机构\",\"creditCode\":\"{IdNumber}\",\"contact\":{{\"name\":\"王芳\",\"phone\":\"{Phone}x\"}}}}", null),
            ("PUT", "members/dev-member-9", everyone, $"{{\"organizationId\":\"{IdNumber}\",\"volunteerId\":\"{Phone}\"}}", null),
            ("POST", $"rounds/{ids.RoundId}/objections", null, $"{{\"applicationId\":\"{IdNumber}\",\"grounds\":\"举报人电话 {Phone}，身份证 {IdNumber}。\",\"contact\":\"{Phone}\"}}", null),
            ("GET", $"volunteers/{IdNumber}'", everyone, null, null),
            ("GET", $"volunteers/{Phone}", everyone, null, null),
            ("GET", $"service-requests/{IdNumber}", everyone, null, null),
            ("GET", $"reports/volunteering?from={IdNumber}&to={Phone}", everyone, null, null),
            ("POST", "volunteers", everyone, $"{{\"name\":\"张伟\",\"phone\":\"{Phone}\"}}", new() { ["Idempotency-Key"] = $"{Phone} {IdNumber}" }),
            ("GET", "me", $"admin; name={Phone}; id={IdNumber}'", null, null),
            ("GET", $"volunteers/{ids.VolunteerId}", $"volunteer; volunteer={IdNumber}%2F{Phone}", null, null),
            ("GET", "me", $"superuser; name={Phone}", null, null),
            ("POST", "volunteers", everyone, $"{{\"name\":\"张伟\",\"phone\":\"{new string('1', 40_000)}{Phone}\"}}", null),
        };

        foreach (var (method, path, principal, body, headers) in hostile)
        {
            var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
            var reply = await Api.SendAsync(new HttpMethod(method), path, principal, content, headers: headers);
            var request = $"{method} {path} {body}";
            Assert.True((int)reply.Status is >= 400 and < 500 && reply.MediaType == "application/problem+json", $"{request} -> {reply}");
            // The refusal may repeat the caller's own address (instance), never a number in its words.
            foreach (var words in new[] { "title", "detail", "errors" })
            {
                var part = reply.Body.TryGetProperty(words, out var p) ? p.ToString() : "";
                Assert.False(part.Contains(Phone, StringComparison.Ordinal) || part.Contains(IdNumber, StringComparison.Ordinal),
                    $"{request}: the reply's {words} repeats a number: {reply}");
            }

            log.Take();
        }

        // Who may see what: the volunteer's phone in full to the bureau and to the volunteer, masked to a dispatcher.
        var asBureau = await Api.GetAsync($"volunteers/{ids.VolunteerId}", Samples.Admin);
        var asSelf = await Api.GetAsync($"volunteers/{ids.VolunteerId}", $"volunteer; volunteer={ids.VolunteerId}");
        var asDispatcher = await Api.GetAsync($"volunteers/{ids.VolunteerId}", ids.Dispatcher);
        Assert.Equal(Phone, asBureau.Str("phone"));
        Assert.Equal(Phone, asSelf.Str("phone"));
        Assert.Equal("139****4321", asDispatcher.Str("phone"));
        Assert.DoesNotContain(Phone, asDispatcher.Text, StringComparison.Ordinal);

        // An organization's contact phone: in full to the bureau, masked to anyone else.
        var organizationAnonymous = await Api.GetAsync($"organizations/{ids.OrgId}");
        var organizationOther = await Api.GetAsync($"organizations/{ids.OrgId}", "organization; org=org-someone-else");
        Assert.Equal(OrganizationPhone, (await Api.GetAsync($"organizations/{ids.OrgId}", Samples.Admin)).Body.GetProperty("contact").GetProperty("phone").GetString());
        foreach (var reply in new[] { organizationAnonymous, organizationOther })
        {
            Assert.Equal("138****0001", reply.Body.GetProperty("contact").GetProperty("phone").GetString());
            Assert.DoesNotContain(OrganizationPhone, reply.Text, StringComparison.Ordinal);
        }

        // A beneficiary's ID number: in full to the dispatchers of the community, masked to a dispatcher elsewhere.
        var own = await Api.GetAsync($"service-requests/{ids.RequestId}", ids.Dispatcher);
        Assert.Equal(IdNumber, own.Body.GetProperty("request").GetProperty("beneficiaryId").GetString());
        var elsewhere = DistrictMap.Shipped.Communities.Keys.Order(StringComparer.Ordinal).First(c => c != ids.CommunityId);
        var other = await Api.GetAsync($"service-requests/{ids.RequestId}", $"dispatcher; community={elsewhere}");
        Assert.True(other.Status == HttpStatusCode.OK, other.ToString());
        Assert.DoesNotContain(IdNumber, other.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(IdNumber[..14], other.Text, StringComparison.Ordinal);

        // The volunteer's offer, if it came, names no one.
        var offers = await Api.GetAsync("offers/mine", $"volunteer; volunteer={ids.VolunteerId}");
        Assert.DoesNotContain(IdNumber, offers.Text, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(1));
        log.Take();
        foreach (var secret in new[] { Phone, OrganizationPhone, IdNumber, IdNumber[..14] })
        {
            var lines = log.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).Take(5).ToList();
            Assert.True(lines.Count == 0, $"The DevHost logged {secret}:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
        }

        Assert.True(log.Lines.Count > 0, "The DevHost's output was not captured at all.");
    }

    /// <summary>The 18-character resident ID number with the check character of GB 11643 for these 17 digits.</summary>
    private static string ResidentId(string first17)
    {
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = first17.Select((c, i) => (c - '0') * weights[i]).Sum();
        return first17 + "10X98765432"[sum % 11].ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Everything the DevHost wrote, gathered as the test goes (the harness keeps only the last few hundred
    /// lines, so it is read after every step).
    /// </summary>
    private sealed class LogWatch(DevHostProcess host)
    {
        public HashSet<string> Lines { get; } = new(StringComparer.Ordinal);

        public void Take() => Lines.UnionWith(host.Output.Split(Environment.NewLine));
    }
}

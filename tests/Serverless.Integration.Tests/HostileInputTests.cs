using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;
using Xunit.Abstractions;
using Reply = Serverless.Integration.Tests.Harness.Reply;

namespace Serverless.Integration.Tests;

/// <summary>
/// A DevHost of its own with a small programme in it (an organization, an open round with an application, an
/// open tender with a question and a bid, a volunteer with a service request and a pairing, a membership), so
/// hostile requests reach real rows.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    public DevHostProcess Host { get; private set; } = null!;

    public ProgrammeIds Ids { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DevHostProcess.StartAsync();
        Ids = await ProgrammeIds.CreateAsync(Host.Client);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Generates at least a thousand malformed and hostile requests over every route of the route table, sends
/// them to the DevHost, and requires each to be refused as a client error (a problem with a code, naming the
/// field when a body field is at fault) without any change to the product's tables.
/// </summary>
public sealed class HostileInputTests(HostileInputFixture fixture, ITestOutputHelper output) : IClassFixture<HostileInputFixture>
{
    [Fact]
    public async Task A_generated_corpus_of_hostile_requests_over_every_route_is_refused_without_a_server_error_or_a_state_change()
    {
        var watch = Stopwatch.StartNew();
        var corpus = HostileCorpus.Build(fixture.Ids);
        Assert.True(corpus.Count >= 1000, $"The corpus has only {corpus.Count} requests.");
        var uncovered = RouteTable.Http.Where(e => corpus.Count(r => r.Endpoint == e.Name) < 3).Select(e => e.Name).ToList();
        Assert.True(uncovered.Count == 0, $"Routes with fewer than 3 hostile requests: {string.Join(", ", uncovered)}");

        var before = await TableSnapshot.StableAsync(fixture.Host);
        var sending = Stopwatch.StartNew();
        var outcomes = await HostileSender.SendAllAsync(fixture.Host, corpus);
        sending.Stop();
        await Task.Delay(TimeSpan.FromSeconds(2)); // anything a request set going in the background lands by now
        var after = await TableSnapshot.TakeAsync(fixture.Host);

        output.WriteLine($"{corpus.Count} requests over {RouteTable.Http.Count} routes sent in {sending.Elapsed.TotalSeconds:0.0} s (test {watch.Elapsed.TotalSeconds:0.0} s; "
            + $"{before.Count} rows before, offer {fixture.Ids.OfferId ?? "none"}).");
        foreach (var group in corpus.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }

        foreach (var status in outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key))
        {
            output.WriteLine($"  status {status.Key}: {status.Count()}");
        }

        var failures = outcomes.Select(o => (Outcome: o, Why: HostileSender.Judge(o))).Where(f => f.Why is not null).ToList();
        var changes = TableSnapshot.Diff(before, after);
        var report = new StringBuilder();
        if (failures.Count > 0)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{failures.Count} of {outcomes.Count} hostile requests were not refused as they should be:");
            foreach (var (outcome, why) in failures.Take(80))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"- {why}: {outcome.Request.Describe()} -> {outcome.Status} {outcome.MediaType} {Short(outcome.Text, 300)}");
            }

            if (failures.Count > 80)
            {
                var rest = string.Join(", ", failures.Skip(80).GroupBy(f => f.Outcome.Request.Endpoint).Select(g => $"{g.Key} {g.Count()}"));
                report.AppendLine(CultureInfo.InvariantCulture, $"… and {failures.Count - 80} more, by route: {rest}");
            }
        }

        if (changes.Count > 0)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"The corpus changed {changes.Count} rows (table|partition|row):");
            foreach (var change in changes.Take(40))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"- {change}");
            }

            var accepted = outcomes.Where(o => o.Status is >= 200 and < 300).Take(40).ToList();
            if (accepted.Count > 0)
            {
                report.AppendLine("Requests that were accepted:");
                foreach (var o in accepted)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"- {o.Request.Describe()} -> {o.Status} {Short(o.Text, 200)}");
                }
            }
        }

        if (failures.Any(f => f.Outcome.Status >= 500))
        {
            report.AppendLine("The DevHost's last output:").AppendLine(fixture.Host.Output);
        }

        Assert.True(report.Length == 0, report.ToString());
    }

    internal static string Short(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>The real ids of the small programme the hostile requests aim at.</summary>
public sealed record ProgrammeIds(
    string OrgId,
    string RoundId,
    string ApplicationId,
    string TenderId,
    string LotId,
    string QuestionId,
    string BidId,
    string GridId,
    string CommunityId,
    string VolunteerId,
    string VolunteerPhone,
    string RequestId,
    string? OfferId,
    string PairingId,
    string MemberPrincipal)
{
    /// <summary>Every role, bound to the programme's organization, volunteer and community: requests reach validation.</summary>
    public string Everyone => $"admin,reviewer,committee,organization,dispatcher,volunteer; org={OrgId}; volunteer={VolunteerId}; community={CommunityId}";

    public string Dispatcher => $"dispatcher; community={CommunityId}";

    public static async Task<ProgrammeIds> CreateAsync(ApiClient api, string volunteerPhone = "13912345678", string beneficiaryId = "res-fixture-1")
    {
        var now = DateTimeOffset.UtcNow;
        var orgId = (await Expect(api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode()), Samples.Admin), HttpStatusCode.Created)).Str("id");
        var org = Samples.Organization(orgId);

        var roundId = (await Expect(api.PostAsync("rounds", Samples.RoundForm(now.AddMinutes(-1), now.AddDays(2)), Samples.Admin), HttpStatusCode.Created)).Str("id");
        await Expect(api.PostAsync($"rounds/{roundId}/publish", null, Samples.Admin), HttpStatusCode.OK);
        var applicationId = (await Expect(api.PostAsync($"rounds/{roundId}/applications", Samples.ApplicationForm(), org), HttpStatusCode.Created)).Str("id");

        var tenderId = (await Expect(api.PostAsync("tenders", HostileCorpus.ValidTender(now), Samples.Admin), HttpStatusCode.Created)).Str("id");
        await Expect(api.PostAsync($"tenders/{tenderId}/publish", null, Samples.Admin), HttpStatusCode.OK);
        var questionId = (await Expect(api.PostAsync($"tenders/{tenderId}/questions", new { text = "服务对象名单何时提供？" }, org), HttpStatusCode.Created)).Str("id");
        var bidId = (await Expect(api.PostAsync($"tenders/{tenderId}/bids", HostileCorpus.ValidBid(), org), HttpStatusCode.Created)).Str("bidId");

        var map = DistrictMap.Shipped;
        var grid = map.Grids.Keys.Order(StringComparer.Ordinal).First();
        var community = map.CommunityOf(grid).Id;
        var volunteerId = (await Expect(api.PostAsync("volunteers", HostileCorpus.ValidVolunteer(grid, volunteerPhone), Samples.Admin), HttpStatusCode.Created)).Str("id");
        var dispatcher = $"dispatcher; community={community}";
        var requestId = (await Expect(api.PostAsync("service-requests", HostileCorpus.ValidServiceRequest(grid, beneficiaryId), dispatcher), HttpStatusCode.Created)).Str("id");
        var pairingId = (await Expect(api.PostAsync("pairings", HostileCorpus.ValidPairing(volunteerId, grid), dispatcher), HttpStatusCode.Created)).Str("pairing", "id");
        const string member = "dev-member-1";
        await Expect(api.PutAsync($"members/{member}", new { organizationId = orgId }, Samples.Admin), HttpStatusCode.OK);

        // The request's dispatch offers it to the volunteer (the only one in the district here); the offer's id, if it comes.
        string? offerId = null;
        for (var until = DateTime.UtcNow.AddSeconds(15); offerId is null && DateTime.UtcNow < until; await Task.Delay(250))
        {
            var mine = await api.GetAsync("offers/mine", $"volunteer; volunteer={volunteerId}");
            offerId = mine.Body.ValueKind == JsonValueKind.Array
                ? mine.Body.EnumerateArray().Where(o => o.GetProperty("requestId").GetString() == requestId).Select(o => o.GetProperty("id").GetString()).FirstOrDefault()
                : null;
        }

        return new ProgrammeIds(orgId, roundId, applicationId, tenderId, "A", questionId, bidId, grid, community, volunteerId, volunteerPhone,
            requestId, offerId, pairingId, member);
    }

    private static async Task<Reply> Expect(Task<Reply> call, HttpStatusCode status)
    {
        var reply = await call;
        Assert.True(reply.Status == status, $"Setting up the hostile-input programme: expected {(int)status}, got {reply}");
        return reply;
    }
}

internal static class ReplyExtensions
{
    public static string Str(this Reply reply, string property, string inner) => reply.Body.GetProperty(property).GetProperty(inner).GetString()!;
}

/// <summary>One hostile request: what it is, where it goes, as whom, with what body, and which field should be blamed.</summary>
internal sealed record HostileRequest(
    string Category,
    string Endpoint,
    string Method,
    string Path,
    string? Principal,
    byte[]? Body = null,
    string? ContentType = null,
    bool Chunked = false,
    string? Field = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public string Describe(int max = 100)
    {
        var body = Body is null ? "-" : $"{JsonSerializer.Serialize(HostileInputTests.Short(Encoding.UTF8.GetString(Body), max))} ({Body.Length} bytes{(Chunked ? ", chunked" : "")})";
        var headers = Headers is null ? "" : " " + string.Join(" ", Headers.Select(h => $"{h.Key}: {JsonSerializer.Serialize(HostileInputTests.Short(h.Value, 40))}"));
        var principal = Principal is null ? "anonymous" : JsonSerializer.Serialize(HostileInputTests.Short(Principal, 50));
        var field = Field is null ? "" : $" (blames {Field})";
        return $"[{Category}]{field} {Method} /api/{HostileInputTests.Short(Path, 160)} as {principal}{headers} {ContentType ?? ""} body {body}";
    }
}

internal sealed record HostileOutcome(HostileRequest Request, int Status, string? MediaType, string Text, string? Transport);

/// <summary>
/// The corpus, generated from a fixed seed: the same requests every run. Body mutations are derived from each
/// endpoint's form type (its JSON properties and their types), so a field added to a form is attacked too.
/// Every request must be refused: a body-less endpoint is only ever sent hostile route values, query strings or
/// principals, and an endpoint that reads a body only bodies that must fail (or a valid body with one hostile id).
/// </summary>
internal sealed class HostileCorpus
{
    public const int Seed = 20270611;

    private const string? NoBody = null;

    /// <summary>The form each endpoint reads. An endpoint not listed reads no body.</summary>
    private static readonly Dictionary<string, Type> Forms = new(StringComparer.Ordinal)
    {
        [nameof(MembershipEndpoints.SetMember)] = typeof(MemberForm),
        [nameof(OrganizationEndpoints.RegisterOrganization)] = typeof(OrganizationForm),
        [nameof(RoundEndpoints.CreateRound)] = typeof(RoundForm),
        [nameof(RoundEndpoints.CancelRound)] = typeof(CancelForm),
        [nameof(ApplicationEndpoints.SubmitApplication)] = typeof(ApplicationForm),
        [nameof(ApplicationEndpoints.EditApplication)] = typeof(ApplicationForm),
        [nameof(StageEndpoints.DecideScreening)] = typeof(ScreeningDecisionForm),
        [nameof(StageEndpoints.SubmitReview)] = typeof(ReviewForm),
        [nameof(StageEndpoints.DeclineReview)] = typeof(DeclineForm),
        [nameof(StageEndpoints.ApproveStage)] = typeof(StageDecisionForm),
        [nameof(StageEndpoints.RejectStage)] = typeof(StageDecisionForm),
        [nameof(StageEndpoints.LodgeObjection)] = typeof(ObjectionForm),
        [nameof(StageEndpoints.RuleObjection)] = typeof(Serverless.Core.Ventures.RulingForm),
        [nameof(GrantEndpoints.SubmitReport)] = typeof(ReportForm),
        [nameof(GrantEndpoints.ReviewReport)] = typeof(ReportReviewForm),
        [nameof(GrantEndpoints.EvaluateGrant)] = typeof(EvaluationForm),
        [nameof(TenderEndpoints.CreateTender)] = typeof(TenderForm),
        [nameof(TenderEndpoints.AskQuestion)] = typeof(QuestionForm),
        [nameof(TenderEndpoints.AnswerQuestion)] = typeof(AnswerForm),
        [nameof(TenderEndpoints.SubmitBid)] = typeof(BidForm),
        [nameof(TenderEndpoints.DecideFailedLot)] = typeof(FailedLotDecisionForm),
        [nameof(AwardEndpoints.DecideQualification)] = typeof(QualificationForm),
        [nameof(AwardEndpoints.ScoreBid)] = typeof(ScoreForm),
        [nameof(AwardEndpoints.ExplainPrice)] = typeof(ExplanationForm),
        [nameof(AwardEndpoints.WithdrawFromAward)] = typeof(ReasonForm),
        [nameof(AwardEndpoints.DisqualifyCandidate)] = typeof(ReasonForm),
        [nameof(AwardEndpoints.LodgeChallenge)] = typeof(ChallengeForm),
        [nameof(AwardEndpoints.RuleChallenge)] = typeof(Serverless.Core.Procurement.RulingForm),
        [nameof(AwardEndpoints.ReportMilestone)] = typeof(MilestoneReportForm),
        [nameof(AwardEndpoints.DecideMilestone)] = typeof(AcceptanceForm),
        [nameof(AwardEndpoints.EvaluatePerformance)] = typeof(PerformanceForm),
        [nameof(DispatchEndpoints.RegisterVolunteer)] = typeof(VolunteerForm),
        [nameof(DispatchEndpoints.UpdateVolunteer)] = typeof(VolunteerForm),
        [nameof(DispatchEndpoints.CreateServiceRequest)] = typeof(ServiceRequestForm),
        [nameof(DispatchEndpoints.CreatePairing)] = typeof(PairingForm),
        [nameof(DispatchEndpoints.LogVisit)] = typeof(VisitForm),
    };

    /// <summary>Endpoints that also take an HTML form post.</summary>
    private static readonly HashSet<string> FormPosts = new(StringComparer.Ordinal)
    {
        nameof(ApplicationEndpoints.SubmitApplication), nameof(ApplicationEndpoints.EditApplication),
    };

    /// <summary>Values that name nothing: OData operators and quotes, traversal, markup, look-alikes, controls, lengths.</summary>
    private static readonly string[] HostileIds =
    [
        "'", "x'", "' or 1 eq 1", "' or '1' eq '1", "x' or PartitionKey ne '", "PartitionKey eq 'org'", "RowKey gt ''",
        "x') or (1 eq 1", "$filter=PartitionKey eq 'x'", "\" or \"\"=\"", "%27", "%2527", "../../organizations", "..\\..\\windows",
        "a/b", "a\\b", "a#b", "a?b=1", "a;b", "a|b", "a b", "*", "%", "~", "()", "{}", "[0]",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "&lt;b&gt;",
        "org\u20101", "ｒｎｄ-1", "оrg-1", "org-1\u200B", "org-1\u202E", "İd", "\u0430pp-1", "١٢٣",
        "a\tb", "a\u0001b", "a\u007fb", "\u00A0", new string('a', 101), new string('9', 3000), "a'||'b",
    ];

    /// <summary>Path segments sent exactly as written (already percent-encoded, or deliberately broken).</summary>
    private static readonly string[] RawSegments =
    [
        "%27", "%2527", "..%2F..%2Fhealth", "%2E%2E%2F%2E%2E%2Fme", "%27%20or%201%20eq%201", "%C0%AE%C0%AE", "%ZZ", "%",
        "%E2%80%AE", "%3Cscript%3E", "%5C..%5C", "x%2Fy", "%EF%BC%87", "%22",
    ];

    private static readonly string[] HostileBodyIds =
    [
        "x' or 1 eq 1", "PartitionKey eq 'x'", "a/b", "../../etc", "a\\b", "a#b", "a?b", "%27", "<script>alert(1)</script>",
        "vol\u2010x", "ｖｏｌ-1", "org-1\u200B", "a b", new string('a', 101),
    ];

    private static readonly string[] GarbagePrincipals =
    [
        "", "superuser", "root", "admin,superuser", "Admin;org", "admin; org:org-1", "admin; role=admin",
        "admin; x-ms-client-principal=e30=", "' or 1 eq 1", "<script>alert(1)</script>", "admin,<img src=x>",
        "admin; org=x; volunteer", "%61dmin", "admin; ORG=x", "admin; community", new string('a', 6000),
        "admin,reviewer,committee,organization,dispatcher,volunteer,owner",
    ];

    private static readonly string[] MalformedBodies =
    [
        "{", "}", "{\"a\"", "{\"a\":}", "{'a':1}", "{a:1}", "{\"a\":1,}", "[1,2", "nul", "tru", "{\"a\":1}}", "{\"a\":1} {\"b\":2}",
        "/* c */ {}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":0x10}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":\"unterminated}",
        "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}", "{\"a\":'single'}", "{\"a\" 1}", "{,}", "\"",
        "{\"a\":\"new\nline\"}", "{\"a\":1 // comment\n}", "<?xml version=\"1.0\"?><a/>", "a=1&b=2", "\uFEFF\uFEFF{}",
    ];

    private static readonly string[] OddBodies = ["", " ", "null", "[]", "\"string\"", "0", "true", "[{}]", "-"];

    private static readonly string[] UnknownNames =
    [
        "bogus", "$type", "__proto__", "constructor", "isAdmin", "partitionKey", "etag", "odata.etag", "roles", "名字", "createdBy",
    ];

    private static readonly string[] ControlValues =
    [
        "a\u0000b", "bell\u0007", "\u001b[31mred", "del\u007f", "\ud800", "\udfff", "x\ud800y", "\u202Eevil", "a\u2066b\u2069", "nul\u0000\u0000",
    ];

    private static readonly string[] WrongContentTypes =
    [
        "text/plain", "application/xml", "text/html", "multipart/form-data; boundary=----x", "application/octet-stream",
        "application/json-patch+json", "application/jsonx", "json", "text/json", "application/javascript",
    ];

    private static readonly string[] BadKeys = [new string('k', 129), "has space", "tab\there", "del\u007f", "ключ-1", "ü"];

    private readonly Random random = new(Seed);
    private readonly ProgrammeIds ids;
    private readonly List<HostileRequest> requests = [];

    private HostileCorpus(ProgrammeIds ids) => this.ids = ids;

    public static List<HostileRequest> Build(ProgrammeIds ids)
    {
        var corpus = new HostileCorpus(ids);
        foreach (var endpoint in RouteTable.Http)
        {
            corpus.RouteValueMutations(endpoint);
            corpus.PrincipalMutations(endpoint);
            if (Forms.TryGetValue(endpoint.Name, out var form))
            {
                corpus.BodyMutations(endpoint, form);
            }

            if (FormPosts.Contains(endpoint.Name))
            {
                corpus.FormPostMutations(endpoint);
            }
        }

        corpus.WrongMethods();
        corpus.QueryStrings();
        corpus.IdempotencyKeys();
        corpus.IdsInBodies();
        corpus.ForgedPlatformPrincipals();
        corpus.HostileBindings();
        return corpus.requests;
    }

    // ---- valid bodies, from which one field at a time is made hostile ----

    public static object ValidTender(DateTimeOffset now) => new
    {
        title = "2027 年道里区居家养老上门服务采购",
        method = "open-tender",
        evaluation = "comprehensive-scoring",
        priceWeight = 20,
        technicalCriteria = new object[] { new { id = "plan", name = "服务方案", maxPoints = 50 }, new { id = "team", name = "人员配备", maxPoints = 30 } },
        enquiryDeadline = now.AddDays(1),
        bidDeadline = now.AddDays(2),
        evaluators = new[] { "evaluator-1" },
        milestones = new object[] { new { name = "中期", percent = 50, dueAfter = "P90D" }, new { name = "终期", percent = 50, dueAfter = "P180D" } },
        lots = new object[]
        {
            new { id = "A", title = "抚顺街道居家养老", budgetCeiling = 500_000m, specification = "为 300 名空巢老人提供每周上门服务。", kpis = new[] { new { id = "served", name = "服务人数", target = 300m, unit = "人" } } },
        },
    };

    public static object ValidBid() => new { lotId = "A", price = 400_000m, technicalProposal = "每周两次上门陪伴，配备持证护理员六名，建立服务档案。" };

    public static object ValidVolunteer(string grid, string phone) => new
    {
        name = "志愿者张伟",
        phone,
        gridId = grid,
        skills = new[] { "companionship" },
        availability = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToLowerInvariant(), from = "00:00", to = "23:59" }).ToArray(),
        weeklyCap = 5,
        certifications = Array.Empty<object>(),
    };

    public static object ValidServiceRequest(string grid, string beneficiaryId) => new
    {
        beneficiaryId,
        beneficiaryName = "张大爷",
        vulnerability = "elderly-alone",
        need = "独居老人需要上门陪伴并协助购买药品。",
        skills = new[] { "companionship" },
        gridId = grid,
        tier = "blue",
        source = "hotline",
    };

    public static object ValidPairing(string volunteerId, string grid) =>
        new { volunteerId, beneficiaryId = "res-pair-1", beneficiaryName = "王奶奶", gridId = grid, every = "P7D", grace = "P2D" };

    private static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value, ApiJson.Options)!.AsObject();

    // ---- generation ----

    private void RouteValueMutations(HttpEndpoint endpoint)
    {
        var names = Parameters(endpoint.Route);
        var body = Forms.ContainsKey(endpoint.Name) ? "{}" : null;
        foreach (var name in names)
        {
            var values = Pick(HostileIds, name == names[0] ? 7 : 4).Select(Uri.EscapeDataString).Concat(Pick(RawSegments, 2)).ToList();
            if (name == "index")
            {
                values.AddRange(["-1", "1e3", "0x1", "%D9%A3", "99999999999", "1.0", "+1"]);
            }

            foreach (var value in values)
            {
                var path = Expand(endpoint.Route, name, value);
                if (random.Next(8) == 0)
                {
                    path += "?$filter=" + Uri.EscapeDataString("PartitionKey eq 'x' or 1 eq 1") + "&from=%27";
                }

                var anonymous = random.Next(7) == 0;
                Add("route value", endpoint, path, anonymous ? null : ids.Everyone, body);
            }
        }
    }

    private void PrincipalMutations(HttpEndpoint endpoint)
    {
        var body = Forms.ContainsKey(endpoint.Name) ? "{}" : null;
        foreach (var principal in Pick(GarbagePrincipals, 3))
        {
            Add("garbage principal", endpoint, Expand(endpoint.Route), principal, body, field: "X-Dev-Principal");
        }
    }

    private void BodyMutations(HttpEndpoint endpoint, Type form)
    {
        var path = Expand(endpoint.Route);
        var objection = endpoint.Name == nameof(StageEndpoints.LodgeObjection);
        string? As() => objection && random.Next(2) == 0 ? null : ids.Everyone;
        var properties = Properties(form);

        foreach (var text in Pick(MalformedBodies, 4))
        {
            Add("malformed JSON", endpoint, path, As(), text);
        }

        foreach (var text in Pick(OddBodies, 2))
        {
            // An empty body is "no body" to an endpoint whose body is optional: then it is refused by state, not by shape.
            Add("odd JSON body", endpoint, path, As(), text);
        }

        var full = Sample(form, 0)!.ToJsonString(ApiJson.Options);
        for (var i = 0; i < 2; i++)
        {
            Add("truncated JSON", endpoint, path, As(), full[..random.Next(1, full.Length - 1)]);
        }

        foreach (var (name, type) in properties)
        {
            var kind = KindOf(type);
            var wrong = WrongValues(type);
            Add("wrong type", endpoint, path, As(), Obj(name, wrong[random.Next(wrong.Count)]), field: name);
            if (kind == Kind.Number)
            {
                var edge = NumberEdges(type);
                Add("number out of range", endpoint, path, As(), $"{{\"{name}\":{edge[random.Next(edge.Length)]}}}", field: name);
            }

            if (Nested(type) is { } nested && Properties(nested.Type) is { Count: > 0 } inner)
            {
                var (innerName, innerType) = inner[random.Next(inner.Count)];
                var innerWrong = WrongValues(innerType);
                var value = new JsonObject { [innerName] = innerWrong[random.Next(innerWrong.Count)] };
                JsonNode wrapped = nested.InList ? new JsonArray(value) : value;
                Add("wrong type", endpoint, path, As(), Obj(name, wrapped), field: $"{name}{(nested.InList ? "[0]" : "")}.{innerName}");
            }

            if (Nested(type) is null && KindOf(type) == Kind.Dictionary)
            {
                var valueType = type.GetGenericArguments()[1];
                var dictWrong = WrongValues(valueType);
                Add("wrong type", endpoint, path, As(), Obj(name, new JsonObject { ["need"] = dictWrong[random.Next(dictWrong.Count)] }), field: $"{name}.need");
            }
        }

        foreach (var (name, _) in properties.Where(p => KindOf(p.Type) == Kind.Array))
        {
            Add("null list item", endpoint, path, As(), $"{{\"{name}\":[null]}}", field: name);
        }

        var real = properties.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var unknown in Pick(UnknownNames.Where(u => !real.Contains(u)).ToArray(), 2))
        {
            Add("unknown field", endpoint, path, As(), $"{{{JsonSerializer.Serialize(unknown)}:1}}", field: unknown);
        }

        // Field names no form has: control characters, a lone surrogate, a bidi override, a very long one.
        var oddName = random.Next(4) switch
        {
            0 => "\\u0000name",
            1 => "\\ud800",
            2 => "na\\u202eme",
            _ => new string('n', 5000),
        };
        Add("unknown field", endpoint, path, As(), $"{{\"{oddName}\":1}}", field: "body");

        if (properties.FirstOrDefault(p => Nested(p.Type) is { InList: false }) is { Name: not null } objectProperty)
        {
            Add("unknown field", endpoint, path, As(), $"{{\"{objectProperty.Name}\":{{\"bogus\":1}}}}", field: "bogus");
        }

        var (dupName, dupType) = properties[random.Next(properties.Count)];
        var dupValue = Sample(dupType, 0)!.ToJsonString(ApiJson.Options);
        Add("duplicate property", endpoint, path, As(), $"{{\"{dupName}\":{dupValue},\"{dupName}\":{dupValue}}}", field: dupName);
        var upper = char.ToUpperInvariant(dupName[0]) + dupName[1..];
        Add("duplicate property", endpoint, path, As(), $"{{\"{dupName}\":{dupValue},\"{upper}\":{dupValue}}}", field: dupName);
        var textProperty = properties.Where(p => IsText(p.Type)).Select(p => p.Name).FirstOrDefault();
        if (textProperty is not null && textProperty != dupName)
        {
            Add("duplicate property", endpoint, path, As(), $"{{\"{textProperty}\":\"第一个值是有效的\",\"{textProperty}\":\"第二个值也是有效的\"}}", field: textProperty);
        }

        var deepName = properties[random.Next(properties.Count)].Name;
        Add("deep nesting", endpoint, path, As(), $"{{\"{deepName}\":{new string('[', 1000)}{new string(']', 1000)}}}", field: deepName);
        Add("deep nesting", endpoint, path, As(), new string('[', 1000) + new string(']', 1000));
        Add("deep nesting", endpoint, path, As(), string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000));

        foreach (var (name, type) in properties.Where(p => IsText(p.Type) || IsTextList(p.Type)))
        {
            var list = IsTextList(type);
            var (unit, count) = random.Next(3) switch
            {
                0 => ("x", random.Next(40_000, 120_000)),
                1 => ("汉", random.Next(33_000, 80_000)),
                _ => ("'", random.Next(40_000, 100_000)),
            };
            var value = JsonSerializer.Serialize(string.Concat(Enumerable.Repeat(unit, count)), ApiJson.Options);
            Add("string far over its limit", endpoint, path, As(), $"{{\"{name}\":{(list ? $"[{value}]" : value)}}}", field: name);
            foreach (var control in Pick(ControlValues, 2))
            {
                var escaped = Escape(control);
                Add("control character or lone surrogate", endpoint, path, As(), $"{{\"{name}\":{(list ? $"[{escaped}]" : escaped)}}}", field: name);
            }

            if (random.Next(2) == 0)
            {
                // Not UTF-8 at all: a raw lone surrogate (CESU) and a stray byte.
                var bytes = Encoding.UTF8.GetBytes($"{{\"{name}\":\"a").Concat(random.Next(2) == 0 ? new byte[] { 0xED, 0xA0, 0x80 } : [0xFF]).Concat(Encoding.UTF8.GetBytes("b\"}")).ToArray();
                Add("invalid UTF-8", endpoint, path, As(), bytes, "application/json");
            }
        }

        var big = $"{{\"{properties[0].Name}\":\"{new string('x', EndpointContext.MaxBodyBytes + 1024)}\"}}";
        Add("body over 256 KiB", endpoint, path, As(), Encoding.UTF8.GetBytes(big), "application/json");
        Add("body over 256 KiB", endpoint, path, As(), Encoding.UTF8.GetBytes(big), "application/json", chunked: true);

        foreach (var type in Pick(WrongContentTypes, 2))
        {
            Add("wrong content type", endpoint, path, As(), Encoding.UTF8.GetBytes(full), type);
        }

        if (!FormPosts.Contains(endpoint.Name))
        {
            Add("wrong content type", endpoint, path, As(), Encoding.UTF8.GetBytes("a=1&b=%27%20or%201%20eq%201"), "application/x-www-form-urlencoded");
        }

        Add("wrong content type", endpoint, path, As(), Encoding.Unicode.GetBytes(full), "application/json; charset=utf-16");
    }

    private void FormPostMutations(HttpEndpoint endpoint)
    {
        var path = Expand(endpoint.Route);
        (string Field, string Value)[] mutations =
        [
            ("beneficiaryCount", "abc"), ("beneficiaryCount", "99999999999"), ("beneficiaryCount", "1e3"), ("amountRequested", "1e999"),
            ("amountRequested", "NaN"), ("amountRequested", "' or 1 eq 1"), ("budgetLines[0].amount", "abc"), ("milestones[0].due", "2027-02-30"),
            ("milestones[0].due", "' or 1 eq 1"), ("programmeArea", "' or 1 eq 1"), ("programmeArea", "<script>alert(1)</script>"),
            ("programmeArea", "elderly-care, disability"), ("projectTitle", "a\u0000b"), ("projectTitle", new string('x', 40_000)),
            ("summary", "\u001b[31m 控制字符 \u0007 响铃"), ("beneficiaryGroup", "\u202E反转文字"),
        ];
        foreach (var (field, value) in mutations)
        {
            var fields = Samples.ApplicationFormFields().Where(f => f.Key != field).Append(new(field, value));
            Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(fields), "application/x-www-form-urlencoded", field: field);
        }

        var duplicated = Samples.ApplicationFormFields().Append(new("programmeArea", "elderly-care"));
        Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(duplicated), "application/x-www-form-urlencoded", field: "programmeArea");
        var many = Enumerable.Range(0, 1500).Select(i => new KeyValuePair<string, string>($"f{i}", "x"));
        Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(many), "application/x-www-form-urlencoded");
        var longKey = new[] { new KeyValuePair<string, string>(new string('k', 5000), "x") };
        Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(longKey), "application/x-www-form-urlencoded");
        var huge = Samples.ApplicationFormFields().Append(new("summary", new string('x', EndpointContext.MaxBodyBytes)));
        Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(huge), "application/x-www-form-urlencoded");
        Add("hostile form post", endpoint, path, ids.Everyone, FormBytes(huge), "application/x-www-form-urlencoded", chunked: true);
        Add("hostile form post", endpoint, path, ids.Everyone, Encoding.UTF8.GetBytes("projectTitle=%ZZ&summary=%&&=&=="), "application/x-www-form-urlencoded");
    }

    /// <summary>Methods a route does not declare (with a body that would be valid elsewhere): no route, whatever the ids.</summary>
    private void WrongMethods()
    {
        foreach (var route in RouteTable.Http.GroupBy(e => e.Route))
        {
            var declared = route.Select(e => e.Method).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var method in Pick(new[] { "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }.Where(m => !declared.Contains(m)).ToArray(), 2))
            {
                Add("undeclared method", route.First(), Expand(route.Key), ids.Everyone, method is "GET" or "OPTIONS" ? null : "{}", method: method);
            }
        }
    }

    private void QueryStrings()
    {
        var endpoint = RouteTable.Http.Single(e => e.Name == nameof(DispatchEndpoints.VolunteeringReport));
        string[] hostileDays =
        [
            "2026-01-01' or 1 eq 1", "'", "%27", "' or PartitionKey ne '", "2026-02-30", "2026-1-1", "20260101", "２０２６-01-01",
            "2026-01-01T00:00:00Z", "0000-00-00", "-2026-01-01", "2026-01-01%00", "<script>alert(1)</script>", "2026-01-01\u0000",
            "\ud800", new string('9', 5000), "$filter", "null", " 2026-01-01", "2026-01-01 ",
        ];
        foreach (var day in hostileDays)
        {
            var value = day.Contains('%', StringComparison.Ordinal) && day.Length < 20 ? day : Uri.EscapeDataString(day);
            Add("hostile query string", endpoint, $"reports/volunteering?from={value}&to=2026-01-31", ids.Everyone, NoBody, field: "from");
            Add("hostile query string", endpoint, $"reports/volunteering?from=2026-01-01&to={value}", ids.Everyone, NoBody, field: "to");
        }

        (string Query, string Field)[] shapes =
        [
            ("from=2026-01-01&from=2026-01-02&to=2026-01-31", "from"), ("from=2026-01-31&to=2026-01-01", "to"),
            ("from=0001-01-01&to=9999-12-31", "to"), ("from=2020-01-01&to=2026-01-01", "to"), ("to=2026-01-31", "from"), ("from=2026-01-01", "to"),
            ("", "from"), ("from&to", "from"), ("from=&to=", "from"), ("FROM=2026-01-01&TO=2026-01-31&to=x", "to"),
            ("from=2026-01-01&to=2026-01-31&to=2026-02-01", "to"), ("from[]=2026-01-01&to=2026-01-31", "from"),
        ];
        foreach (var (query, field) in shapes)
        {
            Add("hostile query string", endpoint, $"reports/volunteering?{query}", ids.Everyone, NoBody, field: field);
        }
    }

    private void IdempotencyKeys()
    {
        var now = DateTimeOffset.UtcNow;
        (string Endpoint, string Path, Func<object> Body)[] keyed =
        [
            (nameof(OrganizationEndpoints.RegisterOrganization), "organizations", () => Samples.OrganizationForm(Samples.NewCreditCode())),
            (nameof(RoundEndpoints.CreateRound), "rounds", () => Samples.RoundForm(now.AddDays(10), now.AddDays(20))),
            (nameof(ApplicationEndpoints.SubmitApplication), $"rounds/{ids.RoundId}/applications", () => Samples.ApplicationForm()),
            (nameof(TenderEndpoints.CreateTender), "tenders", () => ValidTender(now)),
            (nameof(DispatchEndpoints.RegisterVolunteer), "volunteers", () => ValidVolunteer(ids.GridId, "13700001111")),
            (nameof(DispatchEndpoints.CreateServiceRequest), "service-requests", () => ValidServiceRequest(ids.GridId, "res-key-1")),
            (nameof(DispatchEndpoints.CreatePairing), "pairings", () => ValidPairing(ids.VolunteerId, ids.GridId)),
            (nameof(TenderEndpoints.AskQuestion), $"tenders/{ids.TenderId}/questions", () => new { text = "评分细则何时公布？" }),
        ];
        foreach (var (name, path, body) in keyed)
        {
            var endpoint = RouteTable.Http.Single(e => e.Name == name);
            foreach (var key in Pick(BadKeys, 3))
            {
                Add("bad Idempotency-Key", endpoint, path, ids.Everyone, Node(body()).ToJsonString(ApiJson.Options), field: "Idempotency-Key",
                    headers: [new("Idempotency-Key", key)]);
            }
        }
    }

    private void IdsInBodies()
    {
        var now = DateTimeOffset.UtcNow;
        var pairing = (Endpoint: nameof(DispatchEndpoints.CreatePairing), Path: "pairings", Principal: ids.Everyone, Body: (Func<JsonObject>)(() => Node(ValidPairing(ids.VolunteerId, ids.GridId))));
        var cases = new List<(string Endpoint, string Path, string? Principal, Func<JsonObject> Body, string Field)>
        {
            (pairing.Endpoint, pairing.Path, pairing.Principal, pairing.Body, "volunteerId"),
            (pairing.Endpoint, pairing.Path, pairing.Principal, pairing.Body, "beneficiaryId"),
            (pairing.Endpoint, pairing.Path, pairing.Principal, pairing.Body, "gridId"),
            (nameof(DispatchEndpoints.CreateServiceRequest), "service-requests", ids.Everyone, () => Node(ValidServiceRequest(ids.GridId, "res-body-1")), "beneficiaryId"),
            (nameof(DispatchEndpoints.CreateServiceRequest), "service-requests", ids.Everyone, () => Node(ValidServiceRequest(ids.GridId, "res-body-1")), "gridId"),
            (nameof(DispatchEndpoints.RegisterVolunteer), "volunteers", ids.Everyone, () => Node(ValidVolunteer(ids.GridId, "13700002222")), "gridId"),
            (nameof(DispatchEndpoints.UpdateVolunteer), $"volunteers/{ids.VolunteerId}", ids.Everyone, () => Node(ValidVolunteer(ids.GridId, ids.VolunteerPhone)), "gridId"),
            (nameof(MembershipEndpoints.SetMember), "members/dev-member-2", ids.Everyone, () => new JsonObject { ["organizationId"] = ids.OrgId }, "organizationId"),
            (nameof(MembershipEndpoints.SetMember), "members/dev-member-2", ids.Everyone, () => new JsonObject { ["volunteerId"] = ids.VolunteerId }, "volunteerId"),
            (nameof(MembershipEndpoints.SetMember), "members/dev-member-2", ids.Everyone, () => new JsonObject { ["communities"] = new JsonArray(ids.CommunityId) }, "communities[0]"),
            (nameof(TenderEndpoints.SubmitBid), $"tenders/{ids.TenderId}/bids", ids.Everyone, () => Node(ValidBid()), "lotId"),
            (nameof(AwardEndpoints.LodgeChallenge), $"tenders/{ids.TenderId}/challenges", ids.Everyone, () => new JsonObject { ["lotId"] = "A", ["grounds"] = "中标候选人提供的业绩证明材料与事实不符。" }, "lotId"),
            (nameof(StageEndpoints.LodgeObjection), $"rounds/{ids.RoundId}/objections", null, () => new JsonObject { ["applicationId"] = ids.ApplicationId, ["grounds"] = "配套资金证明材料不实，请予核查。" }, "applicationId"),
            (nameof(StageEndpoints.LodgeObjection), $"rounds/{ids.RoundId}/objections", ids.Everyone, () => new JsonObject { ["applicationId"] = ids.ApplicationId, ["grounds"] = "配套资金证明材料不实，请予核查。" }, "applicationId"),
            (nameof(TenderEndpoints.CreateTender), "tenders", ids.Everyone, () => Node(ValidTender(now)), "lots[0].id"),
            (nameof(TenderEndpoints.CreateTender), "tenders", ids.Everyone, () => Node(ValidTender(now)), "technicalCriteria[0].id"),
            (nameof(TenderEndpoints.CreateTender), "tenders", ids.Everyone, () => Node(ValidTender(now)), "evaluators[0]"),
            (nameof(RoundEndpoints.CreateRound), "rounds", ids.Everyone, () => RoundWithPanel(now), "panel[0].memberOf[0]"),
            (nameof(RoundEndpoints.CreateRound), "rounds", ids.Everyone, () => RoundWithPanel(now), "panel[0].reviewerId"),
        };
        foreach (var (name, path, principal, body, field) in cases)
        {
            var endpoint = RouteTable.Http.Single(e => e.Name == name);
            // A sign-in id may be longer than a product id: the long plain value is hostile only to the latter.
            var principalField = field is "panel[0].reviewerId" or "evaluators[0]";
            foreach (var hostile in Pick(HostileBodyIds.Where(h => !principalField || !h.All(char.IsAsciiLetter)).ToArray(), 4))
            {
                var node = body();
                Set(node, field, hostile);
                Add("hostile id in a body", endpoint, path, principal, node.ToJsonString(ApiJson.Options), field: field);
            }
        }
    }

    private static JsonObject RoundWithPanel(DateTimeOffset now)
    {
        var round = Node(Samples.RoundForm(now.AddDays(10), now.AddDays(20)));
        round["panel"] = new JsonArray(Enumerable.Range(1, 3).Select(i => (JsonNode)new JsonObject
        {
            ["reviewerId"] = $"expert-{i}",
            ["name"] = $"专家{i}",
            ["memberOf"] = new JsonArray(),
            ["declaredConflicts"] = new JsonArray(),
        }).ToArray());
        ((JsonObject)round["panel"]![0]!)["memberOf"] = new JsonArray((JsonNode)"org-x");
        return round;
    }

    private void ForgedPlatformPrincipals()
    {
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            "{\"auth_typ\":\"aad\",\"claims\":[{\"typ\":\"roles\",\"val\":\"admin\"},{\"typ\":\"http://schemas.microsoft.com/identity/claims/objectidentifier\",\"val\":\"forger\"}]}"));
        var now = DateTimeOffset.UtcNow;
        (string Name, string Path, object? Body)[] targets =
        [
            (nameof(OrganizationEndpoints.RegisterOrganization), "organizations", Samples.OrganizationForm(Samples.NewCreditCode())),
            (nameof(RoundEndpoints.CreateRound), "rounds", Samples.RoundForm(now.AddDays(10), now.AddDays(20))),
            (nameof(TenderEndpoints.CreateTender), "tenders", ValidTender(now)),
            (nameof(DispatchEndpoints.RegisterVolunteer), "volunteers", ValidVolunteer(ids.GridId, "13700003333")),
            (nameof(MembershipEndpoints.GetMember), $"members/{ids.MemberPrincipal}", null),
            (nameof(RoundEndpoints.GetRoundWorkflow), $"rounds/{ids.RoundId}/workflow", null),
            (nameof(RoundEndpoints.CancelRound), $"rounds/{ids.RoundId}/cancel", new { reason = "伪造的取消理由" }),
        ];
        foreach (var (name, path, body) in targets)
        {
            var endpoint = RouteTable.Http.Single(e => e.Name == name);
            foreach (var header in new[] { ClientPrincipal.Header, ClientPrincipal.Header.ToLowerInvariant() })
            {
                Add("forged platform principal", endpoint, path, null, body is null ? null : Node(body).ToJsonString(ApiJson.Options),
                    headers: [new(header, forged), new(ClientPrincipal.IdHeader, "forger")]);
            }
        }
    }

    /// <summary>A well-formed development sign-in whose bindings are hostile: they must name nothing.</summary>
    private void HostileBindings()
    {
        var submit = RouteTable.Http.Single(e => e.Name == nameof(ApplicationEndpoints.SubmitApplication));
        var bid = RouteTable.Http.Single(e => e.Name == nameof(TenderEndpoints.SubmitBid));
        var register = RouteTable.Http.Single(e => e.Name == nameof(DispatchEndpoints.RegisterVolunteer));
        var review = RouteTable.Http.Single(e => e.Name == nameof(StageEndpoints.SubmitReview));
        foreach (var hostile in Pick(HostileBodyIds, 5))
        {
            var escaped = Uri.EscapeDataString(hostile);
            Add("hostile binding in the sign-in", submit, $"rounds/{ids.RoundId}/applications", $"organization; org={escaped}",
                Node(Samples.ApplicationForm()).ToJsonString(ApiJson.Options));
            Add("hostile binding in the sign-in", bid, $"tenders/{ids.TenderId}/bids", $"organization; org={escaped}",
                Node(ValidBid()).ToJsonString(ApiJson.Options));
            Add("hostile binding in the sign-in", register, "volunteers", $"volunteer; volunteer={escaped}",
                Node(ValidVolunteer(ids.GridId, "13700004444")).ToJsonString(ApiJson.Options));
            Add("hostile binding in the sign-in", review, $"rounds/{ids.RoundId}/applications/{ids.ApplicationId}/reviews", $"reviewer; id={escaped}",
                "{\"scores\":{\"need\":8,\"design\":9,\"capacity\":7},\"comment\":\"需求明确，设计合理。\"}");
        }
    }

    // ---- helpers ----

    private void Add(string category, HttpEndpoint endpoint, string path, string? principal, string? body, string? field = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null, string? method = null) =>
        Add(category, endpoint, path, principal, body is null ? null : Encoding.UTF8.GetBytes(body), body is null ? null : "application/json", field: field, headers: headers, method: method);

    private void Add(string category, HttpEndpoint endpoint, string path, string? principal, byte[]? body, string? contentType, bool chunked = false,
        string? field = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null, string? method = null) =>
        requests.Add(new HostileRequest(category, endpoint.Name, method ?? endpoint.Method, path, principal, body, contentType, chunked, field, headers));

    private List<T> Pick<T>(T[] items, int count) => items.OrderBy(_ => random.Next()).Take(count).ToList();

    private static List<string> Parameters(string route) =>
        route.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')).ToList();

    /// <summary>The route with real ids, and <paramref name="hostile"/> (sent as written) in place of one of them.</summary>
    private string Expand(string route, string? name = null, string? hostile = null) =>
        string.Join('/', route.Split('/').Select(segment =>
        {
            if (!segment.StartsWith('{'))
            {
                return segment;
            }

            var parameter = segment.Trim('{', '}');
            return parameter == name ? hostile! : Uri.EscapeDataString(Real(parameter));
        }));

    private string Real(string parameter) => parameter switch
    {
        "principalId" => ids.MemberPrincipal,
        "aggregate" => "rounds",
        "id" => ids.RoundId,
        "queue" => "round-close-requests",
        "orgId" => ids.OrgId,
        "roundId" => ids.RoundId,
        "applicationId" => ids.ApplicationId,
        "objectionId" => "obj-00000000000000000000000000000001",
        "stage" => "results",
        "grantId" => "grt-00000000000000000000000000000001",
        "reportId" => "rpt-00000000000000000000000000000001",
        "tenderId" => ids.TenderId,
        "questionId" => ids.QuestionId,
        "bidId" => ids.BidId,
        "lotId" => ids.LotId,
        "challengeId" => "chl-00000000000000000000000000000001",
        "contractId" => "ctr-00000000000000000000000000000001",
        "index" => "0",
        "volunteerId" => ids.VolunteerId,
        "requestId" => ids.RequestId,
        "offerId" => ids.OfferId ?? "ofr-00000000000000000000000000000001",
        "pairingId" => ids.PairingId,
        _ => "x-" + parameter,
    };

    private static string Obj(string name, JsonNode? value) => new JsonObject { [name] = value?.DeepClone() }.ToJsonString(ApiJson.Options);

    private static string Escape(string value)
    {
        // JSON-escape every character outside printable ASCII, so lone surrogates travel as \uXXXX escapes.
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c is >= ' ' and < '\u007f' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return builder.Append('"').ToString();
    }

    private static byte[] FormBytes(IEnumerable<KeyValuePair<string, string>> fields) =>
        Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")));

    private static void Set(JsonObject root, string path, string value)
    {
        // path: a.b[0].c
        JsonNode node = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var index = part.IndexOf('[', StringComparison.Ordinal);
            var name = index < 0 ? part : part[..index];
            var position = index < 0 ? -1 : int.Parse(part[(index + 1)..^1], CultureInfo.InvariantCulture);
            var last = i == parts.Length - 1;
            if (position < 0)
            {
                if (last)
                {
                    node[name] = value;
                    return;
                }

                node = node[name]!;
            }
            else
            {
                var array = (JsonArray)node[name]!;
                if (last)
                {
                    array[position] = value;
                    return;
                }

                node = array[position]!;
            }
        }
    }

    private enum Kind
    {
        String,
        Number,
        Bool,
        Array,
        Object,
        Dictionary,
    }

    private static List<(string Name, Type Type)> Properties(Type type) =>
        ApiJson.Options.GetTypeInfo(type).Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null)
            .Select(p => (p.Name, p.PropertyType)).ToList();

    private static Type Plain(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static Kind KindOf(Type type)
    {
        var t = Plain(type);
        if (t == typeof(string) || t.IsEnum || t == typeof(DateOnly) || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(TimeOnly))
        {
            return Kind.String;
        }

        if (t == typeof(bool))
        {
            return Kind.Bool;
        }

        if (t.IsPrimitive || t == typeof(decimal))
        {
            return Kind.Number;
        }

        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Kind.Dictionary;
        }

        return typeof(IEnumerable).IsAssignableFrom(t) ? Kind.Array : Kind.Object;
    }

    private static bool IsText(Type type) => type == typeof(string);

    private static bool IsTextList(Type type) => type == typeof(List<string>);

    /// <summary>The record type inside a property (itself, or a list's element), if it is one.</summary>
    private static (Type Type, bool InList)? Nested(Type type)
    {
        var t = Plain(type);
        return KindOf(t) switch
        {
            Kind.Object => (t, false),
            Kind.Array when t.IsGenericType && KindOf(t.GetGenericArguments()[0]) == Kind.Object => (t.GetGenericArguments()[0], true),
            _ => null,
        };
    }

    private static List<JsonNode?> WrongValues(Type type)
    {
        var t = Plain(type);
        var values = KindOf(t) switch
        {
            Kind.String => new List<JsonNode?> { 42, true, new JsonArray(), new JsonObject() },
            Kind.Number => [JsonValue.Create("12"), true, new JsonArray(), new JsonObject(), JsonValue.Create("' or 1 eq 1")],
            Kind.Bool => [JsonValue.Create("true"), 1, new JsonArray(), JsonValue.Create("yes")],
            Kind.Array => [JsonValue.Create("x"), 1, new JsonObject()],
            _ => [JsonValue.Create("x"), 1, new JsonArray()],
        };
        if (t.IsEnum)
        {
            values.AddRange([JsonValue.Create("' or 1 eq 1"), JsonValue.Create("<script>alert(1)</script>"), 0, JsonValue.Create("ELDERLY_CARE, admin")]);
        }
        else if (t == typeof(DateOnly) || t == typeof(DateTimeOffset))
        {
            values.AddRange([JsonValue.Create("2027-13-45"), JsonValue.Create("' or 1 eq 1"), JsonValue.Create("2027-02-30T25:00:00Z"), 1_700_000_000]);
        }

        return values;
    }

    private static string[] NumberEdges(Type type) => Plain(type) == typeof(decimal)
        ? ["1e400", "-1e400", "79228162514264337593543950336", "1e-400000"]
        : ["2147483648", "-2147483649", "1.5", "1e3", "99999999999999999999"];

    /// <summary>A plausible value of a type, to build whole bodies (truncated later) and duplicate values.</summary>
    private static JsonNode? Sample(Type type, int depth)
    {
        var t = Plain(type);
        if (t == typeof(string))
        {
            return "sample text";
        }

        if (t.IsEnum)
        {
            return JsonNode.Parse(JsonSerializer.Serialize(Enum.GetValues(t).GetValue(0), t, ApiJson.Options));
        }

        if (t == typeof(DateOnly))
        {
            return "2027-06-30";
        }

        if (t == typeof(DateTimeOffset) || t == typeof(DateTime))
        {
            return "2027-06-30T08:00:00+08:00";
        }

        if (t == typeof(TimeOnly))
        {
            return "08:00";
        }

        if (t == typeof(bool))
        {
            return true;
        }

        if (t == typeof(decimal))
        {
            return 1234.5m;
        }

        if (t.IsPrimitive)
        {
            return 3;
        }

        if (depth > 3)
        {
            return null;
        }

        if (KindOf(t) == Kind.Dictionary)
        {
            return new JsonObject { ["need"] = Sample(t.GetGenericArguments()[1], depth + 1) };
        }

        if (KindOf(t) == Kind.Array)
        {
            return new JsonArray(Sample(t.IsGenericType ? t.GetGenericArguments()[0] : typeof(string), depth + 1));
        }

        var obj = new JsonObject();
        foreach (var (name, propertyType) in Properties(t))
        {
            obj[name] = Sample(propertyType, depth + 1);
        }

        return obj;
    }
}

/// <summary>Sends the corpus exactly as written: no path canonicalisation, raw header bytes, chunked bodies when asked.</summary>
internal static class HostileSender
{
    public static async Task<List<HostileOutcome>> SendAllAsync(DevHostProcess host, IReadOnlyList<HostileRequest> corpus, int parallel = 12)
    {
        using var handler = new SocketsHttpHandler
        {
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var gate = new SemaphoreSlim(parallel);
        var tasks = corpus.Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                return await SendAsync(http, host.Port, request);
            }
            finally
            {
                gate.Release();
            }
        });
        return [.. await Task.WhenAll(tasks)];
    }

    public static async Task<HostileOutcome> SendAsync(HttpClient http, int port, HostileRequest request)
    {
        var uri = new Uri($"http://127.0.0.1:{port}/api/{request.Path}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        if (request.Body is not null)
        {
            message.Content = request.Chunked ? new ChunkedContent(request.Body) : new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        if (request.Principal is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Dev-Principal", request.Principal);
        }

        foreach (var (key, value) in request.Headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(key, value);
        }

        try
        {
            using var response = await http.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            return new HostileOutcome(request, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return new HostileOutcome(request, 0, null, "", $"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
        }
    }

    /// <summary>Why an outcome is wrong, or null when the request was refused as it should be.</summary>
    public static string? Judge(HostileOutcome o)
    {
        if (o.Transport is not null)
        {
            return $"no HTTP answer ({o.Transport})";
        }

        if (o.Status >= 500)
        {
            return "server error";
        }

        if (o.Status < 400)
        {
            return "not refused";
        }

        if (o.MediaType != "application/problem+json")
        {
            return "a refusal that is not a problem";
        }

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(o.Text).RootElement;
        }
        catch (JsonException)
        {
            return "a problem that is not JSON";
        }

        if (!problem.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.GetString()!.Length == 0)
        {
            return "a problem without a code";
        }

        if (o.Status == 400 && o.Request.Field is { } field && !Names(problem, field))
        {
            return $"a 400 that does not name '{field}'";
        }

        return null;
    }

    private static bool Names(JsonElement problem, string field)
    {
        var bare = field.Split('[')[0].Split('.')[0];
        bool Mentions(string? text) => text is not null && (text.Contains(field, StringComparison.OrdinalIgnoreCase) || text.Contains(bare, StringComparison.OrdinalIgnoreCase));
        if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            && errors.EnumerateObject().Any(e => Mentions(e.Name)))
        {
            return true;
        }

        return problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && Mentions(detail.GetString());
    }

    /// <summary>A body without a Content-Length: sent chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 16 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(16 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>Every row of the DevHost's product tables (its storage prefix; not the durable engine's task hub) with its ETag.</summary>
internal static class TableSnapshot
{
    public static async Task<SortedDictionary<string, string>> TakeAsync(DevHostProcess host)
    {
        var service = new TableServiceClient(host.ConnectionString);
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var table in service.QueryAsync())
        {
            if (!table.Name.StartsWith(host.StoragePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                rows[$"{table.Name[host.StoragePrefix.Length..]}|{entity.PartitionKey}|{entity.RowKey}"] = entity.ETag.ToString();
            }
        }

        return rows;
    }

    /// <summary>A snapshot once the programme's own background work (workflows starting, first offers) has settled: unchanged for 3 s.</summary>
    public static async Task<SortedDictionary<string, string>> StableAsync(DevHostProcess host)
    {
        var last = await TakeAsync(host);
        var unchanged = 0;
        for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until;)
        {
            await Task.Delay(1000);
            var next = await TakeAsync(host);
            unchanged = Diff(last, next).Count == 0 ? unchanged + 1 : 0;
            if (unchanged == 3)
            {
                return next;
            }

            last = next;
        }

        Assert.Fail("The programme's tables did not settle within 30 s, so no state change could be measured.");
        return last;
    }

    public static List<string> Diff(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        var changes = new List<string>();
        foreach (var (key, etag) in after)
        {
            if (!before.TryGetValue(key, out var old))
            {
                changes.Add($"added {key}");
            }
            else if (old != etag)
            {
                changes.Add($"changed {key}");
            }
        }

        changes.AddRange(before.Keys.Where(k => !after.ContainsKey(k)).Select(k => $"removed {k}"));
        return changes;
    }
}

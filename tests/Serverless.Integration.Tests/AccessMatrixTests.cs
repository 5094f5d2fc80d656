using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;
using Serverless.Integration.Tests.Harness;
using Xunit.Abstractions;
using Reply = Serverless.Integration.Tests.Harness.Reply;

namespace Serverless.Integration.Tests;

/// <summary>
/// A world in which every route of the route table has something real to name: two social organizations (the
/// owner of everything below and a stranger) and two more bidders; a closed round in screening with the
/// owner's application, its reviewer's assignment, an objection, and a grant with a submitted report; an
/// opened tender with the owner's winning bid in standstill, a failed lot, a question and a challenge, and the
/// owner's contract; two volunteers, a service request served and confirmed by the owner volunteer, their
/// (ended) pairing; a membership row. The state is chosen so that no call of the sweep changes anything: the
/// body-less actions find nothing to do (the round and the tender are past publishing, the application and
/// the bid past their deadline, the grant and the contract signed, the offer accepted, the service confirmed,
/// the pairing ended) and everything with a body is sent <c>{}</c>, which is refused with 400 once the caller
/// is allowed in.
/// </summary>
public sealed class AccessMatrixFixture : IAsyncLifetime
{
    public const string ReviewerId = "acm-expert";
    public const string BeneficiaryName = "张大爷";
    public const string PairedName = "王奶奶";

    private static readonly string Suffix = Guid.NewGuid().ToString("N")[..8];

    public DevHostProcess Host { get; private set; } = null!;

    public ApiClient Api => Host.Client;

    public TimeSpan SetupTime { get; private set; }

    public string Owner { get; private set; } = "";

    public string Stranger { get; private set; } = "";

    public string Grid { get; private set; } = "";

    public string Community { get; private set; } = "";

    public string OtherCommunity { get; private set; } = "";

    public string RoundId { get; private set; } = "";

    public string ApplicationId { get; private set; } = "";

    public string ObjectionId { get; } = "obj-acm-" + Suffix;

    public string GrantId { get; private set; } = "";

    public string ReportId { get; } = "rpt-acm-" + Suffix;

    public string TenderId { get; private set; } = "";

    public string QuestionId { get; private set; } = "";

    public string BidId { get; private set; } = "";

    public string ChallengeId { get; private set; } = "";

    public string ContractId { get; private set; } = "";

    public string VolunteerOwner { get; private set; } = "";

    public string VolunteerStranger { get; private set; } = "";

    public string BeneficiaryId { get; } = "res-acm-" + Suffix;

    public string PairedId { get; } = "res-acm-pair-" + Suffix;

    public string RequestId { get; private set; } = "";

    public string OfferId { get; private set; } = "";

    public string PairingId { get; private set; } = "";

    public string MemberPrincipal { get; } = "acm-member-" + Suffix;

    /// <summary>The matrix's columns, in order: a name and the development sign-in header (null: nobody signed in).</summary>
    public IReadOnlyList<(string Name, string? Principal)> Callers { get; private set; } = [];

    public string Dispatcher => $"dispatcher; id=acm-dispatcher; community={Community}";

    public string OtherDispatcher => $"dispatcher; id=acm-dispatcher-elsewhere; community={OtherCommunity}";

    public string Volunteer => DispatchFixture.As(VolunteerOwner);

    public string OtherVolunteer => DispatchFixture.As(VolunteerStranger);

    public static string Reviewer => $"reviewer; id={ReviewerId}";

    /// <summary>The value each route parameter takes in the sweep.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();

        // A DevHost of its own: nothing of other tests' (volunteers, bids) can take part in its matching or listings.
        Host = await DevHostProcess.StartAsync();
        var map = DistrictMap.Shipped;
        Grid = map.Grids.Keys.Order(StringComparer.Ordinal).First();
        Community = map.CommunityOf(Grid).Id;
        var elsewhere = map.Grids.Keys.Order(StringComparer.Ordinal).First(g => map.StreetOf(g) != map.StreetOf(Grid));
        OtherCommunity = map.CommunityOf(elsewhere).Id;

        var orgs = await Task.WhenAll(new[] { "道里区夕阳红养老服务中心", "道里区阳光社工服务社", "道里区康乐助老服务中心", "道里区邻里守望服务中心" }.Select(RegisterAsync));
        (Owner, Stranger) = (orgs[0], orgs[1]);
        await Task.WhenAll(RoundAsync(), TenderAsync(orgs[2], orgs[3]), DispatchAsync(elsewhere), MemberAsync());

        Callers =
        [
            ("anon", null),
            ("admin", Samples.Admin),
            ("reviewer", Reviewer),
            ("committee", "committee; id=acm-committee"),
            ("org", Samples.Organization(Owner)),
            ("org-x", Samples.Organization(Stranger)),
            ("disp", Dispatcher),
            ("disp-x", OtherDispatcher),
            ("vol", Volunteer),
            ("vol-x", OtherVolunteer),
        ];
        RouteValues = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["principalId"] = MemberPrincipal,
            ["aggregate"] = "rounds",
            ["id"] = RoundId,
            ["queue"] = "round-close-requests",
            ["orgId"] = Owner,
            ["roundId"] = RoundId,
            ["applicationId"] = ApplicationId,
            ["stage"] = "results",
            ["objectionId"] = ObjectionId,
            ["grantId"] = GrantId,
            ["reportId"] = ReportId,
            ["tenderId"] = TenderId,
            ["questionId"] = QuestionId,
            ["bidId"] = BidId,
            ["lotId"] = "A",
            ["challengeId"] = ChallengeId,
            ["contractId"] = ContractId,
            ["index"] = "0",
            ["volunteerId"] = VolunteerOwner,
            ["requestId"] = RequestId,
            ["offerId"] = OfferId,
            ["pairingId"] = PairingId,
        };
        SetupTime = watch.Elapsed;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Storage Storage() => Host.Storage();

    private async Task<string> RegisterAsync(string name) =>
        Expect(await Api.PostAsync("organizations", Samples.OrganizationForm(Samples.NewCreditCode(), name), Samples.Admin), HttpStatusCode.Created).Str("id");

    private async Task RoundAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var round = await Api.PostAsync("rounds", new
        {
            title = "访问矩阵公益创投",
            programmeAreas = new[] { "elderly-care" },
            budget = 500_000m,
            minGrant = 20_000m,
            maxGrant = 100_000m,
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddSeconds(5),
            rubric = new object[]
            {
                new { id = "need", name = "需求分析", weight = 50, maxPoints = 10 },
                new { id = "design", name = "项目设计", weight = 50, maxPoints = 10 },
            },
            reviewersPerApplication = 1,
            panel = new[] { new { reviewerId = ReviewerId, name = "评审专家", memberOf = Array.Empty<string>(), declaredConflicts = Array.Empty<string>() } },
            blindReview = true,
            periods = new { screening = "P7D", review = "P14D", publicity = "P7D" },
        }, Samples.Admin);
        RoundId = Expect(round, HttpStatusCode.Created).Str("id");
        Expect(await Api.PostAsync($"rounds/{RoundId}/publish", null, Samples.Admin), HttpStatusCode.OK);
        ApplicationId = Expect(await Api.PostAsync($"rounds/{RoundId}/applications", Samples.ApplicationForm(), Samples.Organization(Owner)), HttpStatusCode.Created).Str("id");

        // The round closes by its own timer and its stages workflow screens the application, then waits a week.
        await Poll.UntilAsync(() => Api.GetAsync($"rounds/{RoundId}/applications/{ApplicationId}", Samples.Admin),
            r => r.Body.TryGetProperty("screening", out var s) && s.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(40));
        await Poll.UntilAsync(() => Api.GetAsync($"rounds/{RoundId}"), r => r.Str("status") == "screening", TimeSpan.FromSeconds(20));

        // Seeded straight into the DevHost's storage through the core's stores: an assignment, an objection and
        // a signed grant with a report would otherwise take the whole review, committee and publicity workflow.
        // The matrix tests who may call what, not those workflows (VentureRoundTests runs them end to end).
        var storage = Storage();
        var at = DateTimeOffset.UtcNow;
        await new ReviewStore(storage).AddAllAsync([new Review(RoundId, ApplicationId, ReviewerId, ReviewStatus.Assigned, at, 1)]);
        await new ObjectionStore(storage).TryAddAsync(new Objection(ObjectionId, RoundId, ApplicationId, "认为该项目的配套资金证明材料不实。", null, null, at, ObjectionStatus.Open));
        var application = (await new ApplicationStore(storage).FindAsync(RoundId, ApplicationId))!.Value.Application;
        var tranches = Grant.Plan(application.Content.AmountRequested, Round.DefaultTranches);
        tranches[0] = tranches[0] with { PaidAt = at };
        GrantId = Grant.IdFor(RoundId, ApplicationId);
        Assert.True(await new GrantStore(storage).TryAddAsync(new Grant(GrantId, RoundId, ApplicationId, Owner, application.OrganizationName,
            application.Content.ProjectTitle, application.Content.AmountRequested, GrantStatus.Active, tranches, at, "acm-seed", "acm-seed", at)));
        await new GrantStore(storage).SaveReportAsync(new GrantReport(ReportId, GrantId, 1, "项目中期按计划推进，已服务空巢老人 60 名。", 60, 20_000m, at, ReportStatus.Submitted), null);
    }

    private async Task TenderAsync(string bidder2, string bidder3)
    {
        var now = DateTimeOffset.UtcNow;
        var tender = await Api.PostAsync("tenders", new
        {
            title = "访问矩阵居家养老服务采购",
            method = "open-tender",
            evaluation = "comprehensive-scoring",
            priceWeight = 20,
            technicalCriteria = new object[]
            {
                new { id = "plan", name = "服务方案", maxPoints = 50 },
                new { id = "team", name = "人员配备", maxPoints = 30 },
            },
            evaluators = new[] { ReviewerId },
            enquiryDeadline = now.AddSeconds(5),
            bidDeadline = now.AddSeconds(8),
            periods = new { explanation = "PT30S", standstill = "P1D", signing = "P7D", reportGrace = "P7D" },
            milestones = new object[] { new { name = "中期", percent = 50, dueAfter = "P90D" }, new { name = "终期", percent = 50, dueAfter = "P180D" } },
            lots = new object[]
            {
                new { id = "A", title = "抚顺街道居家养老", budgetCeiling = 500_000m, specification = "为 300 名空巢老人提供每周上门服务。", kpis = new[] { new { id = "served", name = "服务人数", target = 300m, unit = "人" } } },
                new { id = "B", title = "共乐街道助残服务", budgetCeiling = 200_000m, specification = "为 80 名残疾人提供康复陪护服务。", kpis = new[] { new { id = "sessions", name = "服务次数", target = 2000m, unit = "次" } } },
            },
        }, Samples.Admin);
        TenderId = Expect(tender, HttpStatusCode.Created).Str("id");
        Expect(await Api.PostAsync($"tenders/{TenderId}/publish", null, Samples.Admin), HttpStatusCode.OK);
        QuestionId = Expect(await Api.PostAsync($"tenders/{TenderId}/questions", new { text = "服务对象名单何时提供？" }, Samples.Organization(bidder2)), HttpStatusCode.Created).Str("id");

        // Lot A gets three bids (the owner's, the cheapest and best, wins); lot B one, so it fails at opening (流标).
        static object Bid(string lot, decimal price) => new { lotId = lot, price, technicalProposal = "每周两次上门陪伴，配备持证护理员六名，建立服务档案。" };
        var bids = await Task.WhenAll(
            Api.PostAsync($"tenders/{TenderId}/bids", Bid("A", 400_000m), Samples.Organization(Owner)),
            Api.PostAsync($"tenders/{TenderId}/bids", Bid("A", 410_000m), Samples.Organization(bidder2)),
            Api.PostAsync($"tenders/{TenderId}/bids", Bid("A", 420_000m), Samples.Organization(bidder3)),
            Api.PostAsync($"tenders/{TenderId}/bids", Bid("B", 150_000m), Samples.Organization(bidder2)));
        var ids = bids.Select(b => Expect(b, HttpStatusCode.Created).Str("bidId")).ToList();
        BidId = ids[0];

        // Opened by the tender's own timer; scored by its one evaluator; ranked; the award confirmed to the owner.
        await Poll.UntilAsync(() => Api.GetAsync($"tenders/{TenderId}"), r => r.Str("status") == "opened", TimeSpan.FromSeconds(40));
        foreach (var (bid, plan) in ids.Take(3).Zip(new[] { 48, 35, 30 }))
        {
            Expect(await Api.PostAsync($"tenders/{TenderId}/bids/{bid}/evaluations", new { scores = new { plan, team = 25 }, comment = "评分" }, Reviewer), HttpStatusCode.OK);
        }

        Expect(await Api.PostAsync($"tenders/{TenderId}/lots/A/ranking", null, Samples.Admin), HttpStatusCode.OK);
        var award = Expect(await Api.PostAsync($"tenders/{TenderId}/lots/A/award", null, Samples.Admin), HttpStatusCode.OK);
        Assert.Equal(Owner, award.Body.GetProperty("offers")[0].GetProperty("organizationId").GetString());
        ChallengeId = Expect(await Api.PostAsync($"tenders/{TenderId}/challenges",
            new { lotId = "A", grounds = "中标人的人员配备承诺与其实际持证人数不符，请予复核。" }, Samples.Organization(bidder2)), HttpStatusCode.Created).Str("id");

        // The contract is drawn only when the standstill (a day here) is over; seeded signed instead, through the
        // core's own Contract.Draw and store, because the matrix is about authorization, not the award workflow.
        var storage = Storage();
        var (found, _) = (await new TenderStore(storage).FindAsync(TenderId))!.Value;
        var (lotAward, _) = (await new AwardStore(storage).FindAsync(TenderId, "A"))!.Value;
        var at = DateTimeOffset.UtcNow;
        var drawn = Contract.Draw(found, found.Lots.Single(l => l.Id == "A"), lotAward.Current!, at);
        var signed = drawn with
        {
            Status = ContractStatus.Active,
            SignedBySupplier = "acm-seed",
            SignedByBureau = "acm-seed",
            SignedAt = at,
            Milestones = drawn.Milestones.Select(m => m with { DueAt = at + TenderPeriods.Parse(m.DueAfter) }).ToList(),
        };
        Assert.True(await new ContractStore(storage).TryAddAsync(signed));
        ContractId = signed.Id;
    }

    private async Task DispatchAsync(string elsewhere)
    {
        VolunteerOwner = Expect(await Api.PostAsync("volunteers", DispatchFixture.Form("访问矩阵志愿者", Grid, ["companionship"]), Samples.Admin), HttpStatusCode.Created).Str("id");
        VolunteerStranger = Expect(await Api.PostAsync("volunteers", DispatchFixture.Form("另一街道志愿者", elsewhere, ["companionship"]), Samples.Admin), HttpStatusCode.Created).Str("id");

        // The only volunteer of the street gets the offer, accepts, serves; the community's dispatcher confirms.
        RequestId = Expect(await Api.PostAsync("service-requests", new
        {
            beneficiaryId = BeneficiaryId,
            beneficiaryName = BeneficiaryName,
            vulnerability = "elderly-alone",
            need = $"{BeneficiaryName}独居，需要上门陪伴并协助购买药品。",
            skills = new[] { "companionship" },
            gridId = Grid,
            tier = "blue",
            source = "hotline",
        }, Dispatcher), HttpStatusCode.Created).Str("id");
        var offers = await Poll.UntilAsync(() => Api.GetAsync("offers/mine", Volunteer), r => r.Body.GetArrayLength() > 0, TimeSpan.FromSeconds(30));
        OfferId = offers.Body[0].GetProperty("id").GetString()!;
        Expect(await Api.PostAsync($"offers/{OfferId}/accept", null, Volunteer), HttpStatusCode.OK);
        await Poll.UntilAsync(() => Api.GetAsync($"service-requests/{RequestId}", Dispatcher),
            r => r.Body.GetProperty("request").GetProperty("status").GetString() == "accepted", TimeSpan.FromSeconds(30));
        Expect(await Api.PostAsync($"service-requests/{RequestId}/check-in", null, Volunteer), HttpStatusCode.OK);
        Expect(await Api.PostAsync($"service-requests/{RequestId}/check-out", null, Volunteer), HttpStatusCode.OK);
        Expect(await Api.PostAsync($"service-requests/{RequestId}/confirm", null, Dispatcher), HttpStatusCode.OK);

        var pairing = await Api.PostAsync("pairings", new { volunteerId = VolunteerOwner, beneficiaryId = PairedId, beneficiaryName = PairedName, gridId = Grid, every = "P7D", grace = "P2D" }, Dispatcher);
        PairingId = Expect(pairing, HttpStatusCode.Created).Body.GetProperty("pairing").GetProperty("id").GetString()!;
        Expect(await Api.PostAsync($"pairings/{PairingId}/visits", new { notes = $"上门看望{PairedName}，血压正常。" }, Volunteer), HttpStatusCode.Created);
        Expect(await Api.PostAsync($"pairings/{PairingId}/end", null, Dispatcher), HttpStatusCode.OK);
    }

    private async Task MemberAsync() =>
        Expect(await Api.PutAsync($"members/{MemberPrincipal}", new { communities = new[] { Community } }, Samples.Admin), HttpStatusCode.OK);

    private static Reply Expect(Reply reply, HttpStatusCode status)
    {
        Assert.True(reply.Status == status, $"Setting up the access matrix: expected {(int)status}, got {reply}");
        return reply;
    }
}

/// <summary>
/// Issue 6, the access matrix: every entry of <see cref="RouteTable.Http"/> called over real HTTP as each kind
/// of caller, and every answer compared with <c>AccessMatrix.expected.txt</c>, exact status code by exact status
/// code. A route without a line there fails the test by name; a mismatch lists every differing cell.
/// </summary>
public sealed class AccessMatrixTests(AccessMatrixFixture f, ITestOutputHelper output) : IClassFixture<AccessMatrixFixture>
{
    private const string ExpectedFile = "AccessMatrix.expected.txt";

    /// <summary>
    /// What each route is sent besides its route values: by default nothing for GET and <c>{}</c> for POST and
    /// PUT (invalid for every endpoint that reads a body, so an allowed caller stops at 400 and nothing changes).
    /// </summary>
    private static readonly Dictionary<string, (string? Query, string? Body, Dictionary<string, string>? Values)> Overrides = new(StringComparer.Ordinal)
    {
        // {} is a valid (empty) membership: a community that does not exist makes it invalid.
        [nameof(MembershipEndpoints.SetMember)] = (null, """{"communities":["not-a-community"]}""", null),
        // Only lot B failed at opening.
        [nameof(TenderEndpoints.DecideFailedLot)] = (null, null, new Dictionary<string, string> { ["lotId"] = "B" }),
        // The report needs its period; today's is empty of personal data and cheap.
        [nameof(DispatchEndpoints.VolunteeringReport)] = ("?from={today}&to={today}", null, null),
    };

    [Fact]
    public async Task Every_route_answers_every_kind_of_caller_exactly_as_the_expected_matrix_says_and_changes_nothing()
    {
        var expected = ReadExpected(out var columns);
        var callers = f.Callers.Select(c => c.Name).ToList();
        Assert.True(columns.SequenceEqual(callers), $"{ExpectedFile} has the columns [{string.Join(", ", columns)}]; the test's callers are [{string.Join(", ", callers)}].");
        var routes = RouteTable.Http.Select(e => e.Name).ToList();
        var unlisted = routes.Where(r => !expected.ContainsKey(r)).ToList();
        Assert.True(unlisted.Count == 0,
            $"Routes of RouteTable.Http without a line in {ExpectedFile} (add one, with the status each caller must get): {string.Join(", ", unlisted)}");
        var stale = expected.Keys.Where(r => !routes.Contains(r)).ToList();
        Assert.True(stale.Count == 0, $"Lines of {ExpectedFile} for routes that are not in RouteTable.Http: {string.Join(", ", stale)}");

        var before = await SnapshotAsync();
        var watch = Stopwatch.StartNew();
        var observed = new Dictionary<string, Reply[]>(StringComparer.Ordinal);
        foreach (var endpoint in RouteTable.Http)
        {
            var replies = new Reply[f.Callers.Count];
            for (var i = 0; i < f.Callers.Count; i++)
            {
                replies[i] = await CallAsync(endpoint, f.Callers[i].Principal);
            }

            observed[endpoint.Name] = replies;
        }

        var sweep = watch.Elapsed;
        var after = await SnapshotAsync();
        var table = Render(columns, RouteTable.Http.Select(e => (e.Name, observed[e.Name].Select(r => ((int)r.Status).ToString(CultureInfo.InvariantCulture)).ToArray())));
        var observedPath = Path.Combine(AppContext.BaseDirectory, "AccessMatrix.observed.txt");
        await File.WriteAllTextAsync(observedPath, table);
        output.WriteLine($"{RouteTable.Http.Count} routes x {f.Callers.Count} callers = {RouteTable.Http.Count * f.Callers.Count} requests in {sweep.TotalSeconds:0.0} s (setup {f.SetupTime.TotalSeconds:0.0} s).");
        output.WriteLine(table);

        var differences = new List<string>();
        foreach (var endpoint in RouteTable.Http)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                var got = observed[endpoint.Name][i];
                if ((int)got.Status != expected[endpoint.Name][i])
                {
                    differences.Add($"  {endpoint.Name,-24} {columns[i],-10} expected {expected[endpoint.Name][i]}, got {(int)got.Status} {got.Code} {Detail(got)}");
                }
            }
        }

        Assert.True(differences.Count == 0,
            $"{differences.Count} cell(s) of the access matrix differ from {ExpectedFile} (route, caller, expected, got):{Environment.NewLine}"
            + string.Join(Environment.NewLine, differences)
            + $"{Environment.NewLine}The whole observed matrix is in {observedPath}.");

        var changed = before.Where(b => after[b.Key] != b.Value).Select(b => b.Key).ToList();
        Assert.True(changed.Count == 0, $"The sweep changed stored state it must not change: {string.Join(", ", changed)}");
    }

    [Fact]
    public async Task Beneficiaries_are_named_only_to_the_bureau_and_their_communitys_dispatchers_and_blind_review_hides_the_applicant()
    {
        var request = $"service-requests/{f.RequestId}";
        foreach (var full in new[] { Samples.Admin, f.Dispatcher })
        {
            var view = await f.Api.GetAsync(request, full);
            Assert.Equal(HttpStatusCode.OK, view.Status);
            Assert.Equal(AccessMatrixFixture.BeneficiaryName, view.Body.GetProperty("request").GetProperty("beneficiaryName").GetString());
            Assert.Equal(f.BeneficiaryId, view.Body.GetProperty("request").GetProperty("beneficiaryId").GetString());
            Assert.False(view.Body.GetProperty("beneficiaryMasked").GetBoolean());
        }

        // The volunteer who served and a dispatcher of another community: the request, its need and its timeline masked.
        foreach (var masked in new[] { f.Volunteer, f.OtherDispatcher })
        {
            var view = await f.Api.GetAsync(request, masked);
            Assert.Equal(HttpStatusCode.OK, view.Status);
            Assert.True(view.Body.GetProperty("beneficiaryMasked").GetBoolean());
            Assert.Equal("张**", view.Body.GetProperty("request").GetProperty("beneficiaryName").GetString());
            Assert.StartsWith("张**", view.Body.GetProperty("request").GetProperty("need").GetString(), StringComparison.Ordinal);
            Assert.NotEmpty(view.Body.GetProperty("timeline").EnumerateArray());
            AssertNoBeneficiary(view, AccessMatrixFixture.BeneficiaryName, f.BeneficiaryId);
        }

        // The offer (its need names the beneficiary), the hours ledger (its memo does), the pairing and its visits.
        AssertNoBeneficiary(await f.Api.PostAsync($"offers/{f.OfferId}/accept", null, f.Volunteer), AccessMatrixFixture.BeneficiaryName, f.BeneficiaryId);
        var hours = await f.Api.GetAsync($"volunteers/{f.VolunteerOwner}/hours", f.Volunteer);
        Assert.Single(hours.Body.GetProperty("entries").EnumerateArray());
        AssertNoBeneficiary(hours, AccessMatrixFixture.BeneficiaryName, f.BeneficiaryId);
        Assert.Contains(AccessMatrixFixture.BeneficiaryName, (await f.Api.GetAsync($"volunteers/{f.VolunteerOwner}/hours", Samples.Admin)).Text, StringComparison.Ordinal);
        foreach (var masked in new[] { f.Volunteer, f.OtherDispatcher })
        {
            var pairing = await f.Api.GetAsync($"pairings/{f.PairingId}", masked);
            Assert.Single(pairing.Body.GetProperty("visits").EnumerateArray());
            AssertNoBeneficiary(pairing, AccessMatrixFixture.PairedName, f.PairedId);
        }

        var paired = await f.Api.GetAsync($"pairings/{f.PairingId}", f.Dispatcher);
        Assert.Equal(AccessMatrixFixture.PairedName, paired.Body.GetProperty("pairing").GetProperty("beneficiaryName").GetString());
        Assert.Contains(AccessMatrixFixture.PairedName, paired.Body.GetProperty("visits")[0].GetProperty("notes").GetString(), StringComparison.Ordinal);

        // Blind review: the assigned reviewer reads the application without the applicant; the applicant reads it whole.
        var application = $"rounds/{f.RoundId}/applications/{f.ApplicationId}";
        var blind = await f.Api.GetAsync(application, AccessMatrixFixture.Reviewer);
        Assert.Equal(HttpStatusCode.OK, blind.Status);
        Assert.True(blind.Body.GetProperty("blind").GetBoolean());
        Assert.DoesNotContain(f.Owner, blind.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("夕阳红", blind.Text, StringComparison.Ordinal);
        Assert.Contains(f.Owner, (await f.Api.GetAsync(application, Samples.Organization(f.Owner))).Text, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Owner, (await f.Api.GetAsync("reviews/mine", AccessMatrixFixture.Reviewer)).Text, StringComparison.Ordinal);
    }

    private static void AssertNoBeneficiary(Reply reply, string name, string id)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.DoesNotContain(name, reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(id, reply.Text, StringComparison.Ordinal);
    }

    private Task<Reply> CallAsync(HttpEndpoint endpoint, string? principal)
    {
        Overrides.TryGetValue(endpoint.Name, out var extra);
        var path = endpoint.Route;
        foreach (var name in RouteParameters(endpoint.Route))
        {
            var value = extra.Values?.GetValueOrDefault(name) ?? f.RouteValues.GetValueOrDefault(name)
                ?? throw new InvalidOperationException($"The access matrix has no value for {{{name}}} in route {endpoint.Name} ({endpoint.Route}): add one to AccessMatrixFixture.RouteValues.");
            path = path.Replace($"{{{name}}}", value, StringComparison.Ordinal);
        }

        var today = District.Today(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        path += extra.Query?.Replace("{today}", today, StringComparison.Ordinal) ?? "";
        var content = endpoint.Method is "POST" or "PUT"
            ? new StringContent(extra.Body ?? "{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json"))
            : null;
        return f.Api.SendAsync(new HttpMethod(endpoint.Method), path, principal, content);
    }

    private static IEnumerable<string> RouteParameters(string route) =>
        route.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1]);

    private static string Detail(Reply reply) =>
        reply.Body.ValueKind == JsonValueKind.Object && reply.Body.TryGetProperty("detail", out var d) ? $"({d.GetString()})" : "";

    private static Dictionary<string, int[]> ReadExpected(out List<string> columns)
    {
        var path = Path.Combine(Repository.Root, "tests", "Serverless.Integration.Tests", ExpectedFile);
        var rows = new Dictionary<string, int[]>(StringComparer.Ordinal);
        columns = [];
        foreach (var (raw, number) in File.ReadAllLines(path).Select((l, i) => (l, i + 1)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Count == 0)
            {
                Assert.True(cells[0] == "route", $"{ExpectedFile}:{number}: the first line that is not a comment names the columns, starting with 'route'.");
                columns = cells.Skip(1).ToList();
                continue;
            }

            Assert.True(cells.Length == columns.Count + 1, $"{ExpectedFile}:{number}: {cells[0]} has {cells.Length - 1} cells for {columns.Count} callers.");
            Assert.True(rows.TryAdd(cells[0], cells.Skip(1).Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray()),
                $"{ExpectedFile}:{number}: a second line for {cells[0]}.");
        }

        return rows;
    }

    private static string Render(IReadOnlyList<string> columns, IEnumerable<(string Route, string[] Cells)> rows)
    {
        var list = rows.ToList();
        var first = Math.Max("route".Length, list.Max(r => r.Route.Length)) + 2;
        var widths = columns.Select(c => Math.Max(c.Length, 3) + 2).ToList();
        var text = new StringBuilder();
        text.Append("route".PadRight(first)).AppendJoin("", columns.Select((c, i) => c.PadLeft(widths[i]))).AppendLine();
        foreach (var (route, cells) in list)
        {
            text.Append(route.PadRight(first)).AppendJoin("", cells.Select((c, i) => c.PadLeft(widths[i]))).AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The ETag of every stored document the sweep addresses: any write to one changes it.</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var s = f.Storage();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string what, Azure.ETag? etag) => rows[what] = etag?.ToString() ?? "absent";
        Add("round", (await new RoundStore(s).FindAsync(f.RoundId))?.ETag);
        Add("application", (await new ApplicationStore(s).FindAsync(f.RoundId, f.ApplicationId))?.ETag);
        Add("review", (await new ReviewStore(s).FindAsync(f.RoundId, f.ApplicationId, AccessMatrixFixture.ReviewerId))?.ETag);
        Add("objection", (await new ObjectionStore(s).FindAsync(f.RoundId, f.ObjectionId))?.ETag);
        Add("grant", (await new GrantStore(s).FindAsync(f.GrantId))?.ETag);
        Add("grant report", (await new GrantStore(s).FindReportAsync(f.GrantId, f.ReportId))?.ETag);
        Add("tender", (await new TenderStore(s).FindAsync(f.TenderId))?.ETag);
        Add("question", (await new QuestionStore(s).FindAsync(f.TenderId, f.QuestionId))?.ETag);
        Add("bid", (await new BidStore(s).FindAsync(f.TenderId, f.BidId))?.ETag);
        Add("award", (await new AwardStore(s).FindAsync(f.TenderId, "A"))?.ETag);
        Add("challenge", (await new AwardStore(s).FindChallengeAsync(f.TenderId, f.ChallengeId))?.ETag);
        Add("contract", (await new ContractStore(s).FindAsync(f.ContractId))?.ETag);
        Add("volunteer", (await new VolunteerStore(s).FindAsync(f.VolunteerOwner))?.ETag);
        Add("service request", (await new RequestStore(s).FindAsync(f.RequestId))?.ETag);
        Add("offer", (await new RequestStore(s).FindOfferAsync(f.VolunteerOwner, f.OfferId))?.ETag);
        Add("pairing", (await new PairingStore(s, new Outbox(s, TimeProvider.System), TimeProvider.System).FindAsync(f.PairingId))?.ETag);
        rows["membership"] = ApiJson.Serialize(await new MembershipStore(s).FindAsync(f.MemberPrincipal));
        rows["organizations"] = ApiJson.Serialize(await new Serverless.Core.Organizations.OrganizationStore(s).FindAsync(f.Owner));
        rows["lot B"] = ApiJson.Serialize((await new TenderStore(s).FindAsync(f.TenderId))?.Tender.Lots.Single(l => l.Id == "B"));
        return rows;
    }
}

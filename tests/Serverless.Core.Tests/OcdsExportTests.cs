using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Core.Procurement;
using Serverless.Tests.Shared;

namespace Serverless.Core.Tests;

/// <summary>
/// The OCDS export of one tender at each stage of its life, validated against the official OCDS 1.1.5 release
/// package schema (tests/schemas): draft, published, opened (one lot failed), awarded (the first candidate
/// withdrew, the second holds the award), contracted, and one milestone accepted and paid less a KPI deduction.
/// </summary>
public sealed class OcdsExportTests
{
    private const string Prefix = "ocds-213czf";
    private const string Uri = "https://example.org/api/tenders/tender-2027-elderly/ocds";

    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PublishedAt = T0.AddDays(1);
    private static readonly DateTimeOffset Deadline = T0.AddDays(21);
    private static readonly DateTimeOffset ConfirmedAt = Deadline.AddDays(10);
    private static readonly DateTimeOffset WithdrawnAt = ConfirmedAt.AddDays(2);
    private static readonly DateTimeOffset SignedAt = WithdrawnAt.AddDays(12);
    private static readonly DateTimeOffset PaidAt = SignedAt.AddDays(95);
    private static readonly TimeSpan Standstill = TimeSpan.FromDays(7);

    private static readonly (string Org, string Name, string Lot, decimal Price, string Proposal)[] Bidders =
    [
        ("org-sunshine", "Sunshine Elderly Care Centre", "L1", 456_789.12m, "PROPOSAL-SUNSHINE day-care rota"),
        ("org-harmony", "Harmony Social Work Agency", "L1", 432_101.57m, "PROPOSAL-HARMONY home visits"),
        ("org-evergreen", "Evergreen Community Services", "L1", 471_234.89m, "PROPOSAL-EVERGREEN canteen"),
        ("org-riverside", "Riverside Volunteers Association", "L2", 287_654.33m, "PROPOSAL-RIVERSIDE counselling"),
    ];

    [Fact]
    public void Every_stage_of_the_tender_exports_a_package_the_official_schema_accepts()
    {
        foreach (var (stage, package) in Stages())
        {
            var errors = OcdsSchema.Validate(package.ToJsonString());
            Assert.True(errors.Count == 0, $"{stage}: {string.Join(Environment.NewLine, errors)}");
        }
    }

    [Fact]
    public void The_releases_follow_the_tender_from_planning_to_implementation_in_order()
    {
        var tags = Stages().ToDictionary(s => s.Stage, s => TagsOf(s.Package));

        Assert.Equal(["planning"], tags["draft"]);
        Assert.Equal(["planning", "tender"], tags["published"]);
        Assert.Equal(["planning", "tender", "tenderUpdate"], tags["opened"]);
        Assert.Equal(["planning", "tender", "tenderUpdate", "award"], tags["awarded"]);
        Assert.Equal(["planning", "tender", "tenderUpdate", "award", "contract"], tags["contracted"]);
        Assert.Equal(["planning", "tender", "tenderUpdate", "award", "contract", "implementation"], tags["paid"]);
    }

    [Fact]
    public void Release_ids_are_deterministic_and_unique_within_the_package()
    {
        var (tender, bids, awards, contracts) = Paid();
        var first = OcdsExport.Build(tender, bids, awards, contracts, Prefix, PaidAt.AddDays(1), Uri);
        var again = OcdsExport.Build(tender, bids, awards, contracts, Prefix, PaidAt.AddDays(1), Uri);

        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        var ids = Releases(first).Select(r => (string)r["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Releases(first), r => Assert.Equal($"{Prefix}-tender-2027-elderly", (string)r["ocid"]!));
    }

    [Fact]
    public void Before_opening_the_package_holds_nothing_from_any_bid_even_when_opened_content_is_passed_in()
    {
        // Defence in depth: the bids here carry their opened content, as if a caller had loaded it by mistake.
        var bids = OpenedBids();
        foreach (var tender in new[] { Draft(), Published(), Published() with { BidDeadline = T0.AddDays(2) } })
        {
            var json = OcdsExport.Build(tender, bids, [], [], Prefix, Deadline.AddMinutes(-1), Uri).ToJsonString(Unescaped);

            foreach (var bid in bids)
            {
                Assert.DoesNotContain(bid.Opened!.Price.ToString(CultureInfo.InvariantCulture), json, StringComparison.Ordinal);
                Assert.DoesNotContain(bid.Opened.TechnicalProposal, json, StringComparison.Ordinal);
                Assert.DoesNotContain(bid.OrganizationName, json, StringComparison.Ordinal);
                Assert.DoesNotContain(bid.OrganizationId, json, StringComparison.Ordinal);
                Assert.DoesNotContain(bid.Id, json, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_opening_lists_the_tenderers_but_no_prices_and_a_failed_lot_does_not_fail_the_tender()
    {
        var (tender, bids, _, _) = Opened();
        var package = OcdsExport.Build(tender, bids, [], [], Prefix, Deadline.AddHours(1), Uri);
        var opening = Releases(package).Single(r => Tags(r).Contains("tenderUpdate"));
        var section = opening["tender"]!;

        Assert.Equal("complete", (string)section["status"]!);
        Assert.Equal(4, (int)section["numberOfTenderers"]!);
        Assert.Contains("Harmony Social Work Agency", section["tenderers"]!.AsArray().Select(t => (string)t!["name"]!));
        var json = package.ToJsonString(Unescaped);
        Assert.All(bids, b => Assert.DoesNotContain(b.Opened!.Price.ToString(CultureInfo.InvariantCulture), json, StringComparison.Ordinal));
        Assert.All(bids, b => Assert.DoesNotContain(b.Opened!.TechnicalProposal, json, StringComparison.Ordinal));

        var allFailed = tender with { Lots = [.. tender.Lots.Select(l => l with { Status = LotStatus.Failed })] };
        var failed = Releases(OcdsExport.Build(allFailed, bids, [], [], Prefix, Deadline.AddHours(1), Uri)).Single(r => Tags(r).Contains("tenderUpdate"));
        Assert.Equal("unsuccessful", (string)failed["tender"]!["status"]!);
    }

    [Fact]
    public void The_tender_maps_method_criteria_periods_and_lots_as_items_priced_at_their_ceilings()
    {
        var package = OcdsExport.Build(Published(), [], [], [], Prefix, PublishedAt, Uri);
        var tender = Releases(package).Single(r => Tags(r).Contains("tender"))["tender"]!;

        Assert.Equal("active", (string)tender["status"]!);
        Assert.Equal("open", (string)tender["procurementMethod"]!);
        Assert.Equal("ratedCriteria", (string)tender["awardCriteria"]!);
        Assert.Equal(800_000m, (decimal)tender["value"]!["amount"]!);
        Assert.Equal("2027-03-22T09:00:00Z", (string)tender["tenderPeriod"]!["endDate"]!);
        Assert.Equal("2027-03-11T09:00:00Z", (string)tender["enquiryPeriod"]!["endDate"]!);
        Assert.Equal(["L1", "L2"], tender["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray());
        Assert.Equal(300_000m, (decimal)tender["items"]![1]!["unit"]!["value"]!["amount"]!);

        var planning = Releases(package).Single(r => Tags(r).Contains("planning"));
        Assert.Equal(800_000m, (decimal)planning["planning"]!["budget"]!["amount"]!["amount"]!);
        Assert.Equal("CNY", (string)planning["planning"]!["budget"]!["amount"]!["currency"]!);

        var consultation = OcdsExport.Build(Published() with { Method = ProcurementMethod.CompetitiveConsultation, Evaluation = EvaluationMethod.LowestPrice },
            [], [], [], Prefix, PublishedAt, Uri);
        var t2 = Releases(consultation).Single(r => Tags(r).Contains("tender"))["tender"]!;
        Assert.Equal(("selective", "priceOnly"), ((string)t2["procurementMethod"]!, (string)t2["awardCriteria"]!));
    }

    [Fact]
    public void The_award_shows_the_withdrawn_first_candidate_as_cancelled_and_the_second_as_the_award()
    {
        var (tender, bids, awards, contracts) = Contracted();
        var package = OcdsExport.Build(tender, bids, awards, contracts, Prefix, SignedAt.AddDays(1), Uri);
        var list = Releases(package).Single(r => Tags(r).Contains("award"))["awards"]!.AsArray();

        Assert.Equal([("cancelled", 432_101.57m, "org-harmony"), ("active", 456_789.12m, "org-sunshine")],
            list.Select(a => ((string)a!["status"]!, (decimal)a["value"]!["amount"]!, (string)a["suppliers"]![0]!["id"]!)).ToArray());
        var contract = Releases(package).Single(r => Tags(r).Contains("contract"))["contracts"]![0]!;
        Assert.Equal((string)list[1]!["id"]!, (string)contract["awardID"]!);
        Assert.Equal("active", (string)contract["status"]!);

        // During the standstill the award to the second candidate is "pending" (OCDS 1.1 awardStatus).
        var (_, _, awarded, _) = Awarded();
        var during = Releases(OcdsExport.Build(tender, bids, awarded, [], Prefix, WithdrawnAt.AddDays(1), Uri)).Single(r => Tags(r).Contains("award"));
        Assert.Equal(["cancelled", "pending"], during["awards"]!.AsArray().Select(a => (string)a!["status"]!).ToArray());
    }

    [Fact]
    public void A_paid_milestone_is_a_transaction_of_its_net_amount_from_the_bureau_to_the_supplier()
    {
        var (tender, bids, awards, contracts) = Paid();
        var milestone = contracts[0].Milestones[0];
        var payment = milestone.Payment!;
        Assert.True(payment.Deduction > 0m);

        var package = OcdsExport.Build(tender, bids, awards, contracts, Prefix, PaidAt.AddDays(1), Uri);
        var implementation = Releases(package).Single(r => Tags(r).Contains("implementation"))["contracts"]![0]!["implementation"]!;
        var transaction = Assert.Single(implementation["transactions"]!.AsArray())!;

        Assert.Equal(payment.Net, (decimal)transaction["value"]!["amount"]!);
        Assert.Equal(payment.Gross - payment.Deduction, (decimal)transaction["value"]!["amount"]!);
        Assert.Equal("CNY", (string)transaction["value"]!["currency"]!);
        Assert.Equal((OcdsExport.BuyerId, "org-sunshine"), ((string)transaction["payer"]!["id"]!, (string)transaction["payee"]!["id"]!));
        var statuses = implementation["milestones"]!.AsArray().ToDictionary(m => (string)m!["id"]!, m => (string)m!["status"]!);
        Assert.Equal("met", statuses["m1-delivery"]);
        Assert.Equal("met", statuses["m1-payment"]);
        Assert.Equal("scheduled", statuses["m2-delivery"]);
    }

    [Fact]
    public void The_validator_reports_a_broken_package()
    {
        var (tender, bids, awards, contracts) = Paid();
        var package = OcdsExport.Build(tender, bids, awards, contracts, Prefix, PaidAt.AddDays(1), Uri);
        Assert.Empty(OcdsSchema.Validate(package.ToJsonString()));

        var noOcid = package.DeepClone().AsObject();
        noOcid["releases"]![0]!.AsObject().Remove("ocid");
        Assert.NotEmpty(OcdsSchema.Validate(noOcid.ToJsonString()));

        var badStatus = package.DeepClone().AsObject();
        badStatus["releases"]![1]!["tender"]!["status"] = "open for bids";
        Assert.NotEmpty(OcdsSchema.Validate(badStatus.ToJsonString()));

        var badDate = package.DeepClone().AsObject();
        badDate["releases"]![0]!["date"] = "1 March 2027";
        Assert.NotEmpty(OcdsSchema.Validate(badDate.ToJsonString()));
    }

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static IEnumerable<(string Stage, JsonObject Package)> Stages()
    {
        yield return ("draft", OcdsExport.Build(Draft(), [], [], [], Prefix, T0.AddHours(1), Uri));
        yield return ("published", OcdsExport.Build(Published(), [], [], [], Prefix, PublishedAt.AddHours(1), Uri));
        foreach (var (stage, at, state) in new[]
                 {
                     ("opened", Deadline.AddHours(1), Opened()),
                     ("awarded", WithdrawnAt.AddDays(1), Awarded()),
                     ("contracted", SignedAt.AddDays(1), Contracted()),
                     ("paid", PaidAt.AddDays(1), Paid()),
                 })
        {
            yield return (stage, OcdsExport.Build(state.Tender, state.Bids, state.Awards, state.Contracts, Prefix, at, Uri));
        }
    }

    private static List<JsonNode> Releases(JsonObject package) => [.. package["releases"]!.AsArray().Select(r => r!)];

    private static string[] TagsOf(JsonObject package) => [.. Releases(package).SelectMany(Tags)];

    private static IEnumerable<string> Tags(JsonNode release) => release["tag"]!.AsArray().Select(t => (string)t!);

    private static Tender Draft() => new(
        Id: "tender-2027-elderly",
        Title: "2027 home-based elderly care services",
        Lots:
        [
            new Lot("L1", "Daytime care, Xinyang street", 500_000m, "Day care for 1000 older residents", Kpis()),
            new Lot("L2", "Counselling, Anjing street", 300_000m, "Psychological support sessions", Kpis()),
        ],
        Method: ProcurementMethod.OpenTender,
        Evaluation: EvaluationMethod.ComprehensiveScoring,
        PriceWeight: 20,
        TechnicalCriteria: [new TechnicalCriterion("plan", "Service plan", 50), new TechnicalCriterion("team", "Team", 30)],
        Evaluators: ["rev-1", "rev-2", "rev-3"],
        AbnormalShare: BidEvaluation.DefaultAbnormalShare,
        Periods: new TenderPeriods(),
        Milestones: [new MilestonePlan("Mid-term", 40, "P90D"), new MilestonePlan("Final", 60, "P180D")],
        MaxDeductionPercent: 20,
        EnquiryDeadline: T0.AddDays(10),
        BidDeadline: Deadline,
        Status: TenderStatus.Draft,
        CreatedAt: T0,
        CreatedBy: "officer-1");

    private static List<KpiTarget> Kpis() => [new("people", "People served", 1000m, "persons"), new("sessions", "Sessions held", 48m, "sessions")];

    private static Tender Published() => Draft().Publish(PublishedAt).OrThrow();

    private static List<Bid> OpenedBids() =>
    [
        .. Bidders.Select((b, i) => new Bid(Bid.IdFor("tender-2027-elderly", b.Lot, b.Org), "tender-2027-elderly", b.Lot, b.Org, b.Name, BidStatus.Submitted, 1,
            PublishedAt.AddDays(i + 1), PublishedAt.AddDays(i + 1), "sha", new SealedContent("c", "n", "t", "k"), new BidContent(b.Price, b.Proposal))),
    ];

    private static (Tender Tender, List<Bid> Bids, List<LotAward> Awards, List<Contract> Contracts) Opened()
    {
        var tender = Published() with
        {
            Status = TenderStatus.Opened,
            OpenedAt = Deadline,
            OpenedBy = "timer",
            Lots =
            [
                Published().Lots[0] with { Status = LotStatus.Opened, ValidBids = 3 },
                Published().Lots[1] with { Status = LotStatus.Failed, ValidBids = 1, FailureReason = "Fewer than three valid bids (流标)" },
            ],
        };
        return (tender, OpenedBids(), [], []);
    }

    /// <summary>Harmony ranks first and withdraws during the standstill; the award passes to Sunshine, ranked second.</summary>
    private static (Tender Tender, List<Bid> Bids, List<LotAward> Awards, List<Contract> Contracts) Awarded()
    {
        var (tender, bids, _, _) = Opened();
        string Id(string org) => Bid.IdFor(tender.Id, "L1", org);
        var ranked = new LotAward(tender.Id, "L1", tender.Lots[0].Title, AwardStatus.Recommended,
            [
                new BidRanking(1, Id("org-harmony"), 20m, 70m, 90m, false, []),
                new BidRanking(2, Id("org-sunshine"), 18.92m, 68m, 86.92m, false, []),
                new BidRanking(3, Id("org-evergreen"), 18.34m, 60m, 78.34m, false, []),
            ],
            Deadline.AddDays(8), "rev-1", []);
        var award = ranked.Confirm("officer-1", ConfirmedAt, Standstill, bids).OrThrow()
            .EndCurrentOffer(OfferOutcome.Withdrawn, "The bidder withdrew.", WithdrawnAt, Standstill, bids).OrThrow();
        return (tender, bids, [award], []);
    }

    private static (Tender Tender, List<Bid> Bids, List<LotAward> Awards, List<Contract> Contracts) Contracted()
    {
        var (tender, bids, awards, _) = Awarded();
        var award = awards[0];
        var offer = award.Current!;
        var drawn = Contract.Draw(tender, tender.Lots[0], offer, offer.StandstillEndsAt);
        var signed = drawn with
        {
            Status = ContractStatus.Active,
            SignedBySupplier = "supplier-user",
            SignedByBureau = "officer-1",
            SignedAt = SignedAt,
            Milestones = [.. drawn.Milestones.Select(m => m with { DueAt = SignedAt + TenderPeriods.Parse(m.DueAfter) })],
        };
        award = award with
        {
            Status = AwardStatus.Contracted,
            Offers = [.. award.Offers.Take(award.Offers.Count - 1), offer with { ContractId = signed.Id, Outcome = OfferOutcome.ContractSigned, EndedAt = SignedAt }],
        };
        return (tender, bids, [award], [signed]);
    }

    /// <summary>The first milestone reported short on people served, accepted, and paid less the KPI deduction.</summary>
    private static (Tender Tender, List<Bid> Bids, List<LotAward> Awards, List<Contract> Contracts) Paid()
    {
        var (tender, bids, awards, contracts) = Contracted();
        var contract = contracts[0];
        var first = contract.Milestones[0];
        var delivered = new Dictionary<string, decimal> { ["people"] = 360m, ["sessions"] = 20m };
        var reportedAt = PaidAt.AddDays(-10);
        var (deduction, steps) = Contract.Deduction(first.Amount, first.Targets, delivered, contract.MaxDeductionPercent);
        var paid = first with
        {
            Report = new MilestoneReport(delivered, ["evidence/attendance.pdf"], "Mid-term report", reportedAt, 1, reportedAt),
            Decisions = [new MilestoneAcceptance(true, null, "officer-1", PaidAt.AddDays(-3), 1)],
            Payment = new MilestonePayment(first.Amount, deduction, first.Amount - deduction, steps, PaidAt),
        };
        return (tender, bids, awards, [contract with { Milestones = [paid, .. contract.Milestones.Skip(1)] }]);
    }
}

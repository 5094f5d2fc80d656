using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Procurement;

/// <summary>
/// A tender's history as an Open Contracting Data Standard 1.1 release package (OCDS, core schema only):
/// planning, tender, the opening (tenderUpdate), one award release per published lot award, one contract
/// release per contract, and one implementation release per contract with a report or a payment.
/// Nothing from a bid (tenderers, prices, bid ids) is exported before the tender is opened: the bids,
/// awards and contracts are not even read until then.
/// </summary>
public sealed class OcdsExport(AwardStore awards, ContractStore contracts, BidStore bids, IConfiguration configuration, TimeProvider clock)
{
    /// <summary>
    /// The OCDS documentation's example prefix. The district registers its own with the Open Contracting
    /// Partnership and sets it as <c>Procurement:OcidPrefix</c>.
    /// </summary>
    public const string DefaultOcidPrefix = "ocds-213czf";

    public const string BuyerId = "bureau";

    public const string BuyerName = "道里区民政局 (Daoli District Civil Affairs Bureau)";

    private const string Currency = "CNY";

    public async Task<JsonObject> PackageAsync(Tender tender, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tender);
        var opened = tender.Status == TenderStatus.Opened;
        IReadOnlyList<Bid> tenderBids = opened ? await bids.ListAsync(tender.Id, cancellation) : [];
        IReadOnlyList<LotAward> lotAwards = opened ? await awards.ListAsync(tender.Id, cancellation) : [];
        IReadOnlyList<Contract> tenderContracts = opened ? await contracts.ListForTenderAsync(tender.Id, cancellation) : [];
        var prefix = configuration["Procurement:OcidPrefix"];
        var baseUrl = configuration["Procurement:PublicBaseUrl"];
        var uri = $"{(string.IsNullOrWhiteSpace(baseUrl) ? "http://localhost:7071" : baseUrl.TrimEnd('/'))}{Tender.Location(tender.Id)}/ocds";
        return Build(tender, tenderBids, lotAwards, tenderContracts, string.IsNullOrWhiteSpace(prefix) ? DefaultOcidPrefix : prefix, clock.GetUtcNow(), uri);
    }

    /// <summary>The release package for the tender's state as given; pure and deterministic (same input, same JSON).</summary>
    public static JsonObject Build(Tender tender, IReadOnlyList<Bid> bids, IReadOnlyList<LotAward> awards, IReadOnlyList<Contract> contracts,
        string ocidPrefix, DateTimeOffset publishedDate, string uri)
    {
        ArgumentNullException.ThrowIfNull(tender);
        ArgumentNullException.ThrowIfNull(bids);
        ArgumentNullException.ThrowIfNull(awards);
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentException.ThrowIfNullOrWhiteSpace(ocidPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);

        var ocid = $"{ocidPrefix}-{tender.Id}";
        var releases = new JsonArray();
        releases.Add(Planning(tender, ocid));
        if (tender.PublishedAt is { } publishedAt)
        {
            releases.Add(TenderRelease(tender, ocid, ocidPrefix, publishedAt));
        }

        // Sealed until opening (开标前保密): before the tender is Opened, nothing below is looked at.
        if (tender.Status == TenderStatus.Opened && tender.OpenedAt is { } openedAt)
        {
            releases.Add(Opening(tender, bids, ocid, ocidPrefix, openedAt));
            var lotOrder = tender.Lots.Select((lot, i) => (lot.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
            foreach (var award in awards.Where(a => a.IsPublished && a.TenderId == tender.Id)
                         .OrderBy(a => lotOrder.GetValueOrDefault(a.LotId, int.MaxValue)).ThenBy(a => a.LotId, StringComparer.Ordinal))
            {
                releases.Add(AwardRelease(tender, award, ocid));
            }

            var ordered = contracts.Where(c => c.TenderId == tender.Id).OrderBy(c => c.DrawnAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
            foreach (var contract in ordered)
            {
                releases.Add(ContractRelease(tender, contract, ocid));
            }

            foreach (var contract in ordered.Where(c => c.Milestones.Any(m => m.Payment is not null || m.Report is not null)))
            {
                releases.Add(ImplementationRelease(contract, ocid));
            }
        }

        return new JsonObject
        {
            ["uri"] = uri,
            ["version"] = "1.1",
            ["publishedDate"] = Date(publishedDate),
            ["publisher"] = new JsonObject { ["name"] = BuyerName },
            ["releases"] = releases,
        };
    }

    private static JsonObject Planning(Tender tender, string ocid)
    {
        var release = Release(ocid, "planning", null, tender.CreatedAt);
        release["planning"] = new JsonObject
        {
            ["budget"] = new JsonObject
            {
                ["description"] = "Sum of the lots' budget ceilings (最高限价)",
                ["amount"] = Money(tender.Lots.Sum(l => l.BudgetCeiling)),
            },
        };
        release["tender"] = new JsonObject { ["id"] = tender.Id, ["title"] = tender.Title, ["status"] = "planning" };
        return WithParties(release, new Parties());
    }

    private static JsonObject TenderRelease(Tender tender, string ocid, string ocidPrefix, DateTimeOffset publishedAt)
    {
        var release = Release(ocid, "tender", null, publishedAt);
        release["tender"] = TenderSection(tender, tender.Status == TenderStatus.Cancelled ? "cancelled" : "active");
        AddRelatedProcesses(release, tender, ocidPrefix);
        return WithParties(release, new Parties());
    }

    /// <summary>The opening (开标): who bid, and whether any lot can go on. Only the bidders' organizations, never their bids.</summary>
    private static JsonObject Opening(Tender tender, IReadOnlyList<Bid> bids, string ocid, string ocidPrefix, DateTimeOffset openedAt)
    {
        var release = Release(ocid, "tenderUpdate", null, openedAt);
        var allFailed = tender.Lots.Count > 0 && tender.Lots.All(l => l.Status == LotStatus.Failed);
        var section = TenderSection(tender, allFailed ? "unsuccessful" : "complete");
        var parties = new Parties();
        var tenderers = bids.Where(b => b.TenderId == tender.Id && b.Status == BidStatus.Submitted)
            .GroupBy(b => b.OrganizationId, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(b => b.OrganizationId, StringComparer.Ordinal)
            .ToList();
        section["numberOfTenderers"] = tenderers.Count;
        section["tenderers"] = new JsonArray([.. tenderers.Select(b => Reference(b.OrganizationId, b.OrganizationName))]);
        foreach (var b in tenderers)
        {
            parties.Add(b.OrganizationId, b.OrganizationName, "tenderer");
        }

        var failed = tender.Lots.Where(l => l.Status == LotStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            section["description"] = "Lots failed at opening (流标): " + string.Join("; ", failed.Select(l =>
                l.ValidBids is { } n ? Invariant($"{l.Id} {l.Title} (valid bids: {n})") : $"{l.Id} {l.Title}"));
        }

        release["tender"] = section;
        AddRelatedProcesses(release, tender, ocidPrefix);
        return WithParties(release, parties);
    }

    /// <summary>
    /// A lot's published award: one OCDS award per offer down the ranking. OCDS 1.1 award statuses: the offer in
    /// its standstill is "pending" (the codelist's meaning), one past it or signed is "active", one that ended
    /// withdrawn, disqualified or lapsed is "cancelled"; a lot left without a candidate adds an "unsuccessful" award.
    /// </summary>
    private static JsonObject AwardRelease(Tender tender, LotAward award, string ocid)
    {
        var dates = new List<DateTimeOffset> { award.RankedAt };
        dates.AddRange(award.Offers.Select(o => o.OfferedAt));
        dates.AddRange(award.Offers.Select(o => o.EndedAt).OfType<DateTimeOffset>());
        if (award.ConfirmedAt is { } confirmed)
        {
            dates.Add(confirmed);
        }

        var date = dates.Max();
        var release = Release(ocid, "award", award.LotId, date);
        var parties = new Parties();
        var list = new JsonArray();
        foreach (var offer in award.Offers)
        {
            var status = offer.Outcome switch
            {
                OfferOutcome.Withdrawn or OfferOutcome.Disqualified or OfferOutcome.Lapsed => "cancelled",
                null when award.Status == AwardStatus.Standstill => "pending",
                _ => "active", // the contract was signed, or the standstill is over and the contract awaits signatures
            };
            parties.Add(offer.OrganizationId, offer.OrganizationName, "tenderer");
            if (status != "cancelled")
            {
                parties.Add(offer.OrganizationId, offer.OrganizationName, "supplier");
            }

            list.Add(new JsonObject
            {
                ["id"] = AwardId(award.LotId, offer.BidId),
                ["title"] = award.LotTitle,
                ["description"] = Invariant($"Candidate ranked {offer.Rank}") + (offer.Outcome is { } outcome ? $"; {Describe(outcome)}" : ""),
                ["status"] = status,
                ["date"] = Date(offer.OfferedAt),
                ["value"] = Money(offer.Price),
                ["suppliers"] = new JsonArray(Reference(offer.OrganizationId, offer.OrganizationName)),
                ["items"] = new JsonArray(LotItem(tender, award.LotId, award.LotTitle)),
            });
        }

        if (award.Status == AwardStatus.Failed)
        {
            list.Add(new JsonObject
            {
                ["id"] = $"{award.LotId}-unsuccessful",
                ["title"] = award.LotTitle,
                ["description"] = award.FailureReason ?? "No candidate left in the ranking.",
                ["status"] = "unsuccessful",
                ["date"] = Date(date),
                ["items"] = new JsonArray(LotItem(tender, award.LotId, award.LotTitle)),
            });
        }

        release["awards"] = list;
        return WithParties(release, parties);
    }

    private static JsonObject ContractRelease(Tender tender, Contract contract, string ocid)
    {
        var stamps = new[] { contract.DrawnAt, contract.SignedAt, contract.CompletedAt, contract.LapsedAt }.OfType<DateTimeOffset>();
        var release = Release(ocid, "contract", contract.Id, stamps.Max());
        var section = ContractHead(contract);
        section["title"] = $"{contract.TenderTitle} — {contract.LotTitle}";
        section["status"] = contract.Status switch
        {
            ContractStatus.AwaitingSignature => "pending",
            ContractStatus.Active => "active",
            ContractStatus.Completed => "terminated",
            ContractStatus.Lapsed => "cancelled",
            _ => null,
        };
        section["value"] = Money(contract.Value);
        if (contract.SignedAt is { } signed)
        {
            section["dateSigned"] = Date(signed);
            var period = new JsonObject { ["startDate"] = Date(signed) };
            var dues = contract.Milestones.Select(m => m.DueAt).OfType<DateTimeOffset>().ToList();
            if (dues.Count > 0)
            {
                period["endDate"] = Date(dues.Max());
            }

            section["period"] = period;
        }

        section["items"] = new JsonArray(LotItem(tender, contract.LotId, contract.LotTitle));
        section["milestones"] = Milestones(contract);
        release["contracts"] = new JsonArray(section);
        var parties = new Parties();
        parties.Add(contract.OrganizationId, contract.OrganizationName, "supplier");
        return WithParties(release, parties);
    }

    /// <summary>Delivery and payment as they happen: one transaction per paid milestone, at its net amount (after the KPI deduction).</summary>
    private static JsonObject ImplementationRelease(Contract contract, string ocid)
    {
        var stamps = new List<DateTimeOffset>();
        foreach (var m in contract.Milestones)
        {
            if (m.Report is { } report)
            {
                stamps.Add(report.SubmittedAt);
            }

            stamps.AddRange((m.Decisions ?? []).Select(d => d.At));
            if (m.Payment is { } payment)
            {
                stamps.Add(payment.PaidAt);
            }
        }

        var release = Release(ocid, "implementation", contract.Id, stamps.Max());
        var transactions = new JsonArray();
        foreach (var m in contract.Milestones)
        {
            if (m.Payment is { } payment)
            {
                transactions.Add(new JsonObject
                {
                    ["id"] = $"{contract.Id}-{MilestoneKey(m)}-payment",
                    ["date"] = Date(payment.PaidAt),
                    ["value"] = Money(payment.Net),
                    ["payer"] = Reference(BuyerId, BuyerName),
                    ["payee"] = Reference(contract.OrganizationId, contract.OrganizationName),
                });
            }
        }

        var section = ContractHead(contract);
        section["implementation"] = new JsonObject { ["transactions"] = transactions, ["milestones"] = Milestones(contract) };
        release["contracts"] = new JsonArray(section);
        var parties = new Parties();
        parties.Add(BuyerId, BuyerName, "payer");
        parties.Add(contract.OrganizationId, contract.OrganizationName, "supplier");
        parties.Add(contract.OrganizationId, contract.OrganizationName, "payee");
        return WithParties(release, parties);
    }

    /// <summary>Each contract milestone is two OCDS milestones: its delivery (report accepted, 验收) and its payment.</summary>
    private static JsonArray Milestones(Contract contract)
    {
        var list = new JsonArray();
        foreach (var m in contract.Milestones)
        {
            var delivery = new JsonObject
            {
                ["id"] = $"{MilestoneKey(m)}-delivery",
                ["title"] = m.Name,
                ["type"] = "delivery",
                ["description"] = Invariant($"{m.Percent}% of the lot's KPI targets, with a report and evidence, accepted by the bureau (验收)"),
            };
            if (m.DueAt is { } due)
            {
                delivery["dueDate"] = Date(due);
            }

            var last = m.Decisions is { Count: > 0 } decisions ? decisions[^1] : null;
            if (m.Accepted && last is not null)
            {
                delivery["status"] = "met";
                delivery["dateMet"] = Date(last.At);
                delivery["dateModified"] = Date(last.At);
            }
            else if (last is { Accepted: false } && last.ReportVersion == m.Report?.Version)
            {
                delivery["status"] = "notMet";
                delivery["dateModified"] = Date(last.At);
            }
            else
            {
                delivery["status"] = "scheduled";
            }

            var payment = new JsonObject
            {
                ["id"] = $"{MilestoneKey(m)}-payment",
                ["title"] = $"{m.Name} payment (付款)",
                ["type"] = "payment",
                ["value"] = Money(m.Amount),
            };
            if (m.Payment is { } paid)
            {
                payment["description"] = Invariant($"Gross {paid.Gross}, KPI deduction {paid.Deduction}, net {paid.Net} {Currency}");
                payment["status"] = "met";
                payment["dateMet"] = Date(paid.PaidAt);
                payment["dateModified"] = Date(paid.PaidAt);
            }
            else
            {
                payment["description"] = "Paid after the delivery is accepted, less any KPI deduction";
                payment["status"] = "scheduled";
            }

            list.Add(delivery);
            list.Add(payment);
        }

        return list;
    }

    private static JsonObject ContractHead(Contract contract) => new()
    {
        ["id"] = contract.Id,
        ["awardID"] = AwardId(contract.LotId, contract.BidId),
    };

    private static JsonObject TenderSection(Tender tender, string status)
    {
        var section = new JsonObject
        {
            ["id"] = tender.Id,
            ["title"] = tender.Title,
            ["status"] = status,
            ["procuringEntity"] = Reference(BuyerId, BuyerName),
            ["items"] = new JsonArray([.. tender.Lots.Select(l => LotItem(tender, l.Id, l.Title))]),
            ["value"] = Money(tender.Lots.Sum(l => l.BudgetCeiling)),
            ["procurementMethod"] = tender.Method switch
            {
                ProcurementMethod.OpenTender => "open",

                // 竞争性磋商: only suppliers invited (by announcement, from the supplier database or by recommendation)
                // and found qualified may bid, which is OCDS "selective" rather than "open".
                ProcurementMethod.CompetitiveConsultation => "selective",

                // 单一来源: one supplier chosen by the buyer. The OCDS method codelist's "direct" is exactly that
                // ("only a single potential supplier chosen by the buyer"); "limited" means several chosen suppliers.
                ProcurementMethod.SingleSource => "direct",
                _ => null,
            },
            ["procurementMethodDetails"] = tender.Method switch
            {
                ProcurementMethod.OpenTender => "公开招标 (open tender)",
                ProcurementMethod.CompetitiveConsultation => "竞争性磋商 (competitive consultation)",
                ProcurementMethod.SingleSource => "单一来源 (single source)",
                _ => null,
            },
            ["mainProcurementCategory"] = "services",
            ["awardCriteria"] = tender.Evaluation == EvaluationMethod.LowestPrice ? "priceOnly" : "ratedCriteria",
            ["awardCriteriaDetails"] = tender.Evaluation == EvaluationMethod.LowestPrice
                ? "最低评标价法 (lowest price among qualified bids)"
                : Invariant($"综合评分法 (comprehensive scoring): price {tender.PriceWeight} points by the benchmark-price method; ")
                    + string.Join(", ", tender.TechnicalCriteria.Select(c => Invariant($"{c.Name} {c.MaxPoints} points"))),
            ["submissionMethod"] = new JsonArray("electronicSubmission"),
            ["tenderPeriod"] = Period(tender.PublishedAt, tender.BidDeadline),
            ["enquiryPeriod"] = Period(tender.PublishedAt, tender.EnquiryDeadline),
        };
        if (tender.PublishedAt is { } published)
        {
            section["datePublished"] = Date(published);
        }

        return section;
    }

    /// <summary>A re-tender (of a failed lot) points to the process it replaces.</summary>
    private static void AddRelatedProcesses(JsonObject release, Tender tender, string ocidPrefix)
    {
        if (tender.ReplacesTenderId is { } replaced)
        {
            release["relatedProcesses"] = new JsonArray(new JsonObject
            {
                ["id"] = "1",
                ["relationship"] = new JsonArray("unsuccessfulProcess"),
                ["scheme"] = "ocid",
                ["identifier"] = $"{ocidPrefix}-{replaced}",
            });
        }
    }

    private static JsonObject Period(DateTimeOffset? start, DateTimeOffset end)
    {
        var period = new JsonObject();
        if (start is { } s)
        {
            period["startDate"] = Date(s);
        }

        period["endDate"] = Date(end);
        return period;
    }

    /// <summary>OCDS 1.1 core has no lots: each lot (标包) is one item of quantity 1, priced at its ceiling.</summary>
    private static JsonObject LotItem(Tender tender, string lotId, string title)
    {
        var lot = tender.Lots.FirstOrDefault(l => l.Id == lotId);
        var item = new JsonObject
        {
            ["id"] = lotId,
            ["description"] = lot is null ? title : $"{lot.Title}: {lot.Specification}",
            ["quantity"] = 1,
        };
        if (lot is not null)
        {
            item["unit"] = new JsonObject { ["name"] = "标包 (lot)", ["value"] = Money(lot.BudgetCeiling) };
        }

        return item;
    }

    private static JsonObject Release(string ocid, string tag, string? subject, DateTimeOffset date) => new()
    {
        ["ocid"] = ocid,

        // Deterministic: the stage, what it is about, and the time of its latest event. New information gives a new id.
        ["id"] = $"{tag}{(subject is null ? "" : "-" + subject)}-{date.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}",
        ["date"] = Date(date),
        ["tag"] = new JsonArray(tag),
        ["initiationType"] = "tender",
    };

    private static JsonObject WithParties(JsonObject release, Parties parties)
    {
        release["buyer"] = Reference(BuyerId, BuyerName);
        release["parties"] = parties.ToJson();
        return release;
    }

    private static string AwardId(string lotId, string bidId) => $"{lotId}-{bidId}";

    private static string MilestoneKey(ContractMilestone m) => Invariant($"m{m.Index + 1}");

    private static string Describe(OfferOutcome outcome) => outcome switch
    {
        OfferOutcome.Withdrawn => "withdrew",
        OfferOutcome.Disqualified => "disqualified",
        OfferOutcome.Lapsed => "did not sign in time",
        _ => "contract signed",
    };

    private static JsonObject Reference(string id, string name) => new() { ["id"] = id, ["name"] = name };

    private static JsonObject Money(decimal amount) => new() { ["amount"] = amount, ["currency"] = Currency };

    private static string Date(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The organizations a release mentions, each once, with every role it plays: the bureau first, then in order of first mention.</summary>
    private sealed class Parties
    {
        private readonly List<(string Id, string Name, List<string> Roles)> list = [(BuyerId, BuyerName, ["buyer", "procuringEntity"])];

        public void Add(string id, string name, string role)
        {
            var i = list.FindIndex(p => p.Id == id);
            if (i < 0)
            {
                list.Add((id, name, [role]));
            }
            else if (!list[i].Roles.Contains(role))
            {
                list[i].Roles.Add(role);
            }
        }

        public JsonArray ToJson() => new([.. list.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Id,
            ["name"] = p.Name,
            ["roles"] = new JsonArray([.. p.Roles.Select(r => (JsonNode)r)]),
        })]);
    }
}

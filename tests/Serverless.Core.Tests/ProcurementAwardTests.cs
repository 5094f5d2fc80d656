using CsCheck;
using Serverless.Core.Common;
using Serverless.Core.Procurement;

namespace Serverless.Core.Tests;

public sealed class ProcurementAwardTests
{
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Standstill = TimeSpan.FromDays(7);

    private static readonly List<KpiTarget> Targets = [new("served", "服务人数", 150m, "人"), new("sessions", "服务次数", 1000m, "次")];

    private static Bid OpenedBid(string id, string org, decimal price) =>
        new(id, "tnd-1", "A", org, $"组织{org}", BidStatus.Submitted, 1, T0, T0, "hash", new SealedContent("c", "n", "t", "k"), new BidContent(price, "方案"));

    private static LotAward Ranked(params string[] bidIds) =>
        new("tnd-1", "A", "居家养老", AwardStatus.Recommended,
            bidIds.Select((b, i) => new BidRanking(i + 1, b, 0m, 0m, 0m, false, [])).ToList(), T0, "admin", []);

    private static readonly List<Bid> Bids = [OpenedBid("b1", "o1", 450_000m), OpenedBid("b2", "o2", 470_000m), OpenedBid("b3", "o3", 480_000m)];

    [Fact]
    public void Confirming_offers_the_award_to_the_first_ranked_with_a_standstill()
    {
        var award = Ranked("b1", "b2").Confirm("admin", T0, Standstill, Bids).OrThrow();

        Assert.Equal(AwardStatus.Standstill, award.Status);
        var offer = Assert.Single(award.Offers);
        Assert.Equal(("b1", "o1", 450_000m, T0 + Standstill), (offer.BidId, offer.OrganizationId, offer.Price, offer.StandstillEndsAt));
        Assert.False(Ranked("b1").Confirm("admin", T0, Standstill, Bids).OrThrow().Confirm("admin", T0, Standstill, Bids).IsOk);
    }

    [Fact]
    public void When_the_winner_withdraws_the_next_candidate_is_offered_the_award_with_a_new_standstill()
    {
        var later = T0.AddDays(3);
        var award = Ranked("b1", "b2", "b3").Confirm("admin", T0, Standstill, Bids).OrThrow()
            .EndCurrentOffer(OfferOutcome.Withdrawn, "人员变动", later, Standstill, Bids).OrThrow();

        Assert.Equal(AwardStatus.Standstill, award.Status);
        Assert.Equal([OfferOutcome.Withdrawn, null], award.Offers.Select(o => o.Outcome).ToArray());
        Assert.Equal(("b2", later + Standstill), (award.Current!.BidId, award.Current.StandstillEndsAt));
    }

    [Fact]
    public void When_the_last_candidate_goes_the_award_fails()
    {
        var award = Ranked("b1", "b2").Confirm("admin", T0, Standstill, Bids).OrThrow()
            .EndCurrentOffer(OfferOutcome.Disqualified, "资格造假", T0, Standstill, Bids).OrThrow()
            .EndCurrentOffer(OfferOutcome.Lapsed, "未按期签约", T0, Standstill, Bids).OrThrow();

        Assert.Equal(AwardStatus.Failed, award.Status);
        Assert.Null(award.Current);
        Assert.False(award.EndCurrentOffer(OfferOutcome.Withdrawn, "x", T0, Standstill, Bids).IsOk);
    }

    [Fact]
    public void The_deduction_is_the_mean_KPI_shortfall_times_the_milestone_amount()
    {
        // Worked example: 225,000 for the milestone; 120 of 150 people served (20% short), all 1,000
        // sessions held (0% short): mean shortfall 10%, under the 30% cap: 22,500 deducted.
        var (deduction, steps) = Contract.Deduction(225_000m, Targets, new Dictionary<string, decimal> { ["served"] = 120m, ["sessions"] = 1_000m }, 30);

        Assert.Equal(22_500m, deduction);
        Assert.Contains(steps, s => s.Contains("120 of 150", StringComparison.Ordinal));
    }

    [Fact]
    public void Over_delivering_one_KPI_does_not_make_up_for_another_and_the_cap_holds()
    {
        var (deduction, _) = Contract.Deduction(100_000m, Targets, new Dictionary<string, decimal> { ["served"] = 300m, ["sessions"] = 500m }, 30);
        Assert.Equal(25_000m, deduction);

        var (capped, _) = Contract.Deduction(100_000m, Targets, new Dictionary<string, decimal> { ["served"] = 0m, ["sessions"] = 0m }, 30);
        Assert.Equal(30_000m, capped);
    }

    [Fact]
    public void A_deduction_is_never_negative_never_above_the_cap_and_zero_when_every_target_is_met()
    {
        Gen.Select(Gen.Decimal[1m, 1_000_000m], Gen.Decimal[0m, 400m], Gen.Decimal[0m, 2_000m], Gen.Int[0, 100]).Sample((amount, served, sessions, cap) =>
        {
            amount = decimal.Round(amount, 2);
            var (deduction, _) = Contract.Deduction(amount, Targets, new Dictionary<string, decimal> { ["served"] = served, ["sessions"] = sessions }, cap);
            Assert.InRange(deduction, 0m, decimal.Round(amount * cap / 100m, 2, MidpointRounding.AwayFromZero));
            if (served >= 150m && sessions >= 1_000m)
            {
                Assert.Equal(0m, deduction);
            }

            // Delivering more never costs more.
            var (more, _) = Contract.Deduction(amount, Targets, new Dictionary<string, decimal> { ["served"] = served + 10m, ["sessions"] = sessions }, cap);
            Assert.True(more <= deduction);
        });
    }

    [Fact]
    public void A_contract_splits_the_price_and_the_KPI_targets_by_the_milestones_and_the_parts_add_up()
    {
        var tender = TenderFormTests.Valid().Validate("tnd-1", new Caller("admin", "管理员", new HashSet<Role> { Role.Admin }), T0) with
        {
            Milestones = [new MilestonePlan("中期", 33, "P90D"), new MilestonePlan("末期", 67, "P180D")],
        };
        var offer = new AwardOffer(1, "b1", "o1", "组织o1", 100_000.01m, T0, T0 + Standstill);
        var contract = Contract.Draw(tender, tender.Lots[0], offer, T0);

        Assert.Equal([33_000.00m, 67_000.01m], contract.Milestones.Select(m => m.Amount).ToArray());
        Assert.Equal(offer.Price, contract.Milestones.Sum(m => m.Amount));
        Assert.Equal(ContractStatus.AwaitingSignature, contract.Status);
        Assert.Equal(T0 + TimeSpan.FromDays(30), contract.SignBy);
        Assert.Equal(tender.Lots[0].Kpis[0].Target * 0.33m, contract.Milestones[0].Targets[0].Target);
    }
}

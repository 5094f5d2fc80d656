using Serverless.Core.Common;
using Serverless.Core.Procurement;

namespace Serverless.Core.Tests;

public sealed class TenderFormTests
{
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Caller Admin = new("admin", "管理员", new HashSet<Role> { Role.Admin });

    public static TenderForm Valid() => new(
        "2027 年居家养老上门服务采购",
        [new LotForm("A", "抚顺街道居家养老", 500_000m, "为 300 名空巢老人提供每周上门服务。", [new KpiTarget("served", "服务人数", 300m, "人")])],
        ProcurementMethod.OpenTender,
        EvaluationMethod.ComprehensiveScoring,
        20,
        [new TechnicalCriterion("plan", "服务方案", 50), new TechnicalCriterion("team", "人员配备", 30)],
        T0.AddDays(5),
        T0.AddDays(20),
        ["expert-1", "expert-2", "expert-3"],
        null,
        null,
        [new MilestonePlan("中期", 50, "P90D"), new MilestonePlan("终期", 50, "P180D")]);

    private static Dictionary<string, string[]> Errors(TenderForm form)
    {
        var e = Assert.Throws<ProblemException>(() => form.Validate("tnd-1", Admin, T0));
        return e.Problem.Errors!.ToDictionary(p => p.Key, p => p.Value);
    }

    [Fact]
    public void A_valid_form_takes_the_defaults_for_the_abnormal_share_the_periods_and_the_deduction_cap()
    {
        var tender = Valid().Validate("tnd-1", Admin, T0);

        Assert.Equal((0.8m, "P3D", "P7D", "P30D", 30), (tender.AbnormalShare, tender.Periods.Explanation, tender.Periods.Standstill, tender.Periods.Signing, tender.MaxDeductionPercent));
        Assert.Equal(3, tender.Evaluators.Count);
    }

    [Fact]
    public void Milestones_must_add_up_to_one_hundred_percent()
    {
        Assert.Contains("milestones", Errors(Valid() with { Milestones = [new MilestonePlan("中期", 50, "P90D"), new MilestonePlan("终期", 40, "P180D")] }).Keys);
        Assert.Contains("milestones", Errors(Valid() with { Milestones = null }).Keys);
        Assert.Contains("milestones[0].dueAfter", Errors(Valid() with { Milestones = [new MilestonePlan("全部", 100, "ninety days")] }).Keys);
    }

    [Fact]
    public void Comprehensive_scoring_needs_an_evaluation_committee_and_a_sane_abnormal_share()
    {
        Assert.Contains("evaluators", Errors(Valid() with { Evaluators = [] }).Keys);
        Assert.Contains("evaluators", Errors(Valid() with { Evaluators = ["expert-1", "expert-1"] }).Keys);
        Assert.Contains("abnormalShare", Errors(Valid() with { AbnormalShare = 1.2m }).Keys);
        Assert.Contains("maxDeductionPercent", Errors(Valid() with { MaxDeductionPercent = 101 }).Keys);
        Assert.Contains("periods.standstill", Errors(Valid() with { Periods = new TenderPeriods(Standstill: "-P1D") }).Keys);
    }
}

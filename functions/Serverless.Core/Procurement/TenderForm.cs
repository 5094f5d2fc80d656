using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

public sealed record LotForm(string? Id, string? Title, decimal? BudgetCeiling, string? Specification, List<KpiTarget>? Kpis);

/// <summary>The bureau's call for bids, as posted.</summary>
public sealed record TenderForm(
    string? Title,
    List<LotForm>? Lots,
    ProcurementMethod? Method,
    EvaluationMethod? Evaluation,
    int? PriceWeight,
    List<TechnicalCriterion>? TechnicalCriteria,
    DateTimeOffset? EnquiryDeadline,
    DateTimeOffset? BidDeadline,
    List<string>? Evaluators = null,
    decimal? AbnormalShare = null,
    TenderPeriods? Periods = null,
    List<MilestonePlan>? Milestones = null,
    int? MaxDeductionPercent = null)
{
    public Tender Validate(string id, Caller creator, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(creator);
        var v = new Validation();
        var title = v.Text("title", Title, 200, 2);
        v.Count("lots", Lots, 1, 20);
        var lots = new List<Lot>();
        for (var i = 0; i < (Lots?.Count ?? 0); i++)
        {
            var l = Lots![i];
            var lotId = v.Text($"lots[{i}].id", l.Id, 20);
            if (lotId.Length > 0 && !RouteValues.IsId(lotId))
            {
                v.Add($"lots[{i}].id", "A lot's id is letters, digits, '-' and '_' (it appears in addresses).");
            }

            var lotTitle = v.Text($"lots[{i}].title", l.Title, 200, 2);
            if (l.BudgetCeiling is null)
            {
                v.Add($"lots[{i}].budgetCeiling", "Required.");
            }
            else
            {
                v.Money($"lots[{i}].budgetCeiling", l.BudgetCeiling.Value, 0.01m);
            }

            var spec = v.Text($"lots[{i}].specification", l.Specification, 8000, 10);
            v.Count($"lots[{i}].kpis", l.Kpis, 1, 20);
            foreach (var (kpi, k) in (l.Kpis ?? []).Select((kpi, k) => (kpi, k)))
            {
                if (v.Text($"lots[{i}].kpis[{k}].id", kpi.Id, 40) is { Length: > 0 } kpiId && !RouteValues.IsId(kpiId))
                {
                    v.Add($"lots[{i}].kpis[{k}].id", "Letters, digits, '-' and '_' only.");
                }

                v.Text($"lots[{i}].kpis[{k}].name", kpi.Name, 100);
                v.Text($"lots[{i}].kpis[{k}].unit", kpi.Unit, 20);
                if (kpi.Target <= 0)
                {
                    v.Add($"lots[{i}].kpis[{k}].target", "Must be positive.");
                }
            }

            lots.Add(new Lot(lotId, lotTitle, l.BudgetCeiling ?? 0, spec, l.Kpis ?? []));
        }

        if (lots.Select(l => l.Id).Distinct(StringComparer.Ordinal).Count() != lots.Count)
        {
            v.Add("lots", "Lot ids must be unique.");
        }

        if (Method is null)
        {
            v.Add("method", "Required: open-tender, competitive-consultation or single-source.");
        }

        var evaluation = Evaluation ?? EvaluationMethod.ComprehensiveScoring;
        var criteria = TechnicalCriteria ?? [];
        for (var c = 0; c < criteria.Count; c++)
        {
            // A criterion's id keys the evaluators' scores: an id, as a lot's is.
            if (v.Text($"technicalCriteria[{c}].id", criteria[c].Id, 40) is { Length: > 0 } criterionId && !RouteValues.IsId(criterionId))
            {
                v.Add($"technicalCriteria[{c}].id", "Letters, digits, '-' and '_' only.");
            }

            v.Text($"technicalCriteria[{c}].name", criteria[c].Name, 100);
        }

        if (evaluation == EvaluationMethod.ComprehensiveScoring)
        {
            // Services are typically bought with a price weight of 10-30% (DOMAIN.md).
            v.Range("priceWeight", PriceWeight ?? 0, 10, 30);
            v.Count("technicalCriteria", criteria, 1, 20);
            if (criteria.Any(c => c.MaxPoints <= 0) || criteria.Sum(c => c.MaxPoints) != 100 - (PriceWeight ?? 0))
            {
                v.Add("technicalCriteria", $"Their points add up to 100 minus the price weight ({100 - (PriceWeight ?? 0)}).");
            }
        }

        // The evaluation committee (评标委员会): reviewers named by the bureau, who score the technical criteria.
        var evaluators = (Evaluators ?? []).Select(e => e?.Trim() ?? "").ToList();
        if (evaluation == EvaluationMethod.ComprehensiveScoring)
        {
            v.Count("evaluators", evaluators, 1, 15);
        }

        if (evaluators.Any(e => e.Length is 0 or > 100) || evaluators.Distinct(StringComparer.Ordinal).Count() != evaluators.Count)
        {
            v.Add("evaluators", "Distinct reviewer ids of at most 100 characters.");
        }

        for (var e = 0; e < evaluators.Count; e++)
        {
            // Sign-in ids: they are parts of the score sheets' keys.
            if (evaluators[e].Length > 0 && !Validation.IsPrincipalId(evaluators[e]))
            {
                v.PrincipalId($"evaluators[{e}]", evaluators[e]);
            }
        }

        var share = AbnormalShare ?? BidEvaluation.DefaultAbnormalShare;
        v.Range("abnormalShare", share, 0.5m, 0.95m);
        var periods = Periods ?? new TenderPeriods();
        v.Duration("periods.explanation", periods.Explanation);
        v.Duration("periods.standstill", periods.Standstill);
        v.Duration("periods.signing", periods.Signing);
        v.Duration("periods.reportGrace", periods.ReportGrace);
        var milestones = Milestones ?? [];
        v.Count("milestones", milestones, 1, 12);
        for (var i = 0; i < milestones.Count; i++)
        {
            v.Text($"milestones[{i}].name", milestones[i].Name, 100);
            v.Range($"milestones[{i}].percent", milestones[i].Percent, 1, 100);
            v.Duration($"milestones[{i}].dueAfter", milestones[i].DueAfter, maxYears: 3);
        }

        if (milestones.Count > 0 && milestones.Sum(m => m.Percent) != 100)
        {
            v.Add("milestones", "Their percents add up to 100.");
        }

        var maxDeduction = MaxDeductionPercent ?? 30;
        v.Range("maxDeductionPercent", maxDeduction, 0, 100);

        if (EnquiryDeadline is null || BidDeadline is null)
        {
            v.Add(EnquiryDeadline is null ? "enquiryDeadline" : "bidDeadline", "Required.");
        }
        else if (EnquiryDeadline >= BidDeadline)
        {
            v.Add("enquiryDeadline", "Must fall before the bid deadline, so answers reach bidders in time.");
        }

        v.ThrowIfAny();
        return new Tender(id, title, lots, Method!.Value, evaluation, evaluation == EvaluationMethod.LowestPrice ? 100 : PriceWeight!.Value,
            criteria, evaluators, share, periods, milestones, maxDeduction, EnquiryDeadline!.Value.ToUniversalTime(), BidDeadline!.Value.ToUniversalTime(), TenderStatus.Draft, now, creator.Id!);
    }
}

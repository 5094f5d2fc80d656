using System.Globalization;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

public enum ContractStatus
{
    /// <summary>Drawn up after the standstill; the supplier and the bureau sign by the deadline or it lapses.</summary>
    AwaitingSignature,
    Active,
    Completed,

    /// <summary>Not signed in time, or the candidate withdrew or was disqualified before signing.</summary>
    Lapsed,
}

/// <summary>
/// A milestone report (履约报告): the KPIs delivered in the period, evidence, and what was done.
/// <c>FirstSubmittedAt</c> is when the milestone was first reported: punctuality counts from it, not from a resubmission.
/// </summary>
public sealed record MilestoneReport(Dictionary<string, decimal> Delivered, List<string> Evidence, string Summary, DateTimeOffset SubmittedAt, int Version,
    DateTimeOffset FirstSubmittedAt);

/// <summary>The bureau's acceptance (验收) or rejection of a milestone's report, with reasons.</summary>
public sealed record MilestoneAcceptance(bool Accepted, string? Reasons, string By, DateTimeOffset At, int ReportVersion);

/// <summary>A milestone's payment: the share of the contract, the KPI deduction, and how it was computed.</summary>
public sealed record MilestonePayment(decimal Gross, decimal Deduction, decimal Net, List<string> Steps, DateTimeOffset PaidAt);

/// <summary>A delivery milestone of the contract: its share of the value and its share of each KPI target.</summary>
public sealed record ContractMilestone(
    int Index,
    string Name,
    int Percent,
    decimal Amount,
    string DueAfter,
    DateTimeOffset? DueAt,
    List<KpiTarget> Targets,
    MilestoneReport? Report = null,
    List<MilestoneAcceptance>? Decisions = null,
    MilestonePayment? Payment = null)
{
    [JsonIgnore]
    public bool Accepted => Decisions is { Count: > 0 } d && d[^1].Accepted && d[^1].ReportVersion == Report?.Version;

    /// <summary>A report waiting for the bureau's decision.</summary>
    [JsonIgnore]
    public bool AwaitingDecision => Report is not null && (Decisions is not { Count: > 0 } d || d[^1].ReportVersion != Report.Version);
}

/// <summary>The bureau's final performance evaluation (绩效评价) of the supplier on this contract.</summary>
public sealed record PerformanceEvaluation(int Score, string Comment, string By, DateTimeOffset At);

public sealed record MilestoneReportForm(Dictionary<string, decimal>? Delivered, List<string>? Evidence, string? Summary);

public sealed record AcceptanceForm(string? Decision, string? Reasons);

public sealed record PerformanceForm(int? Score, string? Comment);

/// <summary>A contract (合同) for one lot with its awarded supplier: signed in time, delivered by milestones, paid per accepted milestone.</summary>
public sealed record Contract(
    string Id,
    string TenderId,
    string TenderTitle,
    string LotId,
    string LotTitle,
    string BidId,
    string OrganizationId,
    string OrganizationName,
    decimal Value,
    ContractStatus Status,
    DateTimeOffset DrawnAt,
    DateTimeOffset SignBy,
    string ReportGrace,
    int MaxDeductionPercent,
    List<ContractMilestone> Milestones,
    string? SignedBySupplier = null,
    string? SignedByBureau = null,
    DateTimeOffset? SignedAt = null,
    PerformanceEvaluation? Evaluation = null,
    DateTimeOffset? CompletedAt = null,
    DateTimeOffset? LapsedAt = null,
    string? LapseReason = null)
{
    public static string IdFor(string tenderId, string lotId, string bidId) => Ids.Derive("ctr", tenderId, lotId, bidId);

    public static string Location(string id) => $"/api/contracts/{id}";

    public bool IsSigned => SignedBySupplier is not null && SignedByBureau is not null;

    public decimal Paid => Milestones.Sum(m => m.Payment?.Net ?? 0m);

    /// <summary>The first milestone not yet accepted: the one reports are for.</summary>
    [JsonIgnore]
    public ContractMilestone? NextMilestone => Milestones.FirstOrDefault(m => !m.Accepted);

    /// <summary>
    /// Draws up the contract for the candidate holding the award: the bid price split by the tender's
    /// milestones (the last takes the rounding remainder), and each KPI target split by the same shares.
    /// </summary>
    public static Contract Draw(Tender tender, Lot lot, AwardOffer offer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tender);
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(offer);
        var milestones = new List<ContractMilestone>();
        for (var i = 0; i < tender.Milestones.Count; i++)
        {
            var plan = tender.Milestones[i];
            var amount = i == tender.Milestones.Count - 1
                ? offer.Price - milestones.Sum(m => m.Amount)
                : decimal.Round(offer.Price * plan.Percent / 100m, 2, MidpointRounding.ToZero);
            var targets = lot.Kpis.Select(k => k with { Target = decimal.Round(k.Target * plan.Percent / 100m, 2, MidpointRounding.AwayFromZero) }).ToList();
            milestones.Add(new ContractMilestone(i, plan.Name, plan.Percent, amount, plan.DueAfter, null, targets, Decisions: []));
        }

        return new Contract(IdFor(tender.Id, lot.Id, offer.BidId), tender.Id, tender.Title, lot.Id, lot.Title, offer.BidId, offer.OrganizationId,
            offer.OrganizationName, offer.Price, ContractStatus.AwaitingSignature, now, now + TenderPeriods.Parse(tender.Periods.Signing),
            tender.Periods.ReportGrace, tender.MaxDeductionPercent, milestones);
    }

    /// <summary>
    /// The contract's deduction formula for under-delivered KPIs: each KPI's shortfall is
    /// max(0, 1 − delivered ÷ target); the deduction is the milestone's amount × the mean shortfall over its
    /// KPIs, capped at the contract's maximum deduction, rounded to the fen. Over-delivery of one KPI does
    /// not make up for another.
    /// </summary>
    public static (decimal Deduction, List<string> Steps) Deduction(decimal amount, IReadOnlyList<KpiTarget> targets, IReadOnlyDictionary<string, decimal> delivered, int maxDeductionPercent)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(delivered);
        var steps = new List<string>();
        if (targets.Count == 0)
        {
            return (0m, steps);
        }

        var shortfalls = new List<decimal>();
        foreach (var kpi in targets)
        {
            var got = delivered.GetValueOrDefault(kpi.Id);
            var shortfall = kpi.Target <= 0 ? 0m : Math.Max(0m, 1m - (got / kpi.Target));
            shortfalls.Add(shortfall);
            steps.Add(Invariant($"{kpi.Name}: {got} of {kpi.Target} {kpi.Unit}, shortfall {shortfall:P1}"));
        }

        var mean = shortfalls.Average();
        var rate = Math.Min(mean, maxDeductionPercent / 100m);
        var deduction = decimal.Round(amount * rate, 2, MidpointRounding.AwayFromZero);
        steps.Add(Invariant($"mean shortfall {mean:P1}, capped at {maxDeductionPercent}% → deduction {amount} × {rate:P1} = {deduction}"));
        return (deduction, steps);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Contracts: one partition per contract, the contract row and a row per paid milestone. A payment is
/// recorded by inserting its milestone's row, which succeeds once: a step that runs twice pays once.
/// </summary>
public sealed class ContractStore(Storage storage)
{
    private const string ContractRow = "contract";

    public const string Aggregate = "contracts";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Contracts, id, ContractRow);

    public async Task<(Contract Contract, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        return await table.FindDocumentAsync<Contract>(id, ContractRow, cancellation);
    }

    public async Task<List<Contract>> ListForTenderAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        var list = await table.ListDocumentsAsync<Contract>(TableClient.CreateQueryFilter($"RowKey eq {ContractRow} and TenderId eq {tenderId}"), cancellation);
        return list.OrderBy(c => c.DrawnAt).ToList();
    }

    public Task<bool> TryAddAsync(Contract contract, CancellationToken cancellation = default) => TryAddAsync(contract, [], cancellation);

    /// <summary>Adds the contract with its events, in one batch in its partition; false (and no event) when it exists.</summary>
    public async Task<bool> TryAddAsync(Contract contract, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        return await Outbox.CommitAsync(storage, TableNames.Contracts, contract.Id, events,
            rows => table.TryAddAuditedAsync(Aggregate, contract.Id, ToEntity(contract), rows, cancellation), cancellation);
    }

    public Task UpdateAsync(Contract contract, ETag etag, CancellationToken cancellation = default) => UpdateAsync(contract, etag, [], cancellation);

    /// <summary>Replaces the contract (conditional on its ETag) with its events, in one batch.</summary>
    public async Task UpdateAsync(Contract contract, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        await Outbox.CommitAsync(storage, TableNames.Contracts, contract.Id, events,
            rows => table.UpdateAuditedAsync(Aggregate, contract.Id, ToEntity(contract), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
    }

    /// <summary>Records a milestone's payment; false when it was paid before (a step that ran twice).</summary>
    public Task<bool> TryRecordPaymentAsync(string contractId, int index, MilestonePayment payment, CancellationToken cancellation = default) =>
        TryRecordPaymentAsync(contractId, index, payment, [], cancellation);

    /// <summary>
    /// Records a milestone's payment with its events, in one batch in the contract's partition: the payment
    /// row's insert succeeds once, so a step that runs twice pays once and announces it once; false (and no
    /// event) when it was paid before.
    /// </summary>
    public async Task<bool> TryRecordPaymentAsync(string contractId, int index, MilestonePayment payment, IReadOnlyList<DomainEvent> events,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        var row = Documents.ToEntity(contractId, PaymentRow(index), payment,
            new Dictionary<string, object?> { ["Net"] = payment.Net.ToString(CultureInfo.InvariantCulture) });
        return await Outbox.CommitAsync(storage, TableNames.Contracts, contractId, events, async rows =>
        {
            try
            {
                await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row), .. rows], cancellation);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        }, cancellation);
    }

    /// <summary>The payments as the ledger holds them, one row per paid milestone.</summary>
    public async Task<Dictionary<int, MilestonePayment>> PaymentsAsync(string contractId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Contracts, cancellation);
        var payments = new Dictionary<int, MilestonePayment>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {contractId} and RowKey ge {"payment|"} and RowKey lt {"payment}"}"), cancellationToken: cancellation))
        {
            payments[int.Parse(row.RowKey["payment|".Length..], CultureInfo.InvariantCulture)] = Documents.FromEntity<MilestonePayment>(row);
        }

        return payments;
    }

    private static string PaymentRow(int index) => $"payment|{index.ToString("D2", CultureInfo.InvariantCulture)}";

    private static TableEntity ToEntity(Contract c) =>
        Documents.ToEntity(c.Id, ContractRow, c, new Dictionary<string, object?>
        {
            ["TenderId"] = c.TenderId,
            ["OrganizationId"] = c.OrganizationId,
            ["Status"] = c.Status.ToString(),
        });
}

/// <summary>A supplier's record on one completed contract, shown to the bureau and evaluators in later tenders.</summary>
public sealed record PerformanceRecord(
    string OrganizationId,
    string ContractId,
    string TenderId,
    string TenderTitle,
    string LotTitle,
    int Score,
    string Comment,
    decimal KpiAchievementPercent,
    int MilestonesOnTime,
    int Milestones,
    decimal Deductions,
    DateTimeOffset EvaluatedAt);

/// <summary>Performance records: one partition per supplier, one row per contract, written once.</summary>
public sealed class PerformanceStore(Storage storage)
{
    public const string Aggregate = "performance";

    /// <summary>A performance record is addressed by its contract, within its supplier.</summary>
    public static (string Table, string Partition, string Row) Locate(string organizationId, string contractId) => (TableNames.Performance, organizationId, contractId);

    public async Task<bool> TryAddAsync(PerformanceRecord record, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.TableAsync(TableNames.Performance, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, record.ContractId, Documents.ToEntity(record.OrganizationId, record.ContractId, record), cancellation);
    }

    public async Task<List<PerformanceRecord>> ListAsync(string organizationId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Performance, cancellation);
        var list = await table.ListDocumentsAsync<PerformanceRecord>(TableClient.CreateQueryFilter($"PartitionKey eq {organizationId}"), cancellation);
        return list.OrderByDescending(r => r.EvaluatedAt).ToList();
    }
}

using System.Text.Json.Serialization;
using Azure;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

/// <summary>Where a contract stands, as its workflow needs it.</summary>
public sealed record ContractState(
    string ContractId,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ContractStatus>))] ContractStatus Status,
    DateTimeOffset SignBy,
    int? NextMilestone,
    DateTimeOffset? NextDueAt,
    bool AwaitingDecision,
    bool Reported,
    List<int> AcceptedUnpaid,
    TimeSpan Grace,
    bool Evaluated);

public sealed record MilestoneReminder(string ContractId, int Milestone, string Kind, int Attempt);

public sealed record MilestonePaymentRequest(string ContractId, int Milestone);

/// <summary>
/// A contract from signature to completion: signatures by the deadline (or the award passes on), milestone
/// reports with KPIs and evidence, acceptance or rejection with reasons, payment per accepted milestone less
/// the KPI deduction (recorded once), reminders and escalation of overdue reports, and the final performance
/// evaluation, which is kept on the supplier's record for later tenders.
/// </summary>
public sealed class ContractLifecycle(ContractStore contracts, Awarding awarding, PerformanceStore performance, Outbox outbox, TimeProvider clock)
{
    public async Task<ContractState> StateAsync(string contractId, CancellationToken cancellation = default)
    {
        var (contract, _) = await FindAsync(contractId, cancellation);
        return State(contract);
    }

    public static ContractState State(Contract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var next = contract.NextMilestone;
        return new ContractState(contract.Id, contract.Status, contract.SignBy, next?.Index, next?.DueAt, next?.AwaitingDecision == true, next?.Report is not null,
            contract.Milestones.Where(m => m.Accepted && m.Payment is null).Select(m => m.Index).ToList(),
            TenderPeriods.Parse(contract.ReportGrace), contract.Evaluation is not null);
    }

    public async Task<Contract> SignAsync(string contractId, Caller caller, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (contract, etag) = await FindAsync(contractId, cancellation);
        var isBureau = caller.IsIn(Role.Admin);
        if (!isBureau && !caller.ActsFor(contract.OrganizationId))
        {
            throw Problem.Forbidden("The contract is signed by its supplier and the bureau.").ToException();
        }

        var now = clock.GetUtcNow();
        if (contract.Status != ContractStatus.AwaitingSignature)
        {
            if (contract.Status == ContractStatus.Lapsed)
            {
                throw Problem.InvalidState($"The contract lapsed: {contract.LapseReason}").ToException();
            }

            // Signed already: a signing repeated after a crash between activating the contract and marking its
            // award finishes the award (marking it twice changes nothing).
            await awarding.MarkSignedAsync(contract.TenderId, contract.LotId, contract.Id, cancellation);
            return contract;
        }

        if (now >= contract.SignBy)
        {
            throw Problem.DeadlinePassed($"The contract was to be signed by {contract.SignBy:O}.").ToException();
        }

        var signed = isBureau ? contract with { SignedByBureau = caller.Id } : contract with { SignedBySupplier = caller.Id };
        if (signed.IsSigned)
        {
            signed = signed with
            {
                Status = ContractStatus.Active,
                SignedAt = now,
                Milestones = signed.Milestones.Select(m => m with { DueAt = now + TenderPeriods.Parse(m.DueAfter) }).ToList(),
            };
        }

        // The second signature activates the contract; its event is in that write's batch.
        IReadOnlyList<DomainEvent> events = signed.IsSigned
            ? [outbox.Event(Source(signed), "Serverless.Procurement.ContractSigned", "signed", signed.Id,
                new { contractId = signed.Id, tenderId = signed.TenderId, lotId = signed.LotId, value = signed.Value })]
            : [];
        await contracts.UpdateAsync(signed, etag, events, cancellation);
        if (signed.IsSigned)
        {
            await awarding.MarkSignedAsync(signed.TenderId, signed.LotId, signed.Id, cancellation);
        }

        return signed;
    }

    /// <summary>The supplier reports the next milestone (or reports it again after a rejection).</summary>
    public async Task<Contract> ReportAsync(string contractId, int index, string organizationId, MilestoneReportForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (contract, etag) = await FindAsync(contractId, cancellation);
        if (contract.OrganizationId != organizationId)
        {
            throw Problem.Forbidden("Only the supplier reports on its contract.").ToException();
        }

        if (contract.Status != ContractStatus.Active)
        {
            throw Problem.InvalidState("Milestones are reported on a signed, running contract.").ToException();
        }

        var milestone = Milestone(contract, index);
        if (contract.NextMilestone?.Index != index)
        {
            throw Problem.InvalidState(milestone.Accepted ? "This milestone was accepted." : "Milestones are reported in order: an earlier one is not accepted yet.").ToException();
        }

        var v = new Validation();
        var delivered = form.Delivered ?? [];
        foreach (var kpi in milestone.Targets)
        {
            if (!delivered.TryGetValue(kpi.Id, out var value))
            {
                v.Add($"delivered.{kpi.Id}", $"Required: {kpi.Name} delivered in this milestone ({kpi.Unit}).");
            }
            else if (value < 0 || value > 100_000_000)
            {
                v.Add($"delivered.{kpi.Id}", "Zero or more.");
            }
        }

        foreach (var unknown in delivered.Keys.Where(k => milestone.Targets.TrueForAll(t => t.Id != k)))
        {
            v.Add($"delivered.{unknown}", "Not one of the lot's KPIs.");
        }

        v.Count("evidence", form.Evidence, 1, 20);
        var evidence = (form.Evidence ?? []).Select((e, i) => v.Text($"evidence[{i}]", e, 500, 3)).ToList();
        var summary = v.Text("summary", form.Summary, 8000, 10);
        v.ThrowIfAny();
        var now = clock.GetUtcNow();
        var report = new MilestoneReport(new Dictionary<string, decimal>(delivered, StringComparer.Ordinal), evidence, summary, now,
            (milestone.Report?.Version ?? 0) + 1, milestone.Report?.FirstSubmittedAt ?? now);
        var updated = With(contract, milestone with { Report = report });
        var reported = outbox.Event(Source(contract), "Serverless.Procurement.MilestoneReported", $"{index}|{report.Version}", contract.Id,
            new { contractId, milestone = index, version = report.Version });
        await contracts.UpdateAsync(updated, etag, [reported], cancellation);
        return updated;
    }

    /// <summary>The bureau accepts the reported milestone (it is then paid) or rejects it with reasons (it is reported again).</summary>
    public async Task<Contract> DecideAsync(string contractId, int index, Caller caller, AcceptanceForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(form);
        caller.Require(Role.Admin);
        var v = new Validation();
        if (form.Decision is not ("accept" or "reject"))
        {
            v.Add("decision", "Either 'accept' or 'reject'.");
        }

        var reasons = form.Decision == "reject" ? v.Text("reasons", form.Reasons, 4000, 5) : v.OptionalText("reasons", form.Reasons, 4000);
        v.ThrowIfAny();
        var (contract, etag) = await FindAsync(contractId, cancellation);
        var milestone = Milestone(contract, index);
        if (!milestone.AwaitingDecision)
        {
            // The same decision on the same report again (a retry after a lost reply or a crash before the
            // workflow was told): answered as done, so the caller tells the workflow again.
            if (milestone.Decisions is [.., var last] && last.ReportVersion == milestone.Report?.Version && last.Accepted == (form.Decision == "accept"))
            {
                return contract;
            }

            throw Problem.InvalidState(milestone.Accepted ? "This milestone was accepted." : "No report awaits a decision on this milestone.").ToException();
        }

        var decision = new MilestoneAcceptance(form.Decision == "accept", reasons, caller.Id!, clock.GetUtcNow(), milestone.Report!.Version);
        var updated = With(contract, milestone with { Decisions = [.. milestone.Decisions ?? [], decision] });
        // One decision per report version (a second finds none awaiting, above): the event's id is the version.
        var decided = outbox.Event(Source(contract), decision.Accepted ? "Serverless.Procurement.MilestoneAccepted" : "Serverless.Procurement.MilestoneRejected",
            $"{index}|{decision.ReportVersion}", contract.Id, new { contractId, milestone = index, reasons });
        await contracts.UpdateAsync(updated, etag, [decided], cancellation);
        return updated;
    }

    /// <summary>
    /// Pays an accepted milestone: its amount less the KPI deduction by the contract's formula. The ledger row
    /// is inserted once; the contract row then shows what the ledger holds.
    /// </summary>
    public async Task<ContractState> PayAsync(MilestonePaymentRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (contract, _) = await FindAsync(request.ContractId, cancellation);
        var milestone = Milestone(contract, request.Milestone);
        if (!milestone.Accepted)
        {
            throw new InvalidOperationException($"Milestone {request.Milestone} of {contract.Id} is not accepted.");
        }

        var (deduction, steps) = Contract.Deduction(milestone.Amount, milestone.Targets, milestone.Report!.Delivered, contract.MaxDeductionPercent);
        var payment = new MilestonePayment(milestone.Amount, deduction, milestone.Amount - deduction, steps, clock.GetUtcNow());
        // The payment row and its event in one batch: a step run again finds the row, its batch fails as a
        // whole, and neither the payment nor its event is recorded twice (nor the event lost after a crash).
        var paid = outbox.Event(Source(contract), "Serverless.Procurement.MilestonePaid", milestone.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), contract.Id,
            new { contractId = contract.Id, milestone = milestone.Index, payment.Gross, payment.Deduction, payment.Net });
        await contracts.TryRecordPaymentAsync(contract.Id, milestone.Index, payment, [paid], cancellation);

        var ledger = (await contracts.PaymentsAsync(contract.Id, cancellation))[milestone.Index];
        for (var attempt = 0; ; attempt++)
        {
            var (current, etag) = await FindAsync(contract.Id, cancellation);
            var updated = With(current, Milestone(current, milestone.Index) with { Payment = ledger });
            try
            {
                await contracts.UpdateAsync(updated, etag, cancellation);
                return State(updated);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Records a reminder (or escalation) for the notifier, when it is really due: a durable timer may fire a
    /// little early, and a report may have arrived meanwhile. False when nothing was due.
    /// </summary>
    public async Task<bool> RemindAsync(MilestoneReminder reminder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        if (reminder.Kind != "evaluation")
        {
            var (contract, _) = await FindAsync(reminder.ContractId, cancellation);
            var milestone = Milestone(contract, reminder.Milestone);
            var dueAt = milestone.DueAt + (reminder.Kind == "escalation" ? TenderPeriods.Parse(contract.ReportGrace) : TimeSpan.Zero);
            if (milestone.Report is not null || dueAt is null || clock.GetUtcNow() < dueAt)
            {
                return false;
            }
        }

        var type = reminder.Kind switch
        {
            "escalation" => "Serverless.Procurement.MilestoneReportEscalated",
            "evaluation" => "Serverless.Procurement.PerformanceEvaluationDue",
            _ => "Serverless.Procurement.MilestoneReportOverdue",
        };
        await outbox.AddAsync($"/contracts/{reminder.ContractId}", type, $"{reminder.Milestone}|{reminder.Kind}|{reminder.Attempt}", reminder.ContractId,
            new { contractId = reminder.ContractId, milestone = reminder.Milestone, kind = reminder.Kind }, cancellation);
        return true;
    }

    /// <summary>The bureau's final performance evaluation, once every milestone is accepted.</summary>
    public async Task<Contract> EvaluateAsync(string contractId, Caller caller, PerformanceForm form, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(form);
        caller.Require(Role.Admin);
        var v = new Validation();
        if (form.Score is null)
        {
            v.Add("score", "Required: 0 to 100.");
        }
        else
        {
            v.Range("score", form.Score.Value, 0, 100);
        }

        var comment = v.Text("comment", form.Comment, 4000, 5);
        v.ThrowIfAny();
        var (contract, etag) = await FindAsync(contractId, cancellation);
        if (contract.Status != ContractStatus.Active || contract.NextMilestone is not null)
        {
            throw Problem.InvalidState("The performance evaluation follows the acceptance of every milestone.").ToException();
        }

        if (contract.Evaluation is not null)
        {
            return contract;
        }

        var evaluated = contract with { Evaluation = new PerformanceEvaluation(form.Score!.Value, comment, caller.Id!, clock.GetUtcNow()) };
        await contracts.UpdateAsync(evaluated, etag, cancellation);
        return evaluated;
    }

    /// <summary>Completes the contract and writes the supplier's performance record (once).</summary>
    public async Task<ContractState> CompleteAsync(string contractId, CancellationToken cancellation = default)
    {
        var (contract, etag) = await FindAsync(contractId, cancellation);
        if (contract.Status == ContractStatus.Active)
        {
            var record = Record(contract);
            await performance.TryAddAsync(record, cancellation);
            contract = contract with { Status = ContractStatus.Completed, CompletedAt = clock.GetUtcNow() };
            var completed = outbox.Event(Source(contract), "Serverless.Procurement.ContractCompleted", "completed", contract.Id,
                new { contractId, paid = contract.Paid, score = record.Score });
            await contracts.UpdateAsync(contract, etag, [completed], cancellation);
        }

        return State(contract);
    }

    /// <summary>Not signed by the deadline: the contract lapses and the award passes to the next candidate.</summary>
    public async Task<ContractState> LapseAsync(string contractId, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        var (contract, _) = await FindAsync(contractId, cancellation);
        if (contract.Status == ContractStatus.AwaitingSignature && clock.GetUtcNow() >= contract.SignBy)
        {
            await awarding.EndOfferAsync(contract.TenderId, contract.LotId, contract.BidId, OfferOutcome.Lapsed,
                $"The contract was not signed by {contract.SignBy:O}.", cancellation);
            await Workflows.SignalAsync(durable, LotAward.InstanceId(contract.TenderId, contract.LotId), AwardOrchestration.UpdatedEvent, "lapsed", cancellation);
        }

        return await StateAsync(contractId, cancellation);
    }

    /// <summary>The supplier's record: the bureau's score, with the KPI achievement and punctuality behind it.</summary>
    public static PerformanceRecord Record(Contract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var ratios = contract.Milestones.SelectMany(m => m.Targets.Select(t =>
            t.Target <= 0 ? 1m : Math.Min(1m, (m.Report?.Delivered.GetValueOrDefault(t.Id) ?? 0m) / t.Target))).ToList();
        var achievement = ratios.Count == 0 ? 100m : decimal.Round(ratios.Average() * 100m, 1, MidpointRounding.AwayFromZero);
        var onTime = contract.Milestones.Count(m => m.Report is not null && m.DueAt is { } due && m.Report.FirstSubmittedAt <= due);
        var evaluation = contract.Evaluation ?? throw new InvalidOperationException("Not evaluated.");
        return new PerformanceRecord(contract.OrganizationId, contract.Id, contract.TenderId, contract.TenderTitle, contract.LotTitle, evaluation.Score,
            evaluation.Comment, achievement, onTime, contract.Milestones.Count, contract.Milestones.Sum(m => m.Payment?.Deduction ?? 0m), evaluation.At);
    }

    private async Task<(Contract Contract, ETag ETag)> FindAsync(string contractId, CancellationToken cancellation) =>
        await contracts.FindAsync(contractId, cancellation) ?? throw Problem.NotFound("The contract").ToException();

    private static ContractMilestone Milestone(Contract contract, int index) =>
        index >= 0 && index < contract.Milestones.Count ? contract.Milestones[index] : throw Problem.NotFound("The milestone").ToException();

    private static Contract With(Contract contract, ContractMilestone milestone) =>
        contract with { Milestones = contract.Milestones.Select(m => m.Index == milestone.Index ? milestone : m).ToList() };

    private static string Source(Contract contract) => $"/contracts/{contract.Id}";
}

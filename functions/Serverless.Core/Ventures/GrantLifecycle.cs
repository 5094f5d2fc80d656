using System.Text.Json.Serialization;
using Azure;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;
using Serverless.Core.Organizations;

namespace Serverless.Core.Ventures;

public sealed record TrancheState(int Index, decimal Amount, DateTimeOffset? DueAt, bool ReportApproved, bool Paid);

/// <summary>What the grant's workflow needs to decide its next wait: read fresh from the tables each time.</summary>
public sealed record GrantState(
    string GrantId,
    [property: JsonConverter(typeof(JsonStringEnumConverter<GrantStatus>))] GrantStatus Status,
    bool IsSigned,
    DateTimeOffset SigningDue,
    TimeSpan Grace,
    List<TrancheState> Tranches,
    GrantEvaluation? Evaluation);

public sealed record PaymentRequest(string GrantId, int TrancheIndex);

public sealed record GrantReminder(string GrantId, int TrancheIndex, string Kind, int Count);

/// <summary>The I/O steps of a grant's workflow. Each is idempotent; a payment is recorded once whatever runs twice.</summary>
public sealed class GrantLifecycle(GrantStore grants, RoundStore rounds, ResultStore results, OrganizationStore organizations, Outbox outbox, TimeProvider clock)
{
    private const string EventSource = "/grants/";

    /// <summary>One grant per funded project of the round, created once, each with its workflow started once.</summary>
    public async Task<StageReport> StartGrantsAsync(string roundId, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        var (round, _) = await rounds.FindAsync(roundId, cancellation) ?? throw new InvalidOperationException($"Round {roundId} does not exist.");
        if (round.Status is not (RoundStatus.Awarded or RoundStatus.Complete))
        {
            // Grants follow awards, never approval-less results.
            throw new InvalidOperationException($"Round {roundId} is {Round.Name(round.Status)}: grants are made after awards.");
        }

        foreach (var result in (await results.ListAsync(roundId, cancellation)).Where(r => r.Funded && !r.Removed))
        {
            var id = Grant.IdFor(roundId, result.ApplicationId);
            await grants.TryAddAsync(new Grant(id, roundId, result.ApplicationId, result.OrganizationId, result.OrganizationName,
                result.ProjectTitle, result.Granted, GrantStatus.AwaitingSignatures, Grant.Plan(result.Granted, round.PaymentPlan),
                round.Stages.AwardedAt ?? clock.GetUtcNow()), cancellation);
            await Workflows.EnsureStartedAsync(durable, nameof(GrantOrchestration), GrantOrchestration.InstanceId(id), id, cancellation);
        }

        return await ProgressAsync(roundId, cancellation);
    }

    /// <summary>How many of the round's grants have ended; finished when all have.</summary>
    public async Task<StageReport> ProgressAsync(string roundId, CancellationToken cancellation = default)
    {
        var all = await grants.ListForRoundAsync(roundId, cancellation);
        var ended = all.Count(g => g.Status is GrantStatus.Completed or GrantStatus.Failed);
        return new StageReport(RoundStatus.Awarded, null, ended, all.Count,
            $"grants: {ended} of {all.Count} ended ({all.Count(g => g.Status == GrantStatus.Failed)} failed)", Finished: ended == all.Count);
    }

    public async Task<GrantState> StateAsync(string grantId, CancellationToken cancellation = default)
    {
        var (grant, _) = await LoadAsync(grantId, cancellation);
        var (round, _) = (await rounds.FindAsync(grant.RoundId, cancellation))!.Value;
        var approved = (await grants.ReportsAsync(grantId, cancellation)).Where(r => r.Status == ReportStatus.Approved)
            .Select(r => r.TrancheIndex).ToHashSet();
        return new GrantState(grant.Id, grant.Status, grant.IsSigned, grant.AwardedAt + StagePeriods.Parse(round.Periods.Signing),
            StagePeriods.Parse(round.Periods.ReportGrace),
            grant.Tranches.Select(t => new TrancheState(t.Index, t.Amount, t.DueAt, approved.Contains(t.Index), t.PaidAt is not null)).ToList(),
            grant.Evaluation);
    }

    /// <summary>
    /// Pays a tranche: the grant row shows it paid, then the payment row is inserted once, with the
    /// TrancheReleased event in its batch. A retried step finds the grant paid and tries the payment row again:
    /// stored already, its batch fails as a whole (no second payment, no second event); missing (a crash between
    /// the two writes), it is stored now with its event.
    /// </summary>
    public async Task<GrantState> PayAsync(PaymentRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await ChangeAsync(request.GrantId, grant =>
        {
            var tranche = grant.Tranches[request.TrancheIndex];
            return tranche.PaidAt is not null || tranche.Withheld ? null : grant with
            {
                Tranches = grant.Tranches.Select(t => t.Index == request.TrancheIndex ? t with { PaidAt = clock.GetUtcNow() } : t).ToList(),
            };
        }, async paid =>
        {
            var tranche = paid.Tranches[request.TrancheIndex];
            if (tranche.PaidAt is null)
            {
                return; // withheld: nothing to record
            }

            var released = outbox.Event(EventSource + paid.Id, "Serverless.Ventures.TrancheReleased", $"tranche{tranche.Index}", paid.Id,
                new { grantId = paid.Id, tranche = tranche.Index, amount = tranche.Amount, organizationId = paid.OrganizationId });
            await grants.TryRecordPaymentAsync(paid.Id, tranche, [released], cancellation);
        }, cancellation);
        return await StateAsync(request.GrantId, cancellation);
    }

    /// <summary>A reminder or an escalation (a domain event for the organization or the bureau), once each.</summary>
    public async Task<bool> RemindAsync(GrantReminder reminder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        var type = reminder.Kind == "escalation" ? "Serverless.Ventures.ReportOverdueEscalated" : "Serverless.Ventures.ReportReminder";
        await outbox.AddAsync(EventSource + reminder.GrantId, type, $"{reminder.Kind}|{reminder.TrancheIndex}|{reminder.Count}", reminder.GrantId,
            new { grantId = reminder.GrantId, tranche = reminder.TrancheIndex, kind = reminder.Kind }, cancellation);
        return true;
    }

    /// <summary>The final evaluation passed: the grant is complete.</summary>
    public async Task<GrantState> CompleteAsync(string grantId, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        await ChangeAsync(grantId, g => g.Status is GrantStatus.Completed or GrantStatus.Failed ? null : g with { Status = GrantStatus.Completed, EndedAt = clock.GetUtcNow() },
            ended => RoundWorkflow.SignalStagesAsync(durable, ended.RoundId, RoundWorkflow.GrantEndedEvent, ended.Id, cancellation), cancellation);
        return await StateAsync(grantId, cancellation);
    }

    /// <summary>
    /// The grant failed: the tranches not paid are withheld, the clawback the evaluation named is recorded,
    /// and the organization is debarred for the round's debarment period. GrantFailed is written in the batch
    /// that fails the grant; a retried step finds it failed and only finishes the debarment and the signal.
    /// </summary>
    public async Task<GrantState> FailAsync(string grantId, DurableTaskClient durable, CancellationToken cancellation = default)
    {
        var (round, _) = (await rounds.FindAsync((await LoadAsync(grantId, cancellation)).Grant.RoundId, cancellation))!.Value;
        await ChangeAsync(grantId, g => g.Status is GrantStatus.Failed or GrantStatus.Completed ? null : g with
        {
            Status = GrantStatus.Failed,
            EndedAt = clock.GetUtcNow(),
            Clawback = g.Evaluation?.Clawback ?? 0,
            FailureReason = g.Evaluation?.Note,
            Tranches = g.Tranches.Select(t => t.PaidAt is null ? t with { Withheld = true } : t).ToList(),
        }, failed => [outbox.Event(EventSource + failed.Id, "Serverless.Ventures.GrantFailed", "failed", failed.Id,
            new { grantId = failed.Id, organizationId = failed.OrganizationId, clawback = failed.Clawback, withheld = failed.Tranches.Where(t => t.Withheld).Sum(t => t.Amount) })],
        async failed =>
        {
            if (failed.Status != GrantStatus.Failed)
            {
                return;
            }

            await organizations.DebarAsync(failed.OrganizationId, District.Today(clock.GetUtcNow()).AddYears(round.DebarmentYears), cancellation);
            await RoundWorkflow.SignalStagesAsync(durable, failed.RoundId, RoundWorkflow.GrantEndedEvent, failed.Id, cancellation);
        }, cancellation);
        return await StateAsync(grantId, cancellation);
    }

    private async Task<(Grant Grant, ETag ETag)> LoadAsync(string grantId, CancellationToken cancellation) =>
        await grants.FindAsync(grantId, cancellation) ?? throw new InvalidOperationException($"Grant {grantId} does not exist.");

    /// <summary>
    /// Applies a change conditional on the ETag; <paramref name="after"/> runs for the changed grant, and
    /// also when the change was already made (null change) so that a retried step finishes its records.
    /// </summary>
    private Task ChangeAsync(string grantId, Func<Grant, Grant?> change, Func<Grant, Task> after, CancellationToken cancellation) =>
        ChangeAsync(grantId, change, _ => [], after, cancellation);

    /// <summary>
    /// As the other overload, with the events of the changed grant (<paramref name="eventsOf"/>) written in the
    /// change's own batch: stored with it or not at all, so a retried step that finds the change made has
    /// nothing left to announce.
    /// </summary>
    private async Task ChangeAsync(string grantId, Func<Grant, Grant?> change, Func<Grant, IReadOnlyList<DomainEvent>> eventsOf, Func<Grant, Task> after,
        CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (grant, etag) = await LoadAsync(grantId, cancellation);
            var changed = change(grant);
            if (changed is null)
            {
                await after(grant);
                return;
            }

            try
            {
                await grants.UpdateAsync(changed, etag, eventsOf(changed), cancellation);
                await after(changed);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Changed meanwhile (a signature, an evaluation): read again.
            }
        }
    }
}

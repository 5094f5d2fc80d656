using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Dispatch;

public enum PairingStatus
{
    Active,
    Ended,
}

/// <summary>
/// A pairing (一帮一): one volunteer visits one beneficiary every <see cref="Every"/>, for years. The schedule
/// runs in periods; a period without a visit brings a reminder when it ends and, a grace period later, an
/// escalation to the community social worker.
/// </summary>
public sealed record Pairing(
    string Id,
    string VolunteerId,
    string BeneficiaryId,
    string BeneficiaryName,
    string GridId,
    string CommunityId,
    string Every,
    string Grace,
    DateTimeOffset StartedAt,
    string CreatedBy,
    PairingStatus Status,
    int Period,
    DateTimeOffset PeriodStart,
    int Visits = 0,
    DateTimeOffset? LastVisitAt = null,
    int Missed = 0,
    int Escalations = 0,
    DateTimeOffset? EndedAt = null,
    int? EscalatedPeriod = null)
{
    public static string Location(string id) => $"/api/pairings/{id}";

    [JsonIgnore]
    public TimeSpan EveryPeriod => System.Xml.XmlConvert.ToTimeSpan(Every);

    [JsonIgnore]
    public TimeSpan GracePeriod => System.Xml.XmlConvert.ToTimeSpan(Grace);

    /// <summary>When this period's visit is due.</summary>
    [JsonIgnore]
    public DateTimeOffset DueAt => PeriodStart + EveryPeriod;

    [JsonIgnore]
    public bool VisitedThisPeriod => LastVisitAt is { } at && at >= PeriodStart;
}

/// <summary>A pairing as the dispatcher posts it. The ids are checked as they are read (the volunteer's is looked up).</summary>
public sealed record PairingForm(
    [property: IdValue] string? VolunteerId,
    [property: IdValue] string? BeneficiaryId,
    string? BeneficiaryName,
    [property: IdValue] string? GridId,
    string? Every,
    string? Grace);

public sealed record VisitForm(string? Notes);

/// <summary>A visit as logged by the volunteer.</summary>
public sealed record Visit(string PairingId, int Period, DateTimeOffset At, string Notes);

public sealed record PairingView(Pairing Pairing, DateTimeOffset DueAt, List<Visit> Visits);

/// <summary>What the pairing's workflow does next in a period.</summary>
public sealed record PairingStep(
    [property: JsonConverter(typeof(JsonStringEnumConverter<PairingStatus>))] PairingStatus Status,
    int Period,
    DateTimeOffset DueAt,
    TimeSpan Grace,
    bool Visited);

public sealed record PairingNotice(string PairingId, int Period, string Kind);

/// <summary>Pairings: one partition each, the pairing row and a row per visit.</summary>
public sealed class PairingStore(Storage storage, Outbox outbox, TimeProvider clock)
{
    private const string Row = "pairing";

    public const string Aggregate = "pairings";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Pairings, id, Row);

    public async Task<(Pairing Pairing, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        return await table.FindDocumentAsync<Pairing>(id, Row, cancellation);
    }

    public async Task<bool> TryAddAsync(Pairing pairing, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, pairing.Id, Documents.ToEntity(pairing.Id, Row, pairing), cancellation);
    }

    public async Task<List<Visit>> VisitsAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        var visits = await table.ListDocumentsAsync<Visit>(TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"visit|"} and RowKey lt {"visit}"}"), cancellation);
        return visits.OrderBy(v => v.At).ToList();
    }

    /// <summary>The volunteer logs a visit; it counts for the current period.</summary>
    public async Task<Pairing> LogVisitAsync(string id, string volunteerId, string notes, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        var (pairing, etag) = await FindAsync(id, cancellation) ?? throw Problem.NotFound("The pairing").ToException();
        if (pairing.VolunteerId != volunteerId)
        {
            throw Problem.Forbidden("Only the paired volunteer logs visits.").ToException();
        }

        if (pairing.Status != PairingStatus.Active)
        {
            throw Problem.InvalidState("The pairing has ended.").ToException();
        }

        var now = clock.GetUtcNow();
        var visit = new Visit(id, pairing.Period, now, notes);
        var visited = pairing with { Visits = pairing.Visits + 1, LastVisitAt = now };
        // The visit's row, the pairing's count and the audit record: one batch, so the count never drifts from the visits.
        await table.UpdateAuditedAsync(Aggregate, id, Documents.ToEntity(id, Row, visited), etag, TableUpdateMode.Replace,
            [new TableTransactionAction(TableTransactionActionType.Add, Documents.ToEntity(id, $"visit|{now.UtcTicks:D19}", visit))], cancellation);
        return visited;
    }

    public async Task<Pairing> EndAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        var (pairing, etag) = await FindAsync(id, cancellation) ?? throw Problem.NotFound("The pairing").ToException();
        if (pairing.Status == PairingStatus.Ended)
        {
            return pairing;
        }

        var ended = pairing with { Status = PairingStatus.Ended, EndedAt = clock.GetUtcNow() };
        await table.UpdateAuditedAsync(Aggregate, id, Documents.ToEntity(id, Row, ended), etag, cancellation);
        return ended;
    }

    public async Task<PairingStep> StepAsync(string id, CancellationToken cancellation = default)
    {
        var (p, _) = await FindAsync(id, cancellation) ?? throw new InvalidOperationException($"Pairing {id} does not exist.");
        return new PairingStep(p.Status, p.Period, p.DueAt, p.GracePeriod, p.VisitedThisPeriod);
    }

    /// <summary>A missed visit: a reminder to the volunteer, then an escalation to the social worker (once each per period).</summary>
    public async Task<bool> NoticeAsync(PairingNotice notice, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        var (p, etag) = await FindAsync(notice.PairingId, cancellation) ?? throw new InvalidOperationException($"Pairing {notice.PairingId} does not exist.");
        if (p.Period != notice.Period || p.VisitedThisPeriod || p.Status != PairingStatus.Active)
        {
            return false;
        }

        var type = notice.Kind == "escalation" ? "Serverless.Dispatch.PairingVisitEscalated" : "Serverless.Dispatch.PairingVisitMissed";
        var data = new { pairingId = p.Id, p.VolunteerId, p.CommunityId, period = notice.Period, dueAt = p.DueAt };
        if (notice.Kind != "escalation")
        {
            // A reminder changes nothing of the pairing: its event stands alone.
            await outbox.AddAsync($"/pairings/{p.Id}", type, $"{notice.Period}|{notice.Kind}", p.Id, data, cancellation);
            return true;
        }

        if (p.EscalatedPeriod == notice.Period)
        {
            return true; // escalated by an earlier run of this step
        }

        // The count and its event in one batch: a step run again finds the period escalated and adds neither twice.
        var escalated = outbox.Event($"/pairings/{p.Id}", type, $"{notice.Period}|{notice.Kind}", p.Id, data);
        await Outbox.CommitAsync(storage, TableNames.Pairings, p.Id, [escalated], rows => table.UpdateAuditedAsync(Aggregate, p.Id,
            Documents.ToEntity(p.Id, Row, p with { Escalations = p.Escalations + 1, EscalatedPeriod = notice.Period }), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
        return true;
    }

    /// <summary>Closes the period (counting a miss if there was no visit) and opens the next; idempotent per period.</summary>
    public async Task<PairingStep> NextPeriodAsync(PairingNotice from, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        var table = await storage.TableAsync(TableNames.Pairings, cancellation);
        var (p, etag) = await FindAsync(from.PairingId, cancellation) ?? throw new InvalidOperationException($"Pairing {from.PairingId} does not exist.");
        if (p.Period == from.Period && p.Status == PairingStatus.Active)
        {
            p = p with { Period = p.Period + 1, PeriodStart = p.DueAt, Missed = p.Missed + (p.VisitedThisPeriod ? 0 : 1) };
            await table.UpdateAuditedAsync(Aggregate, p.Id, Documents.ToEntity(p.Id, Row, p), etag, cancellation);
        }

        return new PairingStep(p.Status, p.Period, p.DueAt, p.GracePeriod, p.VisitedThisPeriod);
    }
}

/// <summary>
/// A pairing's workflow, one period per generation: it waits for the visit until the due time, reminds, waits
/// a grace period, escalates, then opens the next period and continues as new, so a pairing that runs for
/// years keeps a history of one period.
/// </summary>
public sealed class PairingOrchestration : TaskOrchestrator<string, PairingStep>
{
    public const string UpdatedEvent = "PairingUpdated";

    public static string InstanceId(string pairingId) => $"pairing-{pairingId}";

    public override async Task<PairingStep> RunAsync(TaskOrchestrationContext context, string pairingId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var step = await Step(context, pairingId);
        if (step.Status == PairingStatus.Ended)
        {
            return step;
        }

        var period = step.Period;
        context.SetCustomStatus(new RoundProgress("pairing", $"period {period}: visit due {step.DueAt:O}"));
        // A visit is a signal; only the end of the period (or its ending early) moves the schedule on.
        while (!step.Visited && context.CurrentUtcDateTime < step.DueAt)
        {
            await DurableSteps.WaitAsync<string>(context, step.DueAt, UpdatedEvent);
            step = await Step(context, pairingId);
            if (step.Status == PairingStatus.Ended)
            {
                return step;
            }
        }

        if (!step.Visited)
        {
            await context.CallActivityAsync<bool>(nameof(PairingNoticeActivity), new PairingNotice(pairingId, period, "reminder"), DurableSteps.Retry);
            var graceEnds = step.DueAt + step.Grace;
            while (!step.Visited && context.CurrentUtcDateTime < graceEnds)
            {
                await DurableSteps.WaitAsync<string>(context, graceEnds, UpdatedEvent);
                step = await Step(context, pairingId);
            }

            if (!step.Visited)
            {
                await context.CallActivityAsync<bool>(nameof(PairingNoticeActivity), new PairingNotice(pairingId, period, "escalation"), DurableSteps.Retry);
            }
        }
        else if (context.CurrentUtcDateTime < step.DueAt)
        {
            // Visited early: the period still runs to its end before the next begins.
            await context.CreateTimer(step.DueAt.UtcDateTime, CancellationToken.None);
        }

        await context.CallActivityAsync<PairingStep>(nameof(NextPairingPeriodActivity), new PairingNotice(pairingId, period, "next"), DurableSteps.Retry);
        Workflows.ContinueAsNew(context, pairingId);
        return step;
    }

    private static Task<PairingStep> Step(TaskOrchestrationContext context, string pairingId) =>
        context.CallActivityAsync<PairingStep>(nameof(PairingStepActivity), pairingId, DurableSteps.Retry);
}

public sealed class PairingStepActivity(PairingStore pairings) : TaskActivity<string, PairingStep>
{
    public override Task<PairingStep> RunAsync(TaskActivityContext context, string input) => pairings.StepAsync(input);
}

public sealed class PairingNoticeActivity(PairingStore pairings) : TaskActivity<PairingNotice, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, PairingNotice input) => pairings.NoticeAsync(input);
}

public sealed class NextPairingPeriodActivity(PairingStore pairings) : TaskActivity<PairingNotice, PairingStep>
{
    public override Task<PairingStep> RunAsync(TaskActivityContext context, PairingNotice input) => pairings.NextPeriodAsync(input);
}

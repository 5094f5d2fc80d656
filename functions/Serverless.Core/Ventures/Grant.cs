using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public enum GrantStatus
{
    /// <summary>Awarded; the agreement awaits the organization's and the bureau's signatures.</summary>
    AwaitingSignatures,
    Active,
    Completed,
    Failed,
}

public enum ReportStatus
{
    Submitted,
    Approved,
    ChangesRequested,
}

/// <summary>A tranche of the grant: how much, and when it was paid (once).</summary>
public sealed record Tranche(int Index, string Name, decimal Amount, string? ReportDueAfter, DateTimeOffset? DueAt, DateTimeOffset? PaidAt, bool Withheld = false);

/// <summary>A grant (资助协议): an award becomes an agreement, then money in tranches against approved reports.</summary>
public sealed record Grant(
    string Id,
    string RoundId,
    string ApplicationId,
    string OrganizationId,
    string OrganizationName,
    string ProjectTitle,
    decimal Amount,
    GrantStatus Status,
    List<Tranche> Tranches,
    DateTimeOffset AwardedAt,
    string? SignedByOrganization = null,
    string? SignedByBureau = null,
    DateTimeOffset? SignedAt = null,
    GrantEvaluation? Evaluation = null,
    DateTimeOffset? EndedAt = null,
    decimal? Clawback = null,
    string? FailureReason = null)
{
    public static string IdFor(string roundId, string applicationId) => Ids.Derive("grt", roundId, applicationId);

    public static string Location(string id) => $"/api/grants/{id}";

    public bool IsSigned => SignedByOrganization is not null && SignedByBureau is not null;

    public decimal Paid => Tranches.Where(t => t.PaidAt is not null).Sum(t => t.Amount);

    /// <summary>Splits the award by the plan's shares in fen; the last tranche takes the rounding remainder.</summary>
    public static List<Tranche> Plan(decimal amount, IReadOnlyList<TranchePlan> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var tranches = new List<Tranche>();
        for (var i = 0; i < plan.Count; i++)
        {
            var share = i == plan.Count - 1
                ? amount - tranches.Sum(t => t.Amount)
                : decimal.Round(amount * plan[i].Percent / 100m, 2, MidpointRounding.ToZero);
            tranches.Add(new Tranche(i, plan[i].Name, share, plan[i].ReportDueAfter, null, null));
        }

        return tranches;
    }
}

/// <summary>A milestone report (进度报告) for a tranche, and its review.</summary>
public sealed record GrantReport(
    string Id,
    string GrantId,
    int TrancheIndex,
    string Summary,
    int BeneficiariesServed,
    decimal Spent,
    DateTimeOffset SubmittedAt,
    ReportStatus Status,
    string? ReviewedBy = null,
    DateTimeOffset? ReviewedAt = null,
    string? ReviewNote = null);

public sealed record ReportForm(int? TrancheIndex, string? Summary, int? BeneficiariesServed, decimal? Spent);

public sealed record ReportReviewForm(string? Decision, string? Note);

public sealed record EvaluationForm(string? Result, string? Note, decimal? Clawback);

/// <summary>What happens to a grant at the end: the final evaluation.</summary>
public sealed record GrantEvaluation(bool Passed, string Note, decimal Clawback, string By);

/// <summary>
/// Grants: one partition per grant: the grant row, its reports and a row per paid tranche. A payment is
/// recorded by inserting its tranche row, which succeeds once: a step that runs twice pays once.
/// </summary>
public sealed class GrantStore(Storage storage)
{
    private const string GrantRow = "grant";

    public const string Aggregate = "grants";
    public const string ReportAggregate = "reports";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Grants, id, GrantRow);

    public static (string Table, string Partition, string Row) LocateReport(string grantId, string reportId) => (TableNames.Grants, grantId, $"report|{reportId}");

    public async Task<(Grant Grant, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        return await table.FindDocumentAsync<Grant>(id, GrantRow, cancellation);
    }

    public async Task<bool> TryAddAsync(Grant grant, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, grant.Id, ToEntity(grant), cancellation);
    }

    public Task UpdateAsync(Grant grant, ETag etag, CancellationToken cancellation = default) => UpdateAsync(grant, etag, [], cancellation);

    /// <summary>Replaces the grant (conditional on its ETag) with its events, in one batch in the grant's partition.</summary>
    public async Task UpdateAsync(Grant grant, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        await Outbox.CommitAsync(storage, TableNames.Grants, grant.Id, events,
            rows => table.UpdateAuditedAsync(Aggregate, grant.Id, ToEntity(grant), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
    }

    public async Task<List<Grant>> ListForRoundAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        var grants = await table.ListDocumentsAsync<Grant>(TableClient.CreateQueryFilter($"RowKey eq {GrantRow} and RoundId eq {roundId}"), cancellation);
        return grants.OrderBy(g => g.OrganizationName, StringComparer.Ordinal).ToList();
    }

    public async Task<List<GrantReport>> ReportsAsync(string grantId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        var reports = await table.ListDocumentsAsync<GrantReport>(
            TableClient.CreateQueryFilter($"PartitionKey eq {grantId} and RowKey ge {"report|"} and RowKey lt {"report}"}"), cancellation);
        return reports.OrderBy(r => r.SubmittedAt).ToList();
    }

    public async Task<(GrantReport Report, ETag ETag)?> FindReportAsync(string grantId, string reportId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        return await table.FindDocumentAsync<GrantReport>(grantId, $"report|{reportId}", cancellation);
    }

    public async Task SaveReportAsync(GrantReport report, ETag? etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        var entity = Documents.ToEntity(report.GrantId, $"report|{report.Id}", report,
            new Dictionary<string, object?> { ["Status"] = report.Status.ToString(), ["TrancheIndex"] = report.TrancheIndex });
        if (etag is { } e)
        {
            await table.UpdateAuditedAsync(ReportAggregate, report.Id, entity, e, cancellation);
        }
        else if (!await table.TryAddAuditedAsync(ReportAggregate, report.Id, entity, cancellation))
        {
            throw new RequestFailedException(409, "The report exists.", "EntityAlreadyExists", null);
        }
    }

    /// <summary>Records a payment; false when this tranche was already paid (a step that ran twice).</summary>
    public Task<bool> TryRecordPaymentAsync(string grantId, Tranche tranche, CancellationToken cancellation = default) =>
        TryRecordPaymentAsync(grantId, tranche, [], cancellation);

    /// <summary>
    /// Records a payment with its events, in one batch in the grant's partition; false when this tranche was
    /// already paid: the batch then fails as a whole, so the payment and its event are each stored once.
    /// </summary>
    public async Task<bool> TryRecordPaymentAsync(string grantId, Tranche tranche, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tranche);
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        var payment = new TableEntity(grantId, $"payment|{tranche.Index.ToString("D2", CultureInfo.InvariantCulture)}")
        {
            ["Amount"] = tranche.Amount.ToString(CultureInfo.InvariantCulture),
            ["PaidAt"] = tranche.PaidAt,
            ["Name"] = tranche.Name,
        };
        return await Outbox.CommitAsync(storage, TableNames.Grants, grantId, events, async rows =>
        {
            try
            {
                await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, payment), .. rows], cancellation);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        }, cancellation);
    }

    /// <summary>The payments recorded, one row per paid tranche: what the ledger says, whatever the grant row says.</summary>
    public async Task<int> PaymentCountAsync(string grantId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Grants, cancellation);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {grantId} and RowKey ge {"payment|"} and RowKey lt {"payment}"}"), select: ["RowKey"], cancellationToken: cancellation))
        {
            count++;
        }

        return count;
    }

    private static TableEntity ToEntity(Grant grant) =>
        Documents.ToEntity(grant.Id, GrantRow, grant, new Dictionary<string, object?>
        {
            ["RoundId"] = grant.RoundId,
            ["OrganizationId"] = grant.OrganizationId,
            ["Status"] = grant.Status.ToString(),
        });
}

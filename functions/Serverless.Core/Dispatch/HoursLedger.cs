using System.Globalization;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>One side of a ledger transaction: hours into (positive) or out of (negative) an account.</summary>
public sealed record LedgerEntry(string TransactionId, string Account, decimal Hours, string RequestId, string Memo, DateTimeOffset At);

/// <summary>A volunteer's hours: every entry of their account, and the balance.</summary>
public sealed record HoursStatement(string VolunteerId, decimal Balance, List<LedgerEntry> Entries);

/// <summary>
/// The volunteer-hours ledger (志愿服务时长), double entry: each confirmed service is one transaction of two
/// entries, a credit to the volunteer's account and the matching debit to the community's service account
/// (<c>community:{id}</c>), so all balances always sum to zero. Both entries live in the volunteer's
/// partition and are written in one entity-group transaction with keys derived from the request and round:
/// the pair is written together or not at all, and exactly once however often the step is retried. The
/// <c>HoursCredited</c> event is stored in the same batch.
/// </summary>
public sealed class HoursLedger(Storage storage, TimeProvider clock)
{
    private readonly Outbox outbox = new(storage, clock);

    /// <summary>Service time in hours, rounded up to the quarter hour, at least a quarter, at most twelve.</summary>
    public static decimal Hours(DateTimeOffset checkedIn, DateTimeOffset checkedOut)
    {
        var quarters = (decimal)Math.Ceiling((checkedOut - checkedIn).TotalMinutes / 15.0);
        return Math.Clamp(quarters / 4m, 0.25m, 12m);
    }

    public static string CommunityAccount(string communityId) => $"community:{communityId}";

    public const string Aggregate = "ledger";

    /// <summary>A ledger transaction is addressed by its id, within the volunteer credited.</summary>
    public static (string Table, string Partition, string Row) Locate(string volunteerId, string transactionId) => (TableNames.Ledger, volunteerId, $"entry|{transactionId}|credit");

    /// <summary>Credits the request's hours to its volunteer; false when this round was credited before.</summary>
    public async Task<bool> CreditAsync(ServiceRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volunteer = request.VolunteerId ?? throw new InvalidOperationException("No volunteer to credit.");
        var hours = request.Hours ?? throw new InvalidOperationException("No hours to credit.");
        var table = await storage.TableAsync(TableNames.Ledger, cancellation);
        var txn = Ids.Derive("txn", request.Id, request.Round.ToString(CultureInfo.InvariantCulture));
        var now = clock.GetUtcNow();
        // The ledger is kept for years and shown to the volunteer: it names the need, never the beneficiary.
        var memo = request.Need;
        var credit = new LedgerEntry(txn, volunteer, hours, request.Id, memo, now);
        var debit = new LedgerEntry(txn, CommunityAccount(request.CommunityId), -hours, request.Id, memo, now);
        var credited = outbox.Event($"/volunteers/{volunteer}", "Serverless.Dispatch.HoursCredited", txn, volunteer,
            new { volunteerId = volunteer, requestId = request.Id, transactionId = txn, hours, communityId = request.CommunityId });
        // Both entries, the audit record and the event, or none: one batch in the volunteer's partition.
        if (!await Outbox.CommitAsync(storage, TableNames.Ledger, volunteer, [credited], rows => table.TryAddAuditedAsync(Aggregate, txn, Entity(volunteer, $"entry|{txn}|credit", credit),
            [new TableTransactionAction(TableTransactionActionType.Add, Entity(volunteer, $"entry|{txn}|debit", debit)), .. rows], cancellation), cancellation))
        {
            return false;
        }

        // Who served whom, for continuity in later matches (written after the money, harmless to repeat).
        await table.UpsertEntityAsync(new TableEntity($"beneficiary|{request.BeneficiaryId}", volunteer) { ["At"] = now }, TableUpdateMode.Replace, cancellation);
        return true;
    }

    public async Task<HoursStatement> StatementAsync(string volunteerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Ledger, cancellation);
        var entries = await table.ListDocumentsAsync<LedgerEntry>(
            TableClient.CreateQueryFilter($"PartitionKey eq {volunteerId} and RowKey ge {"entry|"} and RowKey lt {"entry}"}"), cancellation);
        var own = entries.Where(e => e.Account == volunteerId).OrderBy(e => e.At).ToList();
        return new HoursStatement(volunteerId, own.Sum(e => e.Hours), own);
    }

    /// <summary>Every entry of every account in the given volunteers' partitions: for checks that the books balance.</summary>
    public async Task<List<LedgerEntry>> EntriesAsync(IEnumerable<string> volunteerIds, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(volunteerIds);
        var table = await storage.TableAsync(TableNames.Ledger, cancellation);
        var all = new List<LedgerEntry>();
        foreach (var id in volunteerIds.Distinct(StringComparer.Ordinal))
        {
            all.AddRange(await table.ListDocumentsAsync<LedgerEntry>(
                TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"entry|"} and RowKey lt {"entry}"}"), cancellation));
        }

        return all;
    }

    /// <summary>The volunteers who served this beneficiary before.</summary>
    public async Task<IReadOnlySet<string>> ServedAsync(string beneficiaryId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Ledger, cancellation);
        var served = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"beneficiary|" + beneficiaryId}"), select: ["RowKey"], cancellationToken: cancellation))
        {
            served.Add(row.RowKey);
        }

        return served;
    }

    private static TableEntity Entity(string partition, string row, LedgerEntry entry) =>
        Documents.ToEntity(partition, row, entry, new Dictionary<string, object?> { ["Account"] = entry.Account });
}

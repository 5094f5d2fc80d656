using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Organizations;

/// <summary>
/// Organizations live in one partition (the district has about 400): the organization row and a row keyed
/// by its credit code go in one transaction, so two registrations of one code cannot both succeed.
/// </summary>
public sealed class OrganizationStore(Storage storage)
{
    private const string Partition = "org";

    /// <summary>The audit trail's name for organizations (GET /api/audit/organizations/{id}).</summary>
    public const string Aggregate = "organizations";

    /// <summary>Where an organization's row, and so its audit trail, lives.</summary>
    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Organizations, Partition, OrgRow(id));

    private static string OrgRow(string id) => $"org|{id}";

    private static string CodeRow(string code) => $"code|{code}";

    public async Task<Organization?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Organizations, cancellation);
        return (await table.FindDocumentAsync<Organization>(Partition, OrgRow(id), cancellation))?.Document;
    }

    /// <summary>
    /// The organization as read at most <see cref="CacheFor"/> ago by this process: for the hot paths that only need
    /// its name and that it is registered (an application names its applicant; 10,000 arrive in a round's last days).
    /// </summary>
    public async Task<Organization?> FindRecentAsync(string id, CancellationToken cancellation = default)
    {
        var now = DateTimeOffset.UtcNow;
        if (recent.TryGet(id, CacheFor, now, out var cached))
        {
            return cached;
        }

        var organization = await FindAsync(id, cancellation);
        if (organization is not null)
        {
            recent.Keep(id, organization, now);
        }

        return organization;
    }

    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly Recent<Organization> recent = new();

    public async Task<(string OrganizationId, string? IdempotencyKey, string? Fingerprint)?> FindByCodeAsync(string code, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Organizations, cancellation);
        var row = await table.FindAsync(Partition, CodeRow(code), cancellation);
        return row is null ? null : (row.GetString("OrganizationId"), row.GetString("IdempotencyKey"), row.GetString("Fingerprint"));
    }

    /// <summary>Registers the organization; false when its credit code is already registered.</summary>
    public async Task<bool> TryAddAsync(Organization organization, string? idempotencyKey, string fingerprint, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var table = await storage.TableAsync(TableNames.Organizations, cancellation);
        var codeRow = new TableEntity(Partition, CodeRow(organization.CreditCode))
        {
            ["OrganizationId"] = organization.Id,
            ["IdempotencyKey"] = idempotencyKey,
            ["Fingerprint"] = fingerprint,
        };
        var orgRow = Documents.ToEntity(Partition, OrgRow(organization.Id), organization,
            new Dictionary<string, object?> { ["CreditCode"] = organization.CreditCode, ["Name"] = organization.Name });
        return await table.TryAddAuditedAsync(Aggregate, organization.Id, orgRow,
            [new TableTransactionAction(TableTransactionActionType.Add, codeRow)], cancellation);
    }

    /// <summary>Debars the organization until a day (a failed grant); a later debarment never shortens an earlier one.</summary>
    public async Task DebarAsync(string id, DateOnly until, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Organizations, cancellation);
        for (var attempt = 0; ; attempt++)
        {
            var found = await table.FindDocumentAsync<Organization>(Partition, OrgRow(id), cancellation);
            if (found is not { } current || current.Document.DebarredUntil >= until)
            {
                return;
            }

            try
            {
                var debarred = current.Document with { DebarredUntil = until };
                await table.UpdateAuditedAsync(Aggregate, id, Documents.ToEntity(Partition, OrgRow(id), debarred,
                    new Dictionary<string, object?> { ["CreditCode"] = debarred.CreditCode, ["Name"] = debarred.Name }), current.ETag, cancellation);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Changed meanwhile: read again.
            }
        }
    }
}

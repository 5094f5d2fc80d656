using System.Text;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

public enum BidStatus
{
    Submitted,
    Withdrawn,
}

/// <summary>What a bidder offers on a lot: the price and the technical proposal. Sealed until opening.</summary>
public sealed record BidContent(decimal Price, string TechnicalProposal);

public sealed record BidForm([property: IdValue] string? LotId, decimal? Price, string? TechnicalProposal)
{
    /// <summary>Reads the bid form of the pages: <c>lotId</c>, <c>price</c> (yuan, separators allowed) and <c>technicalProposal</c>.</summary>
    public static BidForm FromForm(Microsoft.AspNetCore.Http.IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string? S(string key) => string.IsNullOrWhiteSpace(form[key].ToString()) ? null : form[key].ToString().Trim();
        var v = new Validation();
        var lotId = S("lotId");
        if (lotId is not null && !RouteValues.IsId(lotId))
        {
            v.Add("lotId", "Not a lot of this tender.");
        }

        decimal? price = null;
        if (S("price") is { } text)
        {
            if (decimal.TryParse(text.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                price = parsed;
            }
            else
            {
                v.Add("price", "Not a number.");
            }
        }

        v.ThrowIfAny();
        return new BidForm(lotId, price, S("technicalProposal"));
    }
}

/// <summary>A bid as stored: its sealed content, the hash of what was sealed, and after opening the content itself.</summary>
public sealed record Bid(
    string Id,
    string TenderId,
    string LotId,
    string OrganizationId,
    string OrganizationName,
    BidStatus Status,
    int Version,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    string Sha256,
    SealedContent Sealed,
    BidContent? Opened = null,
    BidQualification? Qualification = null,
    AbnormalPrice? AbnormalPrice = null)
{
    /// <summary>Opened, not withdrawn, and qualified: the bids that are scored and ranked.</summary>
    public bool IsValid => Status == BidStatus.Submitted && Opened is not null && Qualification is { Qualified: true };

    /// <summary>One bid per organization and lot: a second submission replaces the first (same id).</summary>
    public static string IdFor(string tenderId, string lotId, string organizationId) => Ids.Derive("bid", tenderId, lotId, organizationId);

    public BidReceipt Receipt() => new(Id, TenderId, LotId, Version, Sha256, UpdatedAt, Status);

    /// <summary>The exact bytes sealed and hashed: canonical JSON of the content.</summary>
    public static byte[] Canonical(BidContent content) => Encoding.UTF8.GetBytes(ApiJson.Serialize(content));
}

/// <summary>The bidder's proof of what was stored (回执): the SHA-256 of the sealed bytes, and when.</summary>
public sealed record BidReceipt(string BidId, string TenderId, string LotId, int Version, string Sha256, DateTimeOffset StoredAt, BidStatus Status);

/// <summary>An opened bid as the evaluation committee and the bidder see it.</summary>
public sealed record OpenedBid(string Id, string LotId, string OrganizationId, string OrganizationName, BidStatus Status, int Version,
    DateTimeOffset SubmittedAt, string Sha256, BidContent? Content, BidQualification? Qualification, AbnormalPrice? AbnormalPrice,
    List<PerformanceRecord> SupplierPerformance);

/// <summary>Bids: one partition per tender, one row per (lot, organization).</summary>
public sealed class BidStore(Storage storage)
{
    public const string Aggregate = "bids";

    public static (string Table, string Partition, string Row) Locate(string tenderId, string bidId) => (TableNames.Bids, tenderId, bidId);

    public async Task<(Bid Bid, ETag ETag)?> FindAsync(string tenderId, string bidId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Bids, cancellation);
        return await table.FindDocumentAsync<Bid>(tenderId, bidId, cancellation);
    }

    public async Task<List<Bid>> ListAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Bids, cancellation);
        return await table.ListDocumentsAsync<Bid>(TableClient.CreateQueryFilter($"PartitionKey eq {tenderId}"), cancellation);
    }

    /// <summary>Stores the bid: added when new, replaced conditionally on the ETag read otherwise.</summary>
    public async Task SaveAsync(Bid bid, ETag? etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(bid);
        var table = await storage.TableAsync(TableNames.Bids, cancellation);
        var entity = Documents.ToEntity(bid.TenderId, bid.Id, bid, new Dictionary<string, object?>
        {
            ["LotId"] = bid.LotId,
            ["OrganizationId"] = bid.OrganizationId,
            ["Status"] = bid.Status.ToString(),
        });
        if (etag is { } e)
        {
            await table.UpdateAuditedAsync(Aggregate, bid.Id, entity, e, cancellation);
        }
        else if (!await table.TryAddAuditedAsync(Aggregate, bid.Id, entity, cancellation))
        {
            throw new RequestFailedException(409, "The bid exists.", "EntityAlreadyExists", null);
        }
    }
}

/// <summary>Tenders: one partition (a district runs dozens a year).</summary>
public sealed class TenderStore(Storage storage)
{
    private const string Partition = "tender";

    public const string Aggregate = "tenders";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.Tenders, Partition, id);

    public async Task<(Tender Tender, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Tenders, cancellation);
        return await table.FindDocumentAsync<Tender>(Partition, id, cancellation);
    }

    public async Task<bool> TryAddAsync(Tender tender, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tender);
        var table = await storage.TableAsync(TableNames.Tenders, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, tender.Id, ToEntity(tender), cancellation);
    }

    public Task UpdateAsync(Tender tender, ETag etag, CancellationToken cancellation = default) => UpdateAsync(tender, etag, [], cancellation);

    /// <summary>
    /// Replaces the tender (conditional on its ETag) with its events, in one batch. The events' rows sit in the
    /// tenders' one partition beside the documents; listings skip them ('~' keys).
    /// </summary>
    public async Task UpdateAsync(Tender tender, ETag etag, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tender);
        var table = await storage.TableAsync(TableNames.Tenders, cancellation);
        await Outbox.CommitAsync(storage, TableNames.Tenders, Partition, events,
            rows => table.UpdateAuditedAsync(Aggregate, tender.Id, ToEntity(tender), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
    }

    public async Task<List<Tender>> ListAsync(CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Tenders, cancellation);
        return await table.ListDocumentsAsync<Tender>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellation);
    }

    private static TableEntity ToEntity(Tender t) =>
        Documents.ToEntity(Partition, t.Id, t, new Dictionary<string, object?> { ["Status"] = t.Status.ToString(), ["BidDeadline"] = t.BidDeadline });
}

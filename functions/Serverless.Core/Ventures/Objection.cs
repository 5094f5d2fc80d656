using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public enum ObjectionStatus
{
    Open,
    Upheld,
    Dismissed,
}

/// <summary>An objection (异议) to a published result, lodged by anyone during the publicity period.</summary>
public sealed record Objection(
    string Id,
    string RoundId,
    string ApplicationId,
    string Grounds,
    string? Contact,
    string? LodgedBy,
    DateTimeOffset LodgedAt,
    ObjectionStatus Status,
    string? Ruling = null,
    string? RuledBy = null,
    DateTimeOffset? RuledAt = null);

public sealed record ObjectionForm([property: IdValue] string? ApplicationId, string? Grounds, string? Contact)
{
    /// <summary>Reads the objection form of the results page; a blank field is absent, as in JSON.</summary>
    public static ObjectionForm FromForm(Microsoft.AspNetCore.Http.IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string? S(string key) => string.IsNullOrWhiteSpace(form[key].ToString()) ? null : form[key].ToString();
        var applicationId = S("applicationId");
        if (applicationId is not null && !RouteValues.IsId(applicationId))
        {
            throw Problem.Validation("applicationId", "Not a project in this round's results.").ToException();
        }

        return new ObjectionForm(applicationId, S("grounds"), S("contact"));
    }
}

public sealed record RulingForm(bool? Upheld, string? Reasoning);

/// <summary>Objections: one partition per round.</summary>
public sealed class ObjectionStore(Storage storage)
{
    public const string Aggregate = "objections";

    public static (string Table, string Partition, string Row) Locate(string roundId, string id) => (TableNames.Objections, roundId, id);

    public async Task<(Objection Objection, ETag ETag)?> FindAsync(string roundId, string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Objections, cancellation);
        return await table.FindDocumentAsync<Objection>(roundId, id, cancellation);
    }

    public async Task<List<Objection>> ListAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Objections, cancellation);
        var objections = await table.ListDocumentsAsync<Objection>(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"), cancellation);
        return objections.OrderBy(o => o.LodgedAt).ToList();
    }

    public async Task<bool> TryAddAsync(Objection objection, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(objection);
        var table = await storage.TableAsync(TableNames.Objections, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, objection.Id, ToEntity(objection), cancellation);
    }

    public async Task UpdateAsync(Objection objection, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(objection);
        var table = await storage.TableAsync(TableNames.Objections, cancellation);
        await table.UpdateAuditedAsync(Aggregate, objection.Id, ToEntity(objection), etag, cancellation);
    }

    private static TableEntity ToEntity(Objection o) =>
        Documents.ToEntity(o.RoundId, o.Id, o, new Dictionary<string, object?> { ["Status"] = o.Status.ToString(), ["ApplicationId"] = o.ApplicationId });
}

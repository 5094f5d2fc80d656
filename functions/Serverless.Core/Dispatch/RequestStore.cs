using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>Who holds a request in a round: the first acceptance inserts it, and only the first can.</summary>
public sealed record Assignment(string RequestId, int Round, string VolunteerId, string OfferId, DateTimeOffset At);

/// <summary>A volunteer's one current task: inserted on acceptance, removed when the task ends.</summary>
public sealed record Booking(string VolunteerId, string RequestId, int Round, DateTimeOffset At);

/// <summary>
/// Service requests, one partition each: the request row, its timeline rows (in time order by key) and the
/// assignment rows that decide who won each round. Offers live in the volunteer's partition (their list of
/// open offers is one partition read); bookings likewise, one row per volunteer.
/// </summary>
public sealed class RequestStore(Storage storage)
{
    private const string Row = "request";

    public const string Aggregate = "service-requests";
    public const string OfferAggregate = "offers";

    public static (string Table, string Partition, string Row) Locate(string id) => (TableNames.ServiceRequests, id, Row);

    /// <summary>An offer is addressed by its id within the volunteer it was made to.</summary>
    public static (string Table, string Partition, string Row) LocateOffer(string volunteerId, string offerId) => (TableNames.Offers, volunteerId, offerId);

    public async Task<(ServiceRequest Request, ETag ETag)?> FindAsync(string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        return await table.FindDocumentAsync<ServiceRequest>(id, Row, cancellation);
    }

    public Task<bool> TryAddAsync(ServiceRequest request, CancellationToken cancellation = default) => TryAddAsync(request, [], cancellation);

    /// <summary>Adds the request with its events, in one batch.</summary>
    public async Task<bool> TryAddAsync(ServiceRequest request, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        var added = await Outbox.CommitAsync(storage, TableNames.ServiceRequests, request.Id, events,
            rows => table.TryAddAuditedAsync(Aggregate, request.Id, ToEntity(request), rows, cancellation), cancellation);
        await IndexAsync(request, cancellation);
        return added;
    }

    /// <summary>
    /// Replaces the request (conditional on its ETag) and its day-index row, unless <paramref name="before"/>
    /// shows that nothing the report counts has changed (most dispatch steps only move offers along).
    /// </summary>
    public Task UpdateAsync(ServiceRequest request, ETag etag, ServiceRequest? before = null, CancellationToken cancellation = default) =>
        UpdateAsync(request, etag, before, [], cancellation);

    /// <summary>Replaces the request with its events in one batch (see the other overload for the index).</summary>
    public async Task UpdateAsync(ServiceRequest request, ETag etag, ServiceRequest? before, IReadOnlyList<DomainEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        await Outbox.CommitAsync(storage, TableNames.ServiceRequests, request.Id, events,
            rows => table.UpdateAuditedAsync(Aggregate, request.Id, ToEntity(request), etag, TableUpdateMode.Replace, rows, cancellation), cancellation);
        if (before is null || Reported(before) != Reported(request))
        {
            await IndexAsync(request, cancellation);
        }
    }

    private static (RequestStatus, decimal?, bool) Reported(ServiceRequest r) => (r.Status, r.Hours, r.EscalatedAt is not null || r.AtRiskSince is not null);

    /// <summary>
    /// The day index for reports: one partition per district day of creation, one small row per request with
    /// what the report counts. A report over a month reads thirty partitions, never the whole table.
    /// </summary>
    public async Task<List<TableEntity>> DayAsync(DateOnly day, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.RequestsByDay, cancellation);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"), cancellationToken: cancellation))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task IndexAsync(ServiceRequest r, CancellationToken cancellation)
    {
        var table = await storage.TableAsync(TableNames.RequestsByDay, cancellation);
        await table.UpsertEntityAsync(new TableEntity(District.Today(r.CreatedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Id)
        {
            ["CommunityId"] = r.CommunityId,
            ["Status"] = r.Status.ToString(),
            ["Tier"] = r.Tier.ToString(),
            ["Hours"] = r.Status == RequestStatus.Confirmed ? (double)(r.Hours ?? 0m) : 0d,
            ["Escalated"] = r.EscalatedAt is not null || r.AtRiskSince is not null,
        }, TableUpdateMode.Replace, cancellation);
    }

    /// <summary>Adds a timeline line; its key is derived from what happened, so a retried step writes it once.</summary>
    public async Task NoteAsync(string requestId, string key, TimelineEntry entry, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        await table.TryAddAsync(Documents.ToEntity(requestId, $"t|{Ids.Fingerprint(key)}", entry, new Dictionary<string, object?> { ["Key"] = key }), cancellation);
    }

    /// <summary>The timeline in time order.</summary>
    public async Task<List<TimelineEntry>> TimelineAsync(string requestId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        var entries = await table.ListDocumentsAsync<TimelineEntry>(
            TableClient.CreateQueryFilter($"PartitionKey eq {requestId} and RowKey ge {"t|"} and RowKey lt {"t}"}"), cancellation);
        return entries.OrderBy(e => e.At).ToList();
    }

    /// <summary>The first acceptance of a round claims the request; false when another got there first.</summary>
    public async Task<bool> TryAssignAsync(Assignment assignment, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        return await table.TryAddAsync(Documents.ToEntity(assignment.RequestId, AssignmentRow(assignment.Round), assignment), cancellation);
    }

    public async Task<Assignment?> AssignmentAsync(string requestId, int round, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        return (await table.FindDocumentAsync<Assignment>(requestId, AssignmentRow(round), cancellation))?.Document;
    }

    /// <summary>Gives a claim back (the winner turned out to be booked elsewhere), only if it is still this volunteer's.</summary>
    public async Task ReleaseAssignmentAsync(string requestId, int round, string volunteerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.ServiceRequests, cancellation);
        if (await table.FindAsync(requestId, AssignmentRow(round), cancellation) is { } row && Documents.FromEntity<Assignment>(row).VolunteerId == volunteerId)
        {
            await table.DeleteEntityAsync(requestId, row.RowKey, row.ETag, cancellation);
        }
    }

    public async Task<(Offer Offer, ETag ETag)?> FindOfferAsync(string volunteerId, string offerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Offers, cancellation);
        return await table.FindDocumentAsync<Offer>(volunteerId, offerId, cancellation);
    }

    public async Task<List<Offer>> OffersOfAsync(string volunteerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Offers, cancellation);
        return await table.ListDocumentsAsync<Offer>(TableClient.CreateQueryFilter($"PartitionKey eq {volunteerId}"), cancellation);
    }

    public async Task<bool> TryAddOfferAsync(Offer offer, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var table = await storage.TableAsync(TableNames.Offers, cancellation);
        return await table.TryAddAuditedAsync(OfferAggregate, offer.Id, OfferEntity(offer), cancellation);
    }

    public async Task UpdateOfferAsync(Offer offer, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var table = await storage.TableAsync(TableNames.Offers, cancellation);
        await table.UpdateAuditedAsync(OfferAggregate, offer.Id, OfferEntity(offer), etag, cancellation);
    }

    /// <summary>Books the volunteer for this request: false when they already hold another task.</summary>
    public async Task<bool> TryBookAsync(Booking booking, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(booking);
        var table = await storage.TableAsync(TableNames.Bookings, cancellation);
        return await table.TryAddAsync(Documents.ToEntity(booking.VolunteerId, "booking", booking), cancellation);
    }

    public async Task<Booking?> BookingAsync(string volunteerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Bookings, cancellation);
        return (await table.FindDocumentAsync<Booking>(volunteerId, "booking", cancellation))?.Document;
    }

    /// <summary>Frees the volunteer, only from this request's booking.</summary>
    public async Task ReleaseBookingAsync(string volunteerId, string requestId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Bookings, cancellation);
        if (await table.FindAsync(volunteerId, "booking", cancellation) is { } row && Documents.FromEntity<Booking>(row).RequestId == requestId)
        {
            try
            {
                await table.DeleteEntityAsync(volunteerId, "booking", row.ETag, cancellation);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Released by a retry of this step already.
            }
        }
    }

    private static string AssignmentRow(int round) => $"assignment|{round.ToString("D3", CultureInfo.InvariantCulture)}";

    private static TableEntity OfferEntity(Offer o) =>
        Documents.ToEntity(o.VolunteerId, o.Id, o, new Dictionary<string, object?> { ["RequestId"] = o.RequestId, ["Status"] = o.Status.ToString() });

    private static TableEntity ToEntity(ServiceRequest r) =>
        Documents.ToEntity(r.Id, Row, r, new Dictionary<string, object?>
        {
            ["Status"] = r.Status.ToString(),
            ["CommunityId"] = r.CommunityId,
            ["CreatedAt"] = r.CreatedAt,
        });
}

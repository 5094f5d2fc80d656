using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public enum ReviewStatus
{
    /// <summary>Waiting for the reviewer's scores.</summary>
    Assigned,
    Submitted,

    /// <summary>The reviewer declined for a conflict of interest; someone else was assigned.</summary>
    Declined,

    /// <summary>Not submitted by the review deadline.</summary>
    Lapsed,
}

/// <summary>One reviewer's assignment to one application, and their scores once submitted.</summary>
public sealed record Review(
    string RoundId,
    string ApplicationId,
    string ReviewerId,
    ReviewStatus Status,
    DateTimeOffset AssignedAt,
    int Wave,
    Dictionary<string, int>? Points = null,
    string? Comment = null,
    DateTimeOffset? SubmittedAt = null,
    string? DeclineReason = null);

public static class ReviewLoad
{
    /// <summary>Each reviewer's live assignments (assigned or scored): what balancing and reassignment weigh.</summary>
    public static Dictionary<string, int> Of(IEnumerable<Review> reviews) =>
        reviews.Where(r => r.Status is ReviewStatus.Assigned or ReviewStatus.Submitted)
            .GroupBy(r => r.ReviewerId).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>
/// Reviews: one partition per round, a row per (application, reviewer). The reviewer's id is a column so a
/// reviewer's own assignments are one filtered query.
/// </summary>
public sealed class ReviewStore(Storage storage)
{
    private static string Row(string applicationId, string reviewerId) => $"{applicationId}|{reviewerId}";

    public const string Aggregate = "reviews";

    /// <summary>A review is addressed by its application, in its round, by its reviewer.</summary>
    public static (string Table, string Partition, string Row) Locate(string roundId, string applicationId, string reviewerId) =>
        (TableNames.Reviews, roundId, Row(applicationId, reviewerId));

    public async Task<(Review Review, ETag ETag)?> FindAsync(string roundId, string applicationId, string reviewerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        return await table.FindDocumentAsync<Review>(roundId, Row(applicationId, reviewerId), cancellation);
    }

    public async Task<List<Review>> ListAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        return await table.ListDocumentsAsync<Review>(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"), cancellation);
    }

    /// <summary>A reviewer's assignments in every round (a filtered query across rounds: a district runs a few a year).</summary>
    public async Task<List<Review>> ListForReviewerAsync(string reviewerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        return await table.ListDocumentsAsync<Review>(TableClient.CreateQueryFilter($"ReviewerId eq {reviewerId}"), cancellation);
    }

    /// <summary>Adds assignments, skipping those that exist: a retried assignment step adds nothing twice.</summary>
    public async Task AddAllAsync(IEnumerable<Review> reviews, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        // A round's assignments share its partition: 30,000 assignments are 600 batches, not 30,000 requests.
        await table.AddAllAuditedAsync(Aggregate, reviews.Select(r => (Row(r.ApplicationId, r.ReviewerId), ToEntity(r))), cancellation);
    }

    public async Task UpdateAsync(Review review, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        await table.UpdateAuditedAsync(Aggregate, Row(review.ApplicationId, review.ReviewerId), ToEntity(review), etag, cancellation);
    }

    /// <summary>The round's reviews counted by status, reading only the status column of each (not the documents).</summary>
    public async Task<Dictionary<ReviewStatus, int>> CountAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var counts = new Dictionary<ReviewStatus, int>();
        var filter = Documents.DocumentsOnly(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"));
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Status"], cancellationToken: cancellation))
        {
            if (Enum.TryParse<ReviewStatus>(row.GetString("Status"), out var status))
            {
                counts[status] = counts.GetValueOrDefault(status) + 1;
            }
        }

        return counts;
    }

    /// <summary>
    /// Whether any review of the round is still to be scored: one filtered query that stops at the first, its rows'
    /// documents never read (asked by the check a submitted review queues, and when a review wave closes).
    /// </summary>
    public async Task<bool> AnyAssignedAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {roundId} and Status eq {nameof(ReviewStatus.Assigned)}");
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellation).AsPages(pageSizeHint: 1))
        {
            if (page.Values.Count > 0)
            {
                return true;
            }

            if (page.ContinuationToken is null)
            {
                break;
            }
        }

        return false;
    }

    private static TableEntity ToEntity(Review review) =>
        Documents.ToEntity(review.RoundId, Row(review.ApplicationId, review.ReviewerId), review, new Dictionary<string, object?>
        {
            ["ReviewerId"] = review.ReviewerId,
            ["ApplicationId"] = review.ApplicationId,
            ["Status"] = review.Status.ToString(),
        });
}

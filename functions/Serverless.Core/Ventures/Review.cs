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

/// <summary>A review as read, with what its next write must be conditional on.</summary>
/// <param name="Review">The review: its row's document, or, before it has a row, the assignment its reviewer's sheet holds.</param>
/// <param name="ETag">Its row's version; before it has a row, its sheet's.</param>
public sealed record ReviewVersion(Review Review, ETag ETag)
{
    /// <summary>The sheet row it was read from, while the review has no row of its own.</summary>
    internal TableEntity? Sheet { get; init; }
}

/// <summary>
/// One reviewer's assignments in a round that share a sheet: every application whose id ends in the same hex digit
/// (sixteen sheets a reviewer, a few dozen assignments each at the district's scale).
/// </summary>
/// <param name="RoundId">The round.</param>
/// <param name="ReviewerId">The reviewer.</param>
/// <param name="Sheet">Which of the reviewer's sheets: the last hex digit of its applications' ids (<see cref="ReviewStore.SheetOf"/>).</param>
/// <param name="Entries">The assignments, in the order they were made.</param>
public sealed record ReviewSheet(string RoundId, string ReviewerId, string Sheet, List<SheetEntry> Entries);

/// <summary>One assignment on a sheet: which application, in which wave, since when.</summary>
public sealed record SheetEntry(string ApplicationId, int Wave, DateTimeOffset AssignedAt);

/// <summary>
/// Reviews: one partition per round. An assignment is an entry on its reviewer's sheet (an audited row per
/// reviewer and application-id digit), written when the stage assigns: a round of 10,000 applications assigns
/// 30,000 reviews with 480 rows, not 30,000. A review gets its own audited row (<c>{application}|{reviewer}</c>)
/// when it is first scored, declined or lapses, in the same transaction that moves the sheet's two index columns:
/// <c>Done</c> (the applications with a row) and <c>Open</c> (how many entries have none), which the audit chain does
/// not cover because they follow from the rows. The reviewer's id is a column of both, so a reviewer's own
/// assignments are one filtered query. A sheet's document is one string column (64 KiB), about 300 entries, so
/// assignment stops at <see cref="ReviewerAssignment.MaxReviewsPerReviewer"/> a reviewer (3,000: about 190 a sheet),
/// where the district's panel takes about 1,000 each.
/// </summary>
public sealed class ReviewStore(Storage storage)
{
    public const string Aggregate = "reviews";
    public const string SheetAggregate = "review-sheets";

    private const string SheetPrefix = "sheet|";
    private const string OpenColumn = "Open";
    private const string DoneColumn = "Done";

    private static string Row(string applicationId, string reviewerId) => $"{applicationId}|{reviewerId}";

    private static string SheetRow(string reviewerId, string sheet) => $"{SheetPrefix}{reviewerId}|{sheet}";

    /// <summary>Which of a reviewer's sheets holds an application: the last digit of its id (random in a new id).</summary>
    public static string SheetOf(string applicationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationId);
        return char.IsAsciiLetterOrDigit(applicationId[^1]) ? char.ToLowerInvariant(applicationId[^1]).ToString() : "_";
    }

    /// <summary>A review is addressed by its application, in its round, by its reviewer (its row exists once it is scored, declined or lapsed).</summary>
    public static (string Table, string Partition, string Row) Locate(string roundId, string applicationId, string reviewerId) =>
        (TableNames.Reviews, roundId, Row(applicationId, reviewerId));

    /// <summary>A reviewer's sheet in a round (its trail records each assignment made on it).</summary>
    public static (string Table, string Partition, string Row) LocateSheet(string roundId, string reviewerId, string sheet) =>
        (TableNames.Reviews, roundId, SheetRow(reviewerId, sheet));

    /// <summary>The review, from its row, or from its reviewer's sheet while it is only assigned; null when not assigned.</summary>
    public async Task<ReviewVersion?> FindAsync(string roundId, string applicationId, string reviewerId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var sheet = await table.FindAsync(roundId, SheetRow(reviewerId, SheetOf(applicationId)), cancellation);
        if (sheet is not null && !Done(sheet).Contains(applicationId))
        {
            var entry = Documents.FromEntity<ReviewSheet>(sheet).Entries.Find(e => e.ApplicationId == applicationId);
            return entry is null ? null : new ReviewVersion(Assigned(roundId, reviewerId, entry), sheet.ETag) { Sheet = sheet };
        }

        // Scored, declined or lapsed: its own row.
        return await table.FindDocumentAsync<Review>(roundId, Row(applicationId, reviewerId), cancellation) is { } found
            ? new ReviewVersion(found.Document, found.ETag)
            : null;
    }

    /// <summary>Every review of the round: the rows, and the sheets' entries that have none yet.</summary>
    public async Task<List<Review>> ListAsync(string roundId, CancellationToken cancellation = default) =>
        await ListWhereAsync(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"), cancellation);

    /// <summary>A reviewer's reviews in every round (a filtered query across rounds: a district runs a few a year).</summary>
    public async Task<List<Review>> ListForReviewerAsync(string reviewerId, CancellationToken cancellation = default) =>
        await ListWhereAsync(TableClient.CreateQueryFilter($"ReviewerId eq {reviewerId}"), cancellation);

    private async Task<List<Review>> ListWhereAsync(string filter, CancellationToken cancellation)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var reviews = new List<Review>();
        var sheets = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(Documents.DocumentsOnly(filter), cancellationToken: cancellation))
        {
            if (row.RowKey.StartsWith(SheetPrefix, StringComparison.Ordinal))
            {
                sheets.Add(row);
            }
            else
            {
                reviews.Add(Documents.FromEntity<Review>(row));
            }
        }

        foreach (var row in sheets)
        {
            var sheet = Documents.FromEntity<ReviewSheet>(row);
            var done = Done(row);
            reviews.AddRange(sheet.Entries.Where(e => !done.Contains(e.ApplicationId)).Select(e => Assigned(sheet.RoundId, sheet.ReviewerId, e)));
        }

        return reviews;
    }

    /// <summary>
    /// Assigns: each review goes on its reviewer's sheet, a row written once for all its entries; an assignment already
    /// on a sheet (a retried step) is not added again.
    /// </summary>
    public async Task AddAllAsync(IEnumerable<Review> reviews, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var sheets = reviews
            .GroupBy(r => (r.RoundId, r.ReviewerId, Sheet: SheetOf(r.ApplicationId)))
            .Select(g => new ReviewSheet(g.Key.RoundId, g.Key.ReviewerId, g.Key.Sheet, [.. g.Select(r => new SheetEntry(r.ApplicationId, r.Wave, r.AssignedAt))]))
            .ToList();
        await Parallel.ForEachAsync(sheets, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellation }, async (sheet, token) =>
        {
            var id = SheetRow(sheet.ReviewerId, sheet.Sheet);
            // Added without a read first: at the review stage's start no sheet exists yet (480 at the district's scale).
            // One there already (a retried step, a replacement) is read and added to.
            TableEntity? current = null;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (current is null)
                    {
                        if (await table.TryAddAuditedAsync(SheetAggregate, id, ToEntity(sheet, sheet.Entries.Count, []), token))
                        {
                            return;
                        }
                    }
                    else
                    {
                        var before = Documents.FromEntity<ReviewSheet>(current);
                        var added = sheet.Entries.Where(e => before.Entries.TrueForAll(b => b.ApplicationId != e.ApplicationId)).ToList();
                        if (added.Count > 0)
                        {
                            var open = (current.GetInt32(OpenColumn) ?? 0) + added.Count;
                            await table.UpdateAuditedAsync(SheetAggregate, id, ToEntity(before with { Entries = [.. before.Entries, .. added] }, open, Done(current)), current.ETag, token);
                        }

                        return;
                    }
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 10)
                {
                    // A review scored on the sheet meanwhile: read it again.
                }

                if (attempt == 10)
                {
                    throw new InvalidOperationException($"The sheet {id} of round {sheet.RoundId} could not be written.");
                }

                current = await table.FindAsync(sheet.RoundId, id, token);
            }
        });
    }

    /// <summary>
    /// Writes the review over the version read. A review only on its sheet gets its row, and the sheet's index columns
    /// move with it in the same transaction; a row created meanwhile (another submission) fails as a changed row does (412).
    /// </summary>
    public async Task UpdateAsync(Review review, ReviewVersion read, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(read);
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var row = Row(review.ApplicationId, review.ReviewerId);
        if (read.Sheet is null)
        {
            await table.UpdateAuditedAsync(Aggregate, row, ToEntity(review), read.ETag, cancellation);
            return;
        }

        var sheet = read.Sheet;
        for (var attempt = 1; ; attempt++)
        {
            var done = Done(sheet);
            if (done.Contains(review.ApplicationId))
            {
                throw Changed(); // its row was written meanwhile (a second submission)
            }

            // Only the index columns: the sheet's document, and so its audit chain, are left as they are.
            var index = new TableEntity(sheet.PartitionKey, sheet.RowKey)
            {
                [OpenColumn] = Math.Max(0, (sheet.GetInt32(OpenColumn) ?? 0) - 1),
                [DoneColumn] = string.Join(' ', done.Append(review.ApplicationId)),
            };
            bool added;
            try
            {
                added = await table.TryAddAuditedAsync(Aggregate, row, ToEntity(review),
                    [new TableTransactionAction(TableTransactionActionType.UpdateMerge, index, sheet.ETag)], cancellation);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
                // Another review of the sheet was written meanwhile: read the sheet again.
                sheet = await table.FindAsync(sheet.PartitionKey, sheet.RowKey, cancellation)
                    ?? throw new InvalidOperationException($"The sheet {sheet.RowKey} of round {sheet.PartitionKey} is gone.");
                continue;
            }

            if (!added)
            {
                throw Changed();
            }

            return;
        }
    }

    private static RequestFailedException Changed() => new(412, "The review changed since it was read.", "UpdateConditionNotSatisfied", null);

    /// <summary>The round's reviews counted by status: the rows' status column and the sheets' count of entries still open (no document read).</summary>
    public async Task<Dictionary<ReviewStatus, int>> CountAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        var counts = new Dictionary<ReviewStatus, int>();
        var filter = Documents.DocumentsOnly(TableClient.CreateQueryFilter($"PartitionKey eq {roundId}"));
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Status", OpenColumn], cancellationToken: cancellation))
        {
            if (row.GetInt32(OpenColumn) is { } open)
            {
                counts[ReviewStatus.Assigned] = counts.GetValueOrDefault(ReviewStatus.Assigned) + open;
            }
            else if (Enum.TryParse<ReviewStatus>(row.GetString("Status"), out var status))
            {
                counts[status] = counts.GetValueOrDefault(status) + 1;
            }
        }

        return counts;
    }

    /// <summary>
    /// Whether any review of the round is still to be scored: one filtered query for a sheet with an open entry, which
    /// stops at the first, its documents never read (asked by the check a submitted review queues, and when a wave closes).
    /// </summary>
    public async Task<bool> AnyAssignedAsync(string roundId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Reviews, cancellation);
        // The column's name is written into the filter as it is: CreateQueryFilter would quote it as a string value.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {roundId}") + $" and {OpenColumn} gt 0";
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

    private static Review Assigned(string roundId, string reviewerId, SheetEntry entry) =>
        new(roundId, entry.ApplicationId, reviewerId, ReviewStatus.Assigned, entry.AssignedAt, entry.Wave);

    private static HashSet<string> Done(TableEntity sheet) =>
        new((sheet.GetString(DoneColumn) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private static TableEntity ToEntity(ReviewSheet sheet, int open, IEnumerable<string> done) =>
        Documents.ToEntity(sheet.RoundId, SheetRow(sheet.ReviewerId, sheet.Sheet), sheet, new Dictionary<string, object?>
        {
            ["ReviewerId"] = sheet.ReviewerId,
            [OpenColumn] = open,
            [DoneColumn] = string.Join(' ', done),
        });

    private static TableEntity ToEntity(Review review) =>
        Documents.ToEntity(review.RoundId, Row(review.ApplicationId, review.ReviewerId), review, new Dictionary<string, object?>
        {
            ["ReviewerId"] = review.ReviewerId,
            ["ApplicationId"] = review.ApplicationId,
            ["Status"] = review.Status.ToString(),
        });
}

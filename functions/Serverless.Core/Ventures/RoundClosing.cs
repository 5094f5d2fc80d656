using System.Text.Json.Serialization;
using Azure;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

/// <summary>The outcome of a close; a string in JSON, also in the durable engine's own serializer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CloseResult>))]
public enum CloseResult
{
    Closed,
    NotYet,
    Cancelled,
    Missing,
}

public sealed record CloseRoundRequest(string RoundId, string By);

public sealed record CloseOutcome(CloseResult Result, DateTimeOffset? ClosesAt = null, int? ApplicationsReceived = null);

/// <summary>
/// Closing a round: the one I/O step the round's orchestration, the sweep and any retry all share. It is
/// idempotent (a closed round stays closed with its first count) and safe against concurrent writers
/// (the status change is conditional on the ETag it read). RoundClosed is written in the batch that closes the
/// round, so only the closer whose write wins announces it, once.
/// </summary>
public sealed class RoundClosing(RoundStore rounds, ApplicationStore applications, Outbox outbox, TimeProvider clock)
{
    public async Task<CloseOutcome> CloseAsync(CloseRoundRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 0; ; attempt++)
        {
            var found = await rounds.FindAsync(request.RoundId, cancellation);
            if (found is not { } current)
            {
                return new CloseOutcome(CloseResult.Missing);
            }

            var (round, etag) = current;
            var now = clock.GetUtcNow();
            switch (round.Status)
            {
                case >= RoundStatus.Closed and < RoundStatus.Cancelled:
                    return new CloseOutcome(CloseResult.Closed, round.ClosesAt, round.ApplicationsReceived);
                case RoundStatus.Cancelled:
                    return new CloseOutcome(CloseResult.Cancelled, round.ClosesAt);
                case RoundStatus.Draft:
                case RoundStatus.Open when now < round.ClosesAt:
                    return new CloseOutcome(CloseResult.NotYet, round.ClosesAt);
            }

            // Submissions are accepted only while the clock reads before ClosesAt and stamp that time, so
            // counting those stamped before the deadline is exact even if one lands a moment after this read.
            var counts = await applications.CountAsync(round.Id, round.ClosesAt, cancellation);
            var closed = round.Close(now, counts.Submitted, request.By).OrThrow();
            var announced = outbox.Event(RoundStages.EventSource + round.Id, "Serverless.Ventures.RoundClosed", "closed", round.Id,
                new { roundId = round.Id, closedAt = closed.ClosedAt, applications = closed.ApplicationsReceived });
            try
            {
                await rounds.UpdateAsync(closed, etag, [announced], cancellation);
                return new CloseOutcome(CloseResult.Closed, closed.ClosesAt, closed.ApplicationsReceived);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Someone changed the round (a cancel, another closer): read it again and decide afresh.
            }
        }
    }
}

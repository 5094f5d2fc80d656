using Microsoft.AspNetCore.Http;

namespace Serverless.Core.Common;

/// <summary>A queue of the route table as the bureau's operators see it: what waits, and what failed for good.</summary>
public sealed record QueueStatus(string Queue, string Handler, int Waiting, int Poisoned);

public sealed record ReplayResult(string Queue, int Replayed, int StillPoisoned);

/// <summary>
/// The poison queues made visible and replayable. A message lands in <c>{queue}-poison</c> after the configured
/// number of failed attempts (host.json's <c>maxDequeueCount</c>, the DevHost's the same); once the cause is
/// fixed (a topic back up, a bug deployed away) an operator replays it. Every handler is idempotent, so a
/// message replayed twice (a crash between sending it back and deleting it) does its work once.
/// </summary>
public static class QueueEndpoints
{
    public const string PoisonSuffix = "-poison";

    /// <summary>The most messages one replay moves; call again for more.</summary>
    public const int MaxReplay = 100;

    public static async Task<IResult> ListQueues(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var storage = ctx.Service<Storage>();
        var statuses = new List<QueueStatus>();
        foreach (var entry in RouteTable.Queues)
        {
            var waiting = await (await storage.QueueAsync(entry.Queue, ctx.Aborted)).GetPropertiesAsync(ctx.Aborted);
            var poisoned = await (await storage.QueueAsync(entry.Queue + PoisonSuffix, ctx.Aborted)).GetPropertiesAsync(ctx.Aborted);
            statuses.Add(new QueueStatus(entry.Queue, entry.Name, waiting.Value.ApproximateMessagesCount, poisoned.Value.ApproximateMessagesCount));
        }

        return Reply.Ok(statuses);
    }

    /// <summary>Moves up to <see cref="MaxReplay"/> messages from the queue's poison queue back onto it.</summary>
    public static async Task<IResult> ReplayPoison(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var name = ctx.Route("queue");
        var entry = RouteTable.Queues.FirstOrDefault(q => q.Queue == name) ?? throw Problem.NotFound($"A queue named '{name}'").ToException();
        var storage = ctx.Service<Storage>();
        var poison = await storage.QueueAsync(entry.Queue + PoisonSuffix, ctx.Aborted);
        var replayed = 0;
        while (replayed < MaxReplay)
        {
            var messages = (await poison.ReceiveMessagesAsync(Math.Min(32, MaxReplay - replayed), TimeSpan.FromMinutes(1), ctx.Aborted)).Value;
            if (messages.Length == 0)
            {
                break;
            }

            foreach (var message in messages)
            {
                // Back onto the queue first, then out of the poison queue: a crash between the two replays it twice.
                await storage.SendAsync(entry.Queue, message.MessageText, ctx.Aborted);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, ctx.Aborted);
                replayed++;
            }
        }

        var left = (await poison.GetPropertiesAsync(ctx.Aborted)).Value.ApproximateMessagesCount;
        return Reply.Ok(new ReplayResult(entry.Queue, replayed, left));
    }
}

using Azure.Storage.Queues.Models;
using Microsoft.DurableTask.Client;
using Serverless.Core.Common;

namespace Serverless.DevHost;

/// <summary>
/// Drains one queue of the route table with the same semantics as a Functions queue trigger: a message is
/// deleted after its handler succeeds, retried after a back-off when it fails, and moved to
/// <c>{queue}-poison</c> after <see cref="MaxDequeueCount"/> attempts.
/// </summary>
internal sealed partial class QueueListener(
    QueueEntry entry, Storage storage, IServiceProvider services, DurableTaskClient durable, IConfiguration configuration, ILogger<QueueListener> logger)
    : BackgroundService
{
    /// <summary>The first retry's delay, doubled on each further attempt (2, 4, 8, 16 s by default); tests shorten it.</summary>
    private readonly TimeSpan retryDelay = configuration.GetValue("DevHost:QueueRetryDelay", TimeSpan.FromSeconds(1));

    /// <summary>The same as host.json's queues.maxDequeueCount.</summary>
    public const int MaxDequeueCount = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await storage.QueueAsync(entry.Queue, stoppingToken);
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), stoppingToken)).Value;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Azure.RequestFailedException e)
            {
                ReceiveFailed(logger, e, entry.Queue);
                messages = [];
            }

            if (messages.Length == 0)
            {
                await Task.Delay(idle, stoppingToken);
                idle = TimeSpan.FromMilliseconds(Math.Min(idle.TotalMilliseconds * 2, 1000));
                continue;
            }

            idle = TimeSpan.FromMilliseconds(100);
            await Parallel.ForEachAsync(messages, stoppingToken, async (message, token) =>
            {
                try
                {
                    using var scope = services.CreateScope();
                    await Api.HandleQueueAsync(entry.Name, message.MessageText, durable, scope.ServiceProvider, token);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // Left in the queue: it becomes visible again and is handled after the restart.
                }
#pragma warning disable CA1031 // a failing message must not stop the listener
                catch (Exception e)
#pragma warning restore CA1031
                {
                    HandlerFailed(logger, e, entry.Queue, message.MessageId, message.DequeueCount);
                    if (message.DequeueCount >= MaxDequeueCount)
                    {
                        await storage.SendAsync(entry.Queue + QueueEndpoints.PoisonSuffix, message.MessageText, token);
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                    }
                    else
                    {
                        var backoff = retryDelay * Math.Pow(2, message.DequeueCount);
                        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backoff, cancellationToken: token);
                    }
                }
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read queue {Queue}.")]
    private static partial void ReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: message {MessageId} failed on attempt {Attempt}.")]
    private static partial void HandlerFailed(ILogger logger, Exception exception, string queue, string messageId, long attempt);
}

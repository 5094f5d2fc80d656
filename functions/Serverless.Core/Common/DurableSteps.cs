using Microsoft.DurableTask;

namespace Serverless.Core.Common;

/// <summary>What every orchestration of the product does the same way: retry its steps, and wait.</summary>
public static class DurableSteps
{
    /// <summary>Steps are idempotent, so a transient failure (storage busy, a restart) is simply tried again.</summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    /// <summary>
    /// Waits until a time, a signal, or <paramref name="stop"/> (a task that ends the wait, such as a
    /// cancellation event), whichever comes first. The timer and the signal wait are cancelled after.
    /// </summary>
    public static async Task<(bool Signalled, T? Value, bool Stopped)> WaitAsync<T>(
        TaskOrchestrationContext context, DateTimeOffset until, string signal, Task? stop = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var cancel = new CancellationTokenSource();
        var timer = context.CreateTimer(until.UtcDateTime, cancel.Token);
        var signalled = context.WaitForExternalEvent<T>(signal, cancel.Token);
        var first = stop is null ? await Task.WhenAny(timer, signalled) : await Task.WhenAny(timer, signalled, stop);
        // Cancel synchronously: CancelAsync runs the callbacks on the thread pool, outside the orchestrator.
        cancel.Cancel();
        if (first == stop)
        {
            return (false, default, true);
        }

        return first == signalled ? (true, await signalled, false) : (false, default, false);
    }
}

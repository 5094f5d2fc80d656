using Microsoft.DurableTask.Client;
using NCrontab;
using Serverless.Core.Common;

namespace Serverless.DevHost;

/// <summary>Runs one schedule of the route table on its six-field CRON, in UTC as Functions timers do.</summary>
internal sealed partial class ScheduleRunner(
    ScheduleEntry entry, string cron, IServiceProvider services, DurableTaskClient durable, TimeProvider clock, ILogger<ScheduleRunner> logger)
    : BackgroundService
{
    private readonly CrontabSchedule schedule = CrontabSchedule.Parse(cron, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            await Task.Delay(next - now, clock, stoppingToken);
            try
            {
                using var scope = services.CreateScope();
                await Api.RunScheduleAsync(entry.Name, durable, scope.ServiceProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed run is logged and the next occurrence runs, as on Functions
            catch (Exception e)
#pragma warning restore CA1031
            {
                Failed(logger, e, entry.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule {Schedule} failed; it runs again at its next occurrence.")]
    private static partial void Failed(ILogger logger, Exception exception, string schedule);
}

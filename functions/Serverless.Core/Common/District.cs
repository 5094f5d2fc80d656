namespace Serverless.Core.Common;

/// <summary>
/// The district's calendar. Deadlines are instants (stored in UTC); a date a person writes ("due 30 June")
/// is a day in China Standard Time, which has no daylight saving, so a fixed offset is exact.
/// </summary>
public static class District
{
    public static readonly TimeSpan UtcOffset = TimeSpan.FromHours(8);

    /// <summary>The district's calendar day at <paramref name="instant"/>.</summary>
    public static DateOnly Today(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(UtcOffset).DateTime);

    /// <summary>The Monday that starts the district week of <paramref name="day"/>.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>The district's wall-clock time at <paramref name="instant"/>.</summary>
    public static DateTime LocalTime(DateTimeOffset instant) => instant.ToOffset(UtcOffset).DateTime;
}

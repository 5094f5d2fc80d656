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
}

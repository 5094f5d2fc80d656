using System.Collections.Concurrent;

namespace Serverless.Core.Common;

/// <summary>
/// What this process did or read lately, per key, and when: the hot paths use it to skip repeating within a window
/// what still holds (a pending mark just written, a relay just asked for, a round read a moment ago). Bounded: past
/// <see cref="Capacity"/> keys it forgets everything, which only costs the next call its work.
/// </summary>
public sealed class Recent<T>
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset At)> entries = new(StringComparer.Ordinal);

    /// <summary>The value kept for <paramref name="key"/> if it was kept less than <paramref name="window"/> before <paramref name="now"/>.</summary>
    public bool TryGet(string key, TimeSpan window, DateTimeOffset now, out T value)
    {
        if (entries.TryGetValue(key, out var entry) && now - entry.At < window)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Keep(string key, T value, DateTimeOffset at)
    {
        if (entries.Count > Capacity)
        {
            entries.Clear();
        }

        entries[key] = (value, at);
    }

    public void Forget(string key) => entries.TryRemove(key, out _);
}

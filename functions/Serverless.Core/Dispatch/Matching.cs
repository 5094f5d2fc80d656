using System.Globalization;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>
/// What matching needs of a volunteer, kept in the matching index (one row per grid and skill): no name, no
/// phone. Refreshed whenever the volunteer or their record changes.
/// </summary>
public sealed record MatchProfile(
    string VolunteerId,
    string GridId,
    List<Skill> Skills,
    List<AvailabilitySlot> Availability,
    int WeeklyCap,
    List<Certification> Certifications,
    VolunteerStatus Status,
    VolunteerRecord Record)
{
    public static MatchProfile Of(Volunteer v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.Id, v.GridId, v.Skills, v.Availability, v.WeeklyCap, v.Certifications, v.Status, v.Record);
    }

    /// <summary>True when one of the weekly windows overlaps [from, until) in district time.</summary>
    public bool AvailableBetween(DateTimeOffset from, DateTimeOffset until)
    {
        var start = District.LocalTime(from);
        var end = District.LocalTime(until);
        for (var day = start.Date; day <= end.Date; day = day.AddDays(1))
        {
            foreach (var slot in Availability.Where(a => a.Day == day.DayOfWeek))
            {
                var slotStart = day + slot.From.ToTimeSpan();
                var slotEnd = day + slot.To.ToTimeSpan();
                if (slotStart < end && start < slotEnd)
                {
                    return true;
                }
            }

            if ((day - start.Date).TotalDays > 7)
            {
                break;
            }
        }

        return false;
    }
}

/// <summary>A candidate found in one of the search rings, with how far their grid is from the request's.</summary>
public sealed record Candidate(MatchProfile Profile, int Ring, double DistanceMetres);

/// <summary>A ranked candidate and the reasons for the place.</summary>
public sealed record RankedCandidate(string VolunteerId, int Rank, int Ring, double Score, List<string> Steps);

/// <summary>Why a candidate was left out.</summary>
public sealed record Exclusion(string VolunteerId, string Reason);

/// <summary>What a request asks of its candidates.</summary>
public sealed record MatchNeed(List<Skill> Skills, DateTimeOffset From, DateTimeOffset Until, IReadOnlySet<string> Excluded, IReadOnlySet<string> ServedBefore);

/// <summary>
/// Matching (pure): filters the candidates of a ring (the first requested skill, availability in the service
/// window, the weekly cap, a valid certification for every certified skill asked, active status, not already
/// offered) and ranks the rest by a weighted score, each part written out: nearness 0.35, skill fit 0.15,
/// fairness 0.2, reliability 0.2, continuity 0.1.
/// </summary>
public static class Matching
{
    public const double NearnessWeight = 0.35;
    public const double FitWeight = 0.15;
    public const double FairnessWeight = 0.2;
    public const double ReliabilityWeight = 0.2;
    public const double ContinuityWeight = 0.1;

    /// <summary>Distances beyond this count as no nearness at all (a street is a few kilometres across).</summary>
    public const double FarMetres = 5_000;

    public static (List<RankedCandidate> Ranked, List<Exclusion> Excluded) Rank(IReadOnlyList<Candidate> candidates, MatchNeed need)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(need);
        var today = District.Today(need.From);
        var serviceDay = District.Today(need.Until);
        var excluded = new List<Exclusion>();
        var scored = new List<(Candidate C, double Score, List<string> Steps)>();
        foreach (var c in candidates)
        {
            var p = c.Profile;
            var reason = p.Status != VolunteerStatus.Active ? $"status {p.Status.ToString().ToLowerInvariant()}"
                : need.Excluded.Contains(p.VolunteerId) ? "already offered this request"
                : !p.Skills.Contains(need.Skills[0]) ? $"lacks {Name(need.Skills[0])}"
                : Uncertified(p, need, serviceDay) is { } uncertified ? $"no valid certification for {Name(uncertified)} on {serviceDay:yyyy-MM-dd}"
                : p.Record.TasksInWeekOf(today) >= p.WeeklyCap ? $"weekly cap of {p.WeeklyCap} reached"
                : !p.AvailableBetween(need.From, need.Until) ? "not available before the deadline"
                : null;
            if (reason is not null)
            {
                excluded.Add(new Exclusion(p.VolunteerId, reason));
                continue;
            }

            var nearness = Math.Max(0, 1 - (c.DistanceMetres / FarMetres));
            var fit = need.Skills.Count(s => p.Skills.Contains(s)) / (double)need.Skills.Count;
            var recent = p.Record.RecentCount(today);
            var fairness = 1.0 / (1 + recent);
            var reliability = p.Record.Reliability;
            var continuity = need.ServedBefore.Contains(p.VolunteerId) ? 1.0 : 0.0;
            var score = (NearnessWeight * nearness) + (FitWeight * fit) + (FairnessWeight * fairness) + (ReliabilityWeight * reliability) + (ContinuityWeight * continuity);
            scored.Add((c, score, [
                Invariant($"ring {c.Ring} ({RingName(c.Ring)}), {c.DistanceMetres:0} m: nearness {nearness:0.00} × {NearnessWeight}"),
                Invariant($"skills {need.Skills.Count(s => p.Skills.Contains(s))} of {need.Skills.Count}: fit {fit:0.00} × {FitWeight}"),
                Invariant($"{recent} tasks in 28 days: fairness {fairness:0.00} × {FairnessWeight}"),
                Invariant($"accepted {p.Record.Accepted} of {p.Record.Offered} offers, completed {p.Record.Completed}: reliability {reliability:0.00} × {ReliabilityWeight}"),
                continuity > 0 ? Invariant($"served this beneficiary before: continuity 1 × {ContinuityWeight}") : Invariant($"new to this beneficiary: continuity 0 × {ContinuityWeight}"),
                Invariant($"score {score:0.000}"),
            ]));
        }

        var ranked = scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.C.DistanceMetres)
            .ThenBy(s => s.C.Profile.VolunteerId, StringComparer.Ordinal)
            .Select((s, i) => new RankedCandidate(s.C.Profile.VolunteerId, i + 1, s.C.Ring, Math.Round(s.Score, 4), s.Steps))
            .ToList();
        return (ranked, excluded);
    }

    /// <summary>A certified skill asked for and held, without a certification valid on the day of service.</summary>
    private static Skill? Uncertified(MatchProfile p, MatchNeed need, DateOnly day) =>
        need.Skills.Where(s => Volunteer.CertifiedSkills.Contains(s) && p.Skills.Contains(s))
            .Select(s => (Skill?)s)
            .FirstOrDefault(s => !p.Certifications.Exists(x => x.Skill == s && x.ExpiresOn >= day));

    public static string RingName(int ring) => ring switch
    {
        0 => "same grid",
        1 => "neighbouring grids",
        2 => "same community",
        _ => "same street",
    };

    private static string Name(Skill skill) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(skill.ToString());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

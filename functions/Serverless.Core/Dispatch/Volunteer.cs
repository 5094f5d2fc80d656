using System.Globalization;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>What a volunteer can do (DOMAIN.md's list).</summary>
public enum Skill
{
    /// <summary>陪伴</summary>
    Companionship,

    /// <summary>护理: needs a valid certification.</summary>
    Nursing,

    /// <summary>维修</summary>
    HomeRepair,

    /// <summary>法律援助: needs a valid certification.</summary>
    LegalAid,

    /// <summary>心理疏导: needs a valid certification.</summary>
    Counselling,

    /// <summary>辅导</summary>
    Tutoring,

    /// <summary>代购</summary>
    Errands,

    /// <summary>保洁</summary>
    Cleaning,
}

public enum VolunteerStatus
{
    Active,

    /// <summary>Not taking tasks for now (travel, illness); kept on the register.</summary>
    Paused,

    /// <summary>Stopped by the bureau (complaints, repeated no-shows).</summary>
    Suspended,
}

/// <summary>A weekly window in district time (UTC+8) when the volunteer can serve.</summary>
public sealed record AvailabilitySlot(DayOfWeek Day, TimeOnly From, TimeOnly To);

/// <summary>A certification for a skill that needs one, valid through its expiry day (district time).</summary>
public sealed record Certification(Skill Skill, string Name, DateOnly ExpiresOn);

/// <summary>
/// A volunteer's service record, kept with them so matching can rank by fairness and reliability without
/// reading anything else: offers answered, tasks done, no-shows, and the tasks of the current week.
/// </summary>
public sealed record VolunteerRecord(
    int Offered = 0,
    int Accepted = 0,
    int Completed = 0,
    int NoShows = 0,
    DateOnly? WeekOf = null,
    int TasksThisWeek = 0,
    List<DateOnly>? RecentTasks = null)
{
    /// <summary>
    /// Acceptance rate times completion rate, each smoothed (+1 / +2) so that a newcomer starts at a fair
    /// 0.25 rather than 0 or 1. A no-show is an accepted task not completed, so it lowers the second factor.
    /// </summary>
    public double Reliability => ((Accepted + 1.0) / (Offered + 2.0)) * ((Completed + 1.0) / (Accepted + 2.0));

    /// <summary>Tasks in the 28 days up to <paramref name="today"/>: the fairness count.</summary>
    public int RecentCount(DateOnly today) => (RecentTasks ?? []).Count(d => d > today.AddDays(-28));

    /// <summary>The tasks counted against the weekly cap in the district week of <paramref name="today"/>.</summary>
    public int TasksInWeekOf(DateOnly today) => WeekOf == District.WeekOf(today) ? TasksThisWeek : 0;
}

/// <summary>A registered volunteer (志愿者).</summary>
public sealed record Volunteer(
    string Id,
    string Name,
    string Phone,
    string GridId,
    string CommunityId,
    string Street,
    List<Skill> Skills,
    List<AvailabilitySlot> Availability,
    int WeeklyCap,
    List<Certification> Certifications,
    VolunteerStatus Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt,
    VolunteerRecord Record)
{
    public static string Location(string id) => $"/api/volunteers/{id}";

    /// <summary>Skills that may only be offered with a certification valid on the day of service.</summary>
    public static readonly IReadOnlySet<Skill> CertifiedSkills = new HashSet<Skill> { Skill.Nursing, Skill.LegalAid, Skill.Counselling };

    public bool IsCertifiedFor(Skill skill, DateOnly on) =>
        !CertifiedSkills.Contains(skill) || Certifications.Exists(c => c.Skill == skill && c.ExpiresOn >= on);
}

/// <summary>A volunteer as a reply shows them: the phone masked unless the caller is the bureau or the volunteer.</summary>
public sealed record VolunteerView(
    string Id,
    string Name,
    string Phone,
    string GridId,
    string CommunityId,
    string Street,
    List<Skill> Skills,
    List<AvailabilitySlot> Availability,
    int WeeklyCap,
    List<Certification> Certifications,
    VolunteerStatus Status,
    DateTimeOffset RegisteredAt,
    VolunteerRecord Record)
{
    public static VolunteerView Of(Volunteer v, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(caller);
        var full = caller.IsIn(Role.Admin) || caller.IsVolunteer(v.Id);
        return new VolunteerView(v.Id, v.Name, full ? v.Phone : Masking.Phone(v.Phone), v.GridId, v.CommunityId, v.Street, v.Skills,
            v.Availability, v.WeeklyCap, v.Certifications, v.Status, v.RegisteredAt, v.Record);
    }
}

public sealed record AvailabilityForm(DayOfWeek? Day, string? From, string? To);

/// <summary>A registration or an update, as posted.</summary>
public sealed record VolunteerForm(
    string? Name,
    string? Phone,
    [property: IdValue] string? GridId,
    List<Skill>? Skills,
    List<AvailabilityForm>? Availability,
    int? WeeklyCap,
    List<Certification>? Certifications,
    VolunteerStatus? Status)
{
    private static readonly string[] TimeFormats = ["HH:mm", "HH:mm:ss"];

    public Volunteer Validate(string id, DateTimeOffset now, DistrictMap map, Volunteer? existing = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        var v = new Validation();
        var name = v.Text("name", Name, 50);
        var phone = v.Phone("phone", Phone);
        var grid = GridId is null ? null : map.FindGrid(GridId);
        if (grid is null)
        {
            v.Add("gridId", "One of the district's grids (网格), such as g0001.");
        }

        var skills = (Skills ?? []).Distinct().ToList();
        v.Count("skills", skills, 1, 8);
        var slots = new List<AvailabilitySlot>();
        v.Count("availability", Availability, 1, 21);
        for (var i = 0; i < (Availability?.Count ?? 0); i++)
        {
            var a = Availability![i];
            // "HH:mm" as people write it, or "HH:mm:ss" as replies show it (a read-modify-write round-trips).
            if (a.Day is null || !TimeOnly.TryParseExact(a.From, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !TimeOnly.TryParseExact(a.To, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) || to <= from)
            {
                v.Add($"availability[{i}]", "A day and a window \"HH:mm\" to a later \"HH:mm\", in district time.");
                continue;
            }

            slots.Add(new AvailabilitySlot(a.Day.Value, from, to));
        }

        var cap = WeeklyCap ?? 3;
        v.Range("weeklyCap", cap, 1, 21);
        var certifications = Certifications ?? [];
        v.Count("certifications", certifications, 0, 20);
        for (var i = 0; i < certifications.Count; i++)
        {
            v.Text($"certifications[{i}].name", certifications[i].Name, 100, 2);
        }

        v.ThrowIfAny();
        var community = map.CommunityOf(grid!.Id);
        return new Volunteer(id, name, phone, grid.Id, community.Id, community.Street, skills, slots, cap, certifications,
            Status ?? existing?.Status ?? VolunteerStatus.Active, existing?.RegisteredAt ?? now, now, existing?.Record ?? new VolunteerRecord());
    }
}

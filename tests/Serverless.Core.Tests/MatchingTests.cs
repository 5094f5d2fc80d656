using CsCheck;
using Serverless.Core.Dispatch;

namespace Serverless.Core.Tests;

public sealed class MatchingTests
{
    // Wednesday 2027-03-03 10:00 in the district (02:00 UTC).
    private static readonly DateTimeOffset Now = new(2027, 3, 3, 2, 0, 0, TimeSpan.Zero);

    private static readonly List<AvailabilitySlot> Weekdays =
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }.Select(d => new AvailabilitySlot(d, new TimeOnly(8, 0), new TimeOnly(18, 0)))];

    private static MatchProfile Profile(string id, Skill[]? skills = null, List<AvailabilitySlot>? availability = null, int cap = 3,
        VolunteerRecord? record = null, List<Certification>? certifications = null, VolunteerStatus status = VolunteerStatus.Active) =>
        new(id, "g0001", [.. skills ?? [Skill.Companionship]], availability ?? Weekdays, cap, certifications ?? [], status, record ?? new VolunteerRecord());

    private static MatchNeed Need(Skill[]? skills = null, double hours = 2, IReadOnlySet<string>? excluded = null, IReadOnlySet<string>? served = null) =>
        new([.. skills ?? [Skill.Companionship]], Now, Now.AddHours(hours), excluded ?? new HashSet<string>(), served ?? new HashSet<string>());

    [Fact]
    public void Candidates_without_the_skill_availability_capacity_certification_or_active_status_are_left_out_with_the_reason()
    {
        var week = Serverless.Core.Common.District.WeekOf(Serverless.Core.Common.District.Today(Now));
        var candidates = new[]
        {
            Profile("ok"),
            Profile("no-skill", skills: [Skill.Cleaning]),
            Profile("weekends", availability: [new AvailabilitySlot(DayOfWeek.Saturday, new TimeOnly(8, 0), new TimeOnly(18, 0))]),
            Profile("full", record: new VolunteerRecord(WeekOf: week, TasksThisWeek: 3)),
            Profile("last-week-full", record: new VolunteerRecord(WeekOf: week.AddDays(-7), TasksThisWeek: 3)),
            Profile("paused", status: VolunteerStatus.Paused),
            Profile("offered"),
        }.Select(p => new Candidate(p, 0, 100)).ToList();

        var (ranked, excluded) = Matching.Rank(candidates, Need(excluded: new HashSet<string> { "offered" }));

        Assert.Equal(["last-week-full", "ok"], ranked.Select(r => r.VolunteerId).Order(StringComparer.Ordinal).ToArray());
        var reasons = excluded.ToDictionary(e => e.VolunteerId, e => e.Reason);
        Assert.Equal("lacks companionship", reasons["no-skill"]);
        Assert.Equal("not available before the deadline", reasons["weekends"]);
        Assert.Equal("weekly cap of 3 reached", reasons["full"]);
        Assert.Equal("status paused", reasons["paused"]);
        Assert.Equal("already offered this request", reasons["offered"]);
    }

    [Fact]
    public void A_certified_skill_needs_a_certification_valid_on_the_day_of_service()
    {
        var expired = Profile("expired", skills: [Skill.Nursing], certifications: [new Certification(Skill.Nursing, "护理员证", new DateOnly(2027, 3, 2))]);
        var valid = Profile("valid", skills: [Skill.Nursing], certifications: [new Certification(Skill.Nursing, "护理员证", new DateOnly(2027, 3, 3))]);
        var none = Profile("none", skills: [Skill.Nursing]);

        var (ranked, excluded) = Matching.Rank([new(expired, 0, 0), new(valid, 0, 0), new(none, 0, 0)], Need([Skill.Nursing]));

        Assert.Equal("valid", Assert.Single(ranked).VolunteerId);
        Assert.All(excluded, e => Assert.StartsWith("no valid certification for nursing", e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Nearness_fairness_reliability_and_continuity_each_move_a_candidate_up_and_the_steps_say_so()
    {
        var near = new Candidate(Profile("near"), 0, 50);
        var far = new Candidate(Profile("far"), 1, 900);
        Assert.Equal("near", Matching.Rank([far, near], Need()).Ranked[0].VolunteerId);

        var busy = new Candidate(Profile("busy", record: new VolunteerRecord(RecentTasks: [new DateOnly(2027, 3, 1), new DateOnly(2027, 2, 20)])), 0, 100);
        var rested = new Candidate(Profile("rested"), 0, 100);
        Assert.Equal("rested", Matching.Rank([busy, rested], Need()).Ranked[0].VolunteerId);

        var flaky = new Candidate(Profile("flaky", record: new VolunteerRecord(Offered: 10, Accepted: 2, Completed: 1)), 0, 100);
        var steady = new Candidate(Profile("steady", record: new VolunteerRecord(Offered: 10, Accepted: 9, Completed: 9)), 0, 100);
        Assert.Equal("steady", Matching.Rank([flaky, steady], Need()).Ranked[0].VolunteerId);

        var stranger = new Candidate(Profile("stranger"), 0, 100);
        var familiar = new Candidate(Profile("familiar"), 0, 100);
        var ranked = Matching.Rank([stranger, familiar], Need(served: new HashSet<string> { "familiar" })).Ranked;
        Assert.Equal("familiar", ranked[0].VolunteerId);
        Assert.Contains(ranked[0].Steps, s => s.StartsWith("served this beneficiary before", StringComparison.Ordinal));
    }

    [Fact]
    public void The_ranking_is_a_permutation_of_the_eligible_ordered_by_score_and_never_offers_an_excluded_volunteer()
    {
        Gen.Select(Gen.Int[0, 20], Gen.Int[0, 3], Gen.Double[0, 5_000]).Array[1, 40].Sample(rows =>
        {
            var candidates = rows.Select((r, i) => new Candidate(Profile($"v{i}", record: new VolunteerRecord(Offered: r.Item1, Accepted: Math.Min(r.Item1, r.Item2 * 3))), r.Item2, r.Item3)).ToList();
            var excluded = candidates.Where((_, i) => i % 5 == 0).Select(c => c.Profile.VolunteerId).ToHashSet();
            var (ranked, left) = Matching.Rank(candidates, Need(excluded: excluded));
            Assert.Equal(candidates.Count, ranked.Count + left.Count);
            Assert.DoesNotContain(ranked, r => excluded.Contains(r.VolunteerId));
            Assert.Equal(Enumerable.Range(1, ranked.Count), ranked.Select(r => r.Rank));
            Assert.True(ranked.Zip(ranked.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        });
    }
}

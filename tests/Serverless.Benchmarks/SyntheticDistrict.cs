using System.Globalization;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;

namespace Serverless.Benchmarks;

/// <summary>
/// A district at the real scale (shared DOMAIN.md: 130,000 volunteers over 1,500 grids in 127 communities), made
/// from a seed so every run sees the same one. Volunteers live where people live: more in some grids than others
/// (a log-normal weight per grid), nearly all keep company, fewer repair or nurse, and a certified skill comes with
/// its certificate most of the time.
/// </summary>
public sealed class SyntheticDistrict(int seed, double scale)
{
    public const int DistrictVolunteers = 130_000;
    public const int DistrictOrganizations = 400;
    public const int DistrictApplications = 10_000;
    public const int DistrictReviewers = 30;
    public const int DistrictBids = 200;
    public const int DistrictOpenRequests = 2_000;

    private static readonly (Skill Skill, double Share)[] SkillShares =
    [
        (Skill.Companionship, 0.85), (Skill.Errands, 0.35), (Skill.Cleaning, 0.25), (Skill.Tutoring, 0.2),
        (Skill.HomeRepair, 0.15), (Skill.Nursing, 0.08), (Skill.Counselling, 0.05), (Skill.LegalAid, 0.03),
    ];

    public DistrictMap Map { get; } = DistrictMap.Shipped;

    public int Scaled(int districtCount) => Math.Max(1, (int)Math.Round(districtCount * scale));

    /// <summary>The district's volunteers, registered over the past five years.</summary>
    public List<Volunteer> Volunteers(DateTimeOffset now)
    {
        var random = new Random(seed);
        var grids = Map.Grids.Keys.Order(StringComparer.Ordinal).ToList();
        // Population weight per grid: log-normal (σ 0.5), so the densest grids hold four to five times the mean
        // (a grid is a few hundred households; 130,000 volunteers over 1,500 grids is 87 a grid on average).
        var weights = grids.Select(_ => Math.Exp(0.5 * Normal(random))).ToArray();
        var cumulative = new double[weights.Length];
        var total = 0d;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            cumulative[i] = total;
        }

        var count = Scaled(DistrictVolunteers);
        var volunteers = new List<Volunteer>(count);
        for (var i = 0; i < count; i++)
        {
            var at = Array.BinarySearch(cumulative, random.NextDouble() * total);
            var grid = Map.Grids[grids[at < 0 ? ~at : at]];
            var community = Map.Communities[grid.CommunityId];
            var skills = SkillShares.Where(s => random.NextDouble() < s.Share).Select(s => s.Skill).ToList();
            if (skills.Count == 0)
            {
                skills.Add(Skill.Companionship);
            }

            var certifications = skills.Where(s => Volunteer.CertifiedSkills.Contains(s) && random.NextDouble() < 0.8)
                .Select(s => new Certification(s, "资格证书", DateOnly.FromDateTime(now.UtcDateTime).AddDays(random.Next(30, 1500))))
                .ToList();
            var registered = now.AddDays(-random.Next(1, 5 * 365));
            var id = Ids.Derive("vol", "synthetic", seed.ToString(CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture));
            volunteers.Add(new Volunteer(id, $"志愿者{i:D6}", "13" + random.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture),
                grid.Id, community.Id, community.Street, skills, Availability(random), random.Next(2, 8), certifications,
                random.NextDouble() < 0.93 ? VolunteerStatus.Active : VolunteerStatus.Paused, registered, registered,
                new VolunteerRecord(Offered: random.Next(0, 40), Accepted: random.Next(0, 25), Completed: random.Next(0, 20))));
        }

        return volunteers;
    }

    /// <summary>Social organizations' registration forms, with valid and distinct unified social credit codes.</summary>
    public List<object> Organizations()
    {
        var random = new Random(seed + 1);
        var communities = Map.Communities.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        return Enumerable.Range(0, Scaled(DistrictOrganizations)).Select(i =>
        {
            var orgCode = "B" + (seed % 100).ToString("D2", CultureInfo.InvariantCulture) + i.ToString("D5", CultureInfo.InvariantCulture);
            var first17 = "51230102" + orgCode + CreditCode.OrganizationCodeCheck(orgCode);
            var community = communities[random.Next(communities.Count)];
            return (object)new
            {
                name = $"道里区社会组织{i + 1:D3}号",
                creditCode = first17 + CreditCode.CheckCharacter(first17),
                foundedOn = new DateOnly(2010 + random.Next(0, 14), 1 + random.Next(0, 12), 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                address = new { street = community.Street, community = community.Name },
                contact = new { name = "联系人", phone = "139" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture) },
                serviceAreas = new[] { "elderly-care", "disability" },
            };
        }).ToList();
    }

    /// <summary>The application of organization <paramref name="organization"/>'s <paramref name="n"/>th project.</summary>
    public static object Application(int organization, int n)
    {
        var requested = 20_000m + (((organization * 37) + (n * 11)) % 80) * 1_000m;
        return new
        {
            projectTitle = $"社区服务项目 {organization:D3}-{n:D2}",
            summary = "为辖区独居老人和残疾人提供上门探访、助餐与康复陪护服务，建立服务档案并定期回访。",
            programmeArea = n % 2 == 0 ? "elderly-care" : "disability",
            beneficiaryGroup = "独居老人",
            beneficiaryCount = 50 + (n * 7 % 200),
            communitiesServed = new[] { "共乐社区", "安静社区" },
            budgetLines = new object[] { new { item = "服务人员补贴", amount = requested - 5_000m + 10_000m }, new { item = "物资", amount = 5_000m } },
            amountRequested = requested,
            matchingFunds = 10_000m,
            milestones = new object[] { new { title = "中期评估", due = "2027-09-30" }, new { title = "结项评估", due = "2027-12-31" } },
        };
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static List<AvailabilitySlot> Availability(Random random)
    {
        // One in ten is on call at any hour (the emergency roster); the others give evenings on some weekdays and
        // most weekends.
        if (random.NextDouble() < 0.1)
        {
            return Enum.GetValues<DayOfWeek>().Select(d => new AvailabilitySlot(d, new TimeOnly(0, 0), new TimeOnly(23, 59))).ToList();
        }

        var slots = new List<AvailabilitySlot>();
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var weekend = day is DayOfWeek.Saturday or DayOfWeek.Sunday;
            if (random.NextDouble() < (weekend ? 0.7 : 0.35))
            {
                slots.Add(weekend
                    ? new AvailabilitySlot(day, new TimeOnly(8, 0), new TimeOnly(18, 0))
                    : new AvailabilitySlot(day, new TimeOnly(17, 30), new TimeOnly(21, 0)));
            }
        }

        return slots;
    }
}

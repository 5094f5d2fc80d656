using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Serverless.Core.Dispatch;
using Serverless.Core.Ventures;

namespace Serverless.Benchmarks;

/// <summary>
/// The in-process pieces of the round's close and of dispatch, at the district's scale, with BenchmarkDotNet: each
/// against the plainest computation over the same data in the same run (a sort, a grouped mean, a round robin), so
/// the ratio says what the rules themselves cost on top of touching every item once.
/// </summary>
public static class Pieces
{
    /// <summary>Runs every piece in this process (no child builds), and adds each as a figure of the run.</summary>
    public static void Run(Report report, DirectoryInfo output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(output.FullName, "pieces"))
            .WithOption(ConfigOptions.DisableLogFile, true);
        foreach (var summary in BenchmarkRunner.Run([typeof(RoundPieces), typeof(AllocationPieces), typeof(DispatchPieces)], config))
        {
            Add(report, summary);
        }
    }

    private static string Name(BenchmarkReport piece) => piece.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');

    private static void Add(Report report, Summary summary)
    {
        var baseline = summary.Reports.Single(r => r.BenchmarkCase.Descriptor.Baseline);
        var baselineMs = baseline.ResultStatistics!.Mean / 1e6;
        foreach (var piece in summary.Reports.Where(r => !r.BenchmarkCase.Descriptor.Baseline && r.ResultStatistics is not null))
        {
            var ms = piece.ResultStatistics!.Mean / 1e6;
            var allocated = piece.GcStats.GetBytesAllocatedPerOperation(piece.BenchmarkCase) ?? 0;
            report.Add(new Figure(Name(piece) + " (in process)", ms, "ms", Name(baseline), baselineMs, ms / baselineMs, "×", "–", null,
                string.Create(CultureInfo.InvariantCulture, $"BenchmarkDotNet {summary.HostEnvironmentInfo.BenchmarkDotNetVersion}, short run in process: mean of {piece.ResultStatistics.N} iterations (± {piece.ResultStatistics.StandardDeviation / 1e6:0.###} ms), {allocated / 1024d / 1024:0.0} MB allocated each; {piece.BenchmarkCase.Descriptor.WorkloadMethod.DeclaringType!.Name}")));
        }
    }
}

/// <summary>
/// A round of 10,000 eligible applications, 3 reviews each from a panel of 30, scored on two criteria: the reviews'
/// aggregation into final scores, as the round's close runs it (its data also serves <see cref="AllocationPieces"/>).
/// </summary>
[MemoryDiagnoser]
public class RoundPieces
{
    private const int Applications = SyntheticDistrict.DistrictApplications;
    private static readonly List<Criterion> Rubric = [new("need", "需求分析", 40, 10), new("design", "项目设计", 60, 10)];
    private List<ReviewScores> reviews = [];
    public List<AllocationCandidate> Candidates { get; private set; } = [];

    public List<ToAssign> ToAssign { get; private set; } = [];

    public List<PanelMember> Panel { get; private set; } = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20271127);
        var start = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var ids = Enumerable.Range(0, Applications).Select(i => $"app-{i:D6}").ToList();
        Panel = [.. Enumerable.Range(1, SyntheticDistrict.DistrictReviewers).Select(i => new PanelMember($"expert-{i:D2}", $"专家{i:D2}", [], i % 7 == 0 ? [$"org-{i:D3}"] : []))];
        ToAssign = [.. ids.Select((id, i) => new ToAssign(id, $"org-{i % SyntheticDistrict.DistrictOrganizations:D3}"))];
        reviews = [.. ids.SelectMany((id, i) => Enumerable.Range(0, 3).Select(r => new ReviewScores(id, Panel[((i * 3) + r) % Panel.Count].ReviewerId,
            new Dictionary<string, int> { ["need"] = random.Next(3, 11), ["design"] = random.Next(2, 11) })))];
        Candidates = [.. ids.Select(id => new AllocationCandidate(id, Math.Round((decimal)(random.NextDouble() * 100), 2), random.Next(0, 11),
            start.AddSeconds(random.Next(0, 14 * 86_400)), random.Next(20, 101) * 1_000m, random.Next(0, 4) * 10_000m))];
    }

    /// <summary>The baseline: the plainest mean of each application's reviews (every review touched once, grouped).</summary>
    [Benchmark(Baseline = true, Description = "10,000 applications: the plain mean of each one's reviews, grouped")]
    public int GroupedMean() => reviews.GroupBy(r => r.ApplicationId, StringComparer.Ordinal)
        .Select(g => g.Average(r => (r.Points["need"] * 4) + (r.Points["design"] * 6))).Count();

    [Benchmark(Description = "10,000 applications: aggregation of 30,000 reviews, trimmed mean with every step written out")]
    public int Aggregate() => Aggregation.Aggregate(Rubric, AggregationMethod.TrimmedMean, reviews).Count;

    [Benchmark(Description = "10,000 applications: aggregation of 30,000 reviews, z-scores per reviewer")]
    public int AggregateZScores() => Aggregation.Aggregate(Rubric, AggregationMethod.ZScore, reviews).Count;

}

/// <summary>The same round's ranking and allocation, and its reviewers' assignment, against sorting its 10,000 scores.</summary>
[MemoryDiagnoser]
public class AllocationPieces
{
    private readonly RoundPieces round = new();

    [GlobalSetup]
    public void Setup() => round.Setup();

    /// <summary>The baseline: the 10,000 scores sorted, nothing else.</summary>
    [Benchmark(Baseline = true, Description = "10,000 applications: their scores sorted")]
    public int SortScores()
    {
        var scores = round.Candidates.Select(c => c.Score).ToArray();
        Array.Sort(scores);
        return scores.Length;
    }

    [Benchmark(Description = "10,000 applications: ranking and allocating a budget of 3,000,000 CNY with the matching bonus")]
    public int Allocate() => Allocation.Allocate(round.Candidates, 3_000_000m, 20_000m, 100_000m, true, new MatchingBonus(1m, 5m)).Count;

    [Benchmark(Description = "10,000 applications: assigning 3 reviewers each among 30, conflicts and load balanced")]
    public int Assign() => ReviewerAssignment.Assign(round.ToAssign, round.Panel, 3).ReviewersByApplication.Count;
}

/// <summary>
/// Matching's ranking of the candidates a ring read finds: the densest grids of the synthetic district hold about 400
/// volunteers, so a request's grid and its neighbours give about 2,000 profiles to filter and rank.
/// </summary>
[MemoryDiagnoser]
public class DispatchPieces
{
    private List<Candidate> candidates = [];
    private MatchNeed need = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.FromHours(8));
        var volunteers = new SyntheticDistrict(20271127, 2_000d / SyntheticDistrict.DistrictVolunteers).Volunteers(now);
        var random = new Random(7);
        candidates = [.. volunteers.Select(v => new Candidate(MatchProfile.Of(v), random.Next(0, 3), random.NextDouble() * 3_000))];
        need = new MatchNeed([Skill.Companionship], now, now.AddDays(7), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
    }

    /// <summary>The baseline: ordering the same candidates by distance alone.</summary>
    [Benchmark(Baseline = true, Description = "2,000 candidates: sorted by distance alone")]
    public int ByDistance()
    {
        var distances = candidates.Select(c => c.DistanceMetres).ToArray();
        Array.Sort(distances);
        return distances.Length;
    }

    [Benchmark(Description = "2,000 candidates: matching's filters and weighted ranking with every step written out")]
    public int Rank() => Matching.Rank(candidates, need).Ranked.Count;
}

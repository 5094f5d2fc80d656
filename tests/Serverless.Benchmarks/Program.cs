using System.CommandLine;
using System.Globalization;
using Serverless.Benchmarks;

// The benchmark harness (issue 10). `dotnet run -c Release --project tests/Serverless.Benchmarks` writes a synthetic
// district at the real scale into an Azurite of its own, drives a DevHost of its own, and prints each figure with
// the baseline measured in the same run; the table is written as Markdown and JSON.
var scale = new Option<double>("--scale") { Description = "The district's size: 1 is the real district (130,000 volunteers, 10,000 applications); 0.1 a tenth", DefaultValueFactory = _ => 1.0 };
var seed = new Option<int>("--seed") { Description = "The synthetic district's seed", DefaultValueFactory = _ => 20271127 };
var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once in the load driver", DefaultValueFactory = _ => 16 };
var output = new Option<DirectoryInfo>("--out") { Description = "Where the table is written as results.md and results.json", DefaultValueFactory = _ => new DirectoryInfo("artifacts/benchmarks") };
var only = new Option<string[]>("--only")
{
    Description = $"Run only these parts (and what they need), of: {string.Join(", ", DistrictRun.Parts)}. Every part when absent",
    AllowMultipleArgumentsPerToken = true,
};
only.AcceptOnlyFromAmong(DistrictRun.Parts);
var root = new RootCommand("Benchmarks of the community-services back end at district scale, as ratios against baselines measured in the same run")
{
    scale, seed, concurrency, output, only,
};
root.SetAction(async (parsed, cancellation) =>
{
    var report = new Report();
    var (s, n, c, dir) = (parsed.GetValue(scale), parsed.GetValue(seed), parsed.GetValue(concurrency), parsed.GetValue(output)!);
    report.Note("scale", $"{s.ToString(CultureInfo.InvariantCulture)} of the district (seed {n}, concurrency {c})");
    try
    {
        var parts = parsed.GetValue(only) is { Length: > 0 } chosen ? chosen : DistrictRun.Parts;
        if (parts.Length < DistrictRun.Parts.Length)
        {
            report.Note("parts", string.Join(", ", parts));
        }

        if (parts.Any(p => p != "pieces"))
        {
            await new DistrictRun(new SyntheticDistrict(n, s), report, c, dir).RunAsync(parts);
        }

        if (parts.Contains("pieces"))
        {
            // In this process, once the DevHost is stopped (Azurite idle), so nothing else runs meanwhile; and last, because
            // BenchmarkDotNet raises the priority of the process it measures in, which would tilt the load driver's share.
            Pieces.Run(report, dir);
        }
    }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or Azure.RequestFailedException)
    {
        // What was measured so far is still written; the failure is said plainly.
        Console.WriteLine($"The run stopped: {e}");
        report.Note("stopped", e.Message.Split('\n')[0]);
    }

    dir.Create();
    await File.WriteAllTextAsync(Path.Combine(dir.FullName, "results.md"), report.Markdown(), cancellation);
    await File.WriteAllTextAsync(Path.Combine(dir.FullName, "results.json"), report.Json(), cancellation);
    Console.WriteLine();
    Console.WriteLine(report.Markdown());
    Console.WriteLine($"Written to {dir.FullName}/results.md and results.json");
    return report.Figures.Any(f => f.Met == false) ? 2 : 0;
});

// `noop`: a bare start of this process, the baseline of the DevHost's cold start.
if (args is ["noop"])
{
    return 0;
}

return await root.Parse(args).InvokeAsync();

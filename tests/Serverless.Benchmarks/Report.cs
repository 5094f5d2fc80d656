using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serverless.Benchmarks;

/// <summary>
/// One figure of a run: what was measured, its value, the baseline measured in the same run and their ratio, and
/// the target it is held to (a goal for the harness, never a timed test).
/// </summary>
/// <param name="Ratio">Value ÷ baseline, or baseline ÷ value where "higher is better" reads that way (see <see cref="RatioMeaning"/>).</param>
public sealed record Figure(
    string Name,
    double Value,
    string Unit,
    string Baseline,
    double BaselineValue,
    double Ratio,
    string RatioMeaning,
    string Target,
    bool? Met,
    string How);

/// <summary>The figures of a run, printed as a table and written as Markdown and JSON.</summary>
public sealed class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly List<Figure> figures = [];
    private readonly List<(string Name, string Value)> context = [];

    public IReadOnlyList<Figure> Figures => figures;

    public void Add(Figure figure)
    {
        figures.Add(figure);
        Console.WriteLine($"  {figure.Name}: {Format(figure.Value)} {figure.Unit} (baseline {figure.Baseline}: {Format(figure.BaselineValue)}; {figure.RatioMeaning} {Format(figure.Ratio)}){Verdict(figure)}");
    }

    /// <summary>What the run was (scale, counts, machine), written above the table.</summary>
    public void Note(string name, string value)
    {
        context.Add((name, value));
        Console.WriteLine($"  {name}: {value}");
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("| figure | value | baseline (same run) | ratio | target | met | how |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var f in figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {Format(f.Value)} {f.Unit} | {f.Baseline}: {Format(f.BaselineValue)} | {f.RatioMeaning} {Format(f.Ratio)} | {f.Target} | {(f.Met is null ? "–" : f.Met.Value ? "yes" : "**no**")} | {f.How} |");
        }

        md.AppendLine();
        foreach (var (name, value) in context)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {name}: {value}");
        }

        return md.ToString();
    }

    public string Json() => JsonSerializer.Serialize(new
    {
        measuredAt = DateTimeOffset.UtcNow,
        context = context.ToDictionary(c => c.Name, c => c.Value),
        figures,
    }, JsonOptions);

    public static string Format(double value) => value switch
    {
        >= 100 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static string Verdict(Figure f) => f.Met switch
    {
        null => string.Empty,
        true => $" target {f.Target}: met",
        false => $" target {f.Target}: NOT met",
    };
}

/// <summary>Latencies of many operations, and their percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> milliseconds = [];
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return milliseconds.Count;
            }
        }
    }

    public void Add(TimeSpan elapsed)
    {
        lock (gate)
        {
            milliseconds.Add(elapsed.TotalMilliseconds);
        }
    }

    /// <summary>The nearest-rank percentile (p in 0..100), in milliseconds.</summary>
    public double Percentile(double p)
    {
        lock (gate)
        {
            if (milliseconds.Count == 0)
            {
                return double.NaN;
            }

            var sorted = milliseconds.Order().ToList();
            var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
        }
    }
}

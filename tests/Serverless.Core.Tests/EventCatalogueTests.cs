using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>docs/EVENTS.md, the catalogue in code and the events the code raises are one and the same list.</summary>
public sealed partial class EventCatalogueTests
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void The_document_lists_every_catalogued_type_in_order_with_its_source_and_data_members()
    {
        var document = File.ReadAllText(Path.Combine(Root, "docs", "EVENTS.md"));
        var sections = Section().Matches(document).Select(m => (Type: m.Groups["type"].Value, Source: m.Groups["source"].Value,
            Data: m.Groups["data"].Value.Split(',', StringSplitOptions.TrimEntries).Select(d => d.Trim('`', '.')).ToList(),
            Example: m.Groups["example"].Value)).ToList();

        Assert.Equal(EventCatalogue.Types.Select(t => t.Type), sections.Select(s => s.Type));
        foreach (var (type, section) in EventCatalogue.Types.Zip(sections))
        {
            Assert.Equal(type.Source, section.Source);
            Assert.Equal(type.Data, section.Data);
            // The example is data the outbox would accept for this type, and shows every member.
            EventCatalogue.RequireKnown(type.Type, section.Example);
            using var example = JsonDocument.Parse(section.Example);
            Assert.Equal(type.Data, example.RootElement.EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public void Every_type_the_code_raises_is_catalogued_and_every_catalogued_type_is_raised()
    {
        var core = Path.Combine(Root, "functions", "Serverless.Core");
        var raised = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith("EventCatalogue.cs", StringComparison.Ordinal))
            .SelectMany(f => TypeLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(EventCatalogue.Types.Select(t => t.Type).Order(StringComparer.Ordinal), raised.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_outbox_refuses_an_uncatalogued_type_and_an_undeclared_data_member()
    {
        var outbox = new Outbox(null!, TimeProvider.System);

        Assert.Throws<InvalidOperationException>(() => outbox.Event("/rounds/r", "Serverless.Ventures.Unheard", "x", "r", new { roundId = "r" }));
        var extra = Assert.Throws<InvalidOperationException>(() =>
            outbox.Event("/rounds/r", "Serverless.Ventures.RoundCompleted", "x", "r", new { roundId = "r", beneficiaryName = "张大爷" }));
        Assert.Contains("beneficiaryName", extra.Message, StringComparison.Ordinal);
        var ok = outbox.Event("/rounds/r", "Serverless.Ventures.RoundCompleted", "complete", "r", new { roundId = "r" });
        Assert.Equal(outbox.Event("/rounds/r", "Serverless.Ventures.RoundCompleted", "complete", "r", new { roundId = "r" }).Id, ok.Id);
    }

    [GeneratedRegex("""### `(?<type>[^`]+)`\s+When: [^\n]+\nSource: `(?<source>[^`]+)`\.\nData: (?<data>[^\n]+)\n\s*```json\n(?<example>[^\n]+)\n```""")]
    private static partial Regex Section();

    [GeneratedRegex("\"(Serverless\\.(?:Ventures|Procurement|Dispatch)\\.[A-Za-z]+)\"")]
    private static partial Regex TypeLiteral();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Serverless.sln above {AppContext.BaseDirectory}.");
    }
}

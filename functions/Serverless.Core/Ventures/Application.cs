using System.Globalization;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Ventures;

public enum ApplicationStatus
{
    Submitted,
    Withdrawn,
}

public sealed record BudgetLine(string Item, decimal Amount);

public sealed record Milestone(string Title, DateOnly Due, string? Deliverable);

/// <summary>What an organization proposes: the project, who it serves, what it costs and when it delivers.</summary>
public sealed record ApplicationContent(
    string ProjectTitle,
    string Summary,
    ProgrammeArea ProgrammeArea,
    string BeneficiaryGroup,
    int BeneficiaryCount,
    List<string> CommunitiesServed,
    List<BudgetLine> BudgetLines,
    decimal AmountRequested,
    decimal MatchingFunds,
    List<Milestone> Milestones);

/// <summary>An application to a venture round by one social organization.</summary>
public sealed record Application(
    string Id,
    string RoundId,
    string OrganizationId,
    string OrganizationName,
    ApplicationContent Content,
    ApplicationStatus Status,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    int Version,
    DateTimeOffset? WithdrawnAt = null,
    ScreeningResult? Screening = null)
{
    /// <summary>Submitted before the deadline and not withdrawn: what the round received.</summary>
    public bool IsReceived(Round round)
    {
        ArgumentNullException.ThrowIfNull(round);
        return Status == ApplicationStatus.Submitted && SubmittedAt < round.ClosesAt;
    }

    public bool IsEligible => Screening?.Eligible == true;

    public static string Location(string roundId, string id) => $"/api/rounds/{roundId}/applications/{id}";
}

/// <summary>The application form, as JSON or as an HTML form post. Nullable so that gaps become field errors.</summary>
public sealed record ApplicationForm(
    string? ProjectTitle,
    string? Summary,
    ProgrammeArea? ProgrammeArea,
    string? BeneficiaryGroup,
    int? BeneficiaryCount,
    List<string>? CommunitiesServed,
    List<BudgetLineForm>? BudgetLines,
    decimal? AmountRequested,
    decimal? MatchingFunds,
    List<MilestoneForm>? Milestones)
{
    /// <summary>
    /// What an HTML form post gave that could not be read (a number that is not one): refused together with every
    /// other failing field when the form is validated, so the form comes back once with all of them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, string[]>? Unreadable { get; init; }

    public ApplicationContent Validate(Round round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var v = new Validation(Unreadable);
        var title = v.Text("projectTitle", ProjectTitle, 100, 2);
        var summary = v.Text("summary", Summary, 4000, 10);
        if (ProgrammeArea is null)
        {
            v.Add("programmeArea", "Required.");
        }
        else if (!round.ProgrammeAreas.Contains(ProgrammeArea.Value))
        {
            v.Add("programmeArea", $"This round funds only: {string.Join(", ", round.ProgrammeAreas.Select(a => ApiJson.Serialize(a).Trim('"')))}.");
        }

        var group = v.Text("beneficiaryGroup", BeneficiaryGroup, 100);
        v.Range("beneficiaryCount", BeneficiaryCount ?? 0, 1, 1_000_000);
        v.Count("communitiesServed", CommunitiesServed, 1, 200);
        var communities = new List<string>();
        for (var i = 0; i < (CommunitiesServed?.Count ?? 0); i++)
        {
            communities.Add(v.Text($"communitiesServed[{i}]", CommunitiesServed![i], 50));
        }

        v.Count("budgetLines", BudgetLines, 1, 50);
        var lines = new List<BudgetLine>();
        for (var i = 0; i < (BudgetLines?.Count ?? 0); i++)
        {
            var line = BudgetLines![i];
            var item = v.Text($"budgetLines[{i}].item", line.Item, 100);
            if (line.Amount is null)
            {
                v.Add($"budgetLines[{i}].amount", "Required.");
            }
            else
            {
                v.Money($"budgetLines[{i}].amount", line.Amount.Value, 0.01m);
            }

            lines.Add(new BudgetLine(item, line.Amount ?? 0));
        }

        var requested = AmountRequested ?? 0;
        if (AmountRequested is null)
        {
            v.Add("amountRequested", "Required.");
        }
        else
        {
            v.Money("amountRequested", requested);
            if (requested < round.MinGrant || requested > round.MaxGrant)
            {
                v.Add("amountRequested", string.Create(CultureInfo.InvariantCulture,
                    $"This round grants between {round.MinGrant:0.##} and {round.MaxGrant:0.##} CNY."));
            }
        }

        var matching = MatchingFunds ?? 0;
        v.Money("matchingFunds", matching);
        var amountsKnown = AmountRequested is not null && BudgetLines is { Count: > 0 } && BudgetLines.All(l => l.Amount is not null);
        if (amountsKnown && lines.Sum(l => l.Amount) != requested + matching)
        {
            v.Add("budgetLines", string.Create(CultureInfo.InvariantCulture,
                $"The budget lines add up to {lines.Sum(l => l.Amount):0.##} CNY but the amount requested plus matching funds is {requested + matching:0.##} CNY."));
        }

        v.Count("milestones", Milestones, 1, 20);
        var milestones = new List<Milestone>();
        for (var i = 0; i < (Milestones?.Count ?? 0); i++)
        {
            var m = Milestones![i];
            var mTitle = v.Text($"milestones[{i}].title", m.Title, 100);
            if (m.Due is null)
            {
                v.Add($"milestones[{i}].due", "Required (yyyy-mm-dd).");
            }
            else if (m.Due.Value <= District.Today(round.ClosesAt))
            {
                v.Add($"milestones[{i}].due", "Must fall after the round closes.");
            }

            milestones.Add(new Milestone(mTitle, m.Due ?? default, v.OptionalText($"milestones[{i}].deliverable", m.Deliverable, 500)));
        }

        v.ThrowIfAny();
        return new ApplicationContent(title, summary, ProgrammeArea!.Value, group, BeneficiaryCount!.Value, communities,
            lines, requested, matching, milestones);
    }

    /// <summary>
    /// Reads an HTML form post: scalar fields by name, lists as <c>budgetLines[0].item</c>, repeated
    /// <c>communitiesServed</c> values (or one value separated by commas or 、).
    /// </summary>
    public static ApplicationForm FromForm(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var v = new Validation();
        string? S(string key) => form.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString() : null;
        decimal? D(string key)
        {
            var s = S(key);
            if (s is null)
            {
                return null;
            }

            if (decimal.TryParse(s.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var d))
            {
                return d;
            }

            v.Add(key, "Not a number.");
            return null;
        }

        int? I(string key)
        {
            var s = S(key);
            if (s is null)
            {
                return null;
            }

            if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            v.Add(key, "Not a whole number.");
            return null;
        }

        DateOnly? Day(string key)
        {
            var s = S(key);
            if (s is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return d;
            }

            v.Add(key, "Not a date (yyyy-mm-dd).");
            return null;
        }

        ProgrammeArea? area = null;
        if (form["programmeArea"].Count > 1)
        {
            v.Add("programmeArea", "Not a programme area.");
        }
        else if (S("programmeArea") is { } areaText)
        {
            try
            {
                area = ApiJson.Deserialize<ProgrammeArea>($"\"{areaText.Replace("\"", string.Empty, StringComparison.Ordinal)}\"");
            }
            catch (System.Text.Json.JsonException)
            {
                v.Add("programmeArea", "Not a programme area.");
            }
        }

        var communities = form["communitiesServed"]
            .SelectMany(value => (value ?? string.Empty).Split([',', '，', '、'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        // Rows are read by the indexes present, so a row deleted from the middle of a form loses nothing after it.
        var lines = Indexes(form, "budgetLines", 50)
            .Select(i => new BudgetLineForm(S($"budgetLines[{i}].item"), D($"budgetLines[{i}].amount")))
            .Where(l => l.Item is not null || l.Amount is not null)
            .ToList();
        var milestones = Indexes(form, "milestones", 20)
            .Select(i => new MilestoneForm(S($"milestones[{i}].title"), Day($"milestones[{i}].due"), S($"milestones[{i}].deliverable")))
            .Where(m => m.Title is not null || m.Due is not null || m.Deliverable is not null)
            .ToList();

        var result = new ApplicationForm(S("projectTitle"), S("summary"), area, S("beneficiaryGroup"), I("beneficiaryCount"),
            communities, lines, D("amountRequested"), D("matchingFunds"), milestones);
        return v.HasErrors ? result with { Unreadable = v.Errors } : result;
    }

    /// <summary>The distinct row indexes posted for a list field (<c>name[3].x</c> gives 3), in order, at most <paramref name="max"/> rows.</summary>
    private static List<int> Indexes(IFormCollection form, string name, int max) =>
        form.Keys
            .Where(k => k.StartsWith(name + "[", StringComparison.Ordinal))
            .Select(k => k[(name.Length + 1)..])
            .Select(rest => rest.IndexOf(']', StringComparison.Ordinal) is var end and > 0
                && int.TryParse(rest.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .Where(i => i >= 0)
            .Distinct()
            .Order()
            .Take(max)
            .ToList();
}

public sealed record BudgetLineForm(string? Item, decimal? Amount);

public sealed record MilestoneForm(string? Title, DateOnly? Due, string? Deliverable);

/// <summary>What a list of applications shows per row.</summary>
public sealed record ApplicationSummary(
    string Id,
    string OrganizationId,
    string OrganizationName,
    string ProjectTitle,
    decimal AmountRequested,
    ApplicationStatus Status,
    DateTimeOffset SubmittedAt)
{
    public static ApplicationSummary Of(Application a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Id, a.OrganizationId, a.OrganizationName, a.Content.ProjectTitle, a.Content.AmountRequested, a.Status, a.SubmittedAt);
    }
}

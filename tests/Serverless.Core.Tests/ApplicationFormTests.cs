using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class ApplicationFormTests
{
    private static readonly Round Round = Samples.Open();

    private static IReadOnlyDictionary<string, string[]> Errors(ApplicationForm form) =>
        Samples.FieldErrors(() => form.Validate(Round));

    private static FormCollection Post(params (string Key, StringValues Value)[] fields) =>
        new(fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.OrdinalIgnoreCase));

    private static (string, StringValues)[] FullPost() =>
    [
        ("projectTitle", "Companions for elders living alone"),
        ("summary", "Weekly home visits and phone check-ins for 空巢老人."),
        ("programmeArea", "elderly-care"),
        ("beneficiaryGroup", "空巢老人"),
        ("beneficiaryCount", "120"),
        ("communitiesServed", "安静社区, 新阳社区"),
        ("budgetLines[0].item", "Volunteer training"),
        ("budgetLines[0].amount", "60,000"),
        ("budgetLines[1].item", "Visits and transport"),
        ("budgetLines[1].amount", "40000.00"),
        ("amountRequested", "80000"),
        ("matchingFunds", "20000"),
        ("milestones[0].title", "Volunteers trained"),
        ("milestones[0].due", "2026-05-01"),
        ("milestones[0].deliverable", "Training records"),
        ("milestones[1].title", "Final report"),
        ("milestones[1].due", "2026-12-15"),
    ];

    [Fact]
    public void A_complete_application_becomes_its_content()
    {
        var content = (Samples.ApplicationForm() with { ProjectTitle = "  Companions for elders living alone  " }).Validate(Round);

        Assert.Equal("Companions for elders living alone", content.ProjectTitle);
        Assert.Equal(ProgrammeArea.ElderlyCare, content.ProgrammeArea);
        Assert.Equal(80_000m, content.AmountRequested);
        Assert.Equal(20_000m, content.MatchingFunds);
        Assert.Equal(100_000m, content.BudgetLines.Sum(l => l.Amount));
        Assert.Equal(["安静社区", "新阳社区"], content.CommunitiesServed);
        Assert.Equal([new DateOnly(2026, 5, 1), new DateOnly(2026, 12, 15)], content.Milestones.Select(m => m.Due));
        Assert.Null(content.Milestones[1].Deliverable);
    }

    [Theory]
    [InlineData("19999.99")]
    [InlineData("100000.01")]
    public void An_amount_outside_the_round_s_grant_range_is_refused_naming_the_range(string amount)
    {
        var requested = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        var form = Samples.ApplicationForm() with { AmountRequested = requested };

        Assert.Equal(["This round grants between 20000 and 100000 CNY."], Errors(form)["amountRequested"]);
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(100_000)]
    public void The_minimum_and_maximum_grant_themselves_may_be_requested(int requested)
    {
        var form = Samples.ApplicationForm() with
        {
            AmountRequested = requested,
            MatchingFunds = 0m,
            BudgetLines = [new BudgetLineForm("Everything", requested)],
        };

        Assert.Equal(requested, form.Validate(Round).AmountRequested);
    }

    [Fact]
    public void A_programme_area_the_round_does_not_fund_is_refused_listing_those_it_does()
    {
        var form = Samples.ApplicationForm() with { ProgrammeArea = ProgrammeArea.Children };

        Assert.Equal(["This round funds only: elderly-care, disability."], Errors(form)["programmeArea"]);
    }

    [Fact]
    public void Budget_lines_that_do_not_add_up_to_the_request_plus_matching_funds_are_refused_with_both_sums()
    {
        var form = Samples.ApplicationForm() with
        {
            BudgetLines = [new BudgetLineForm("Volunteer training", 60_000m), new BudgetLineForm("Visits", 30_000.50m)],
        };

        Assert.Equal(
            ["The budget lines add up to 90000.5 CNY but the amount requested plus matching funds is 100000 CNY."],
            Errors(form)["budgetLines"]);
    }

    [Theory]
    [InlineData(2026, 3, 31)] // the closing day itself: the round closes at 09:00 UTC that day
    [InlineData(2026, 3, 15)]
    public void A_milestone_due_on_or_before_the_closing_day_is_refused(int year, int month, int day)
    {
        var form = Samples.ApplicationForm() with { Milestones = [new MilestoneForm("Kick-off", new DateOnly(year, month, day), null)] };

        Assert.Equal(["Must fall after the round closes."], Errors(form)["milestones[0].due"]);
    }

    [Fact]
    public void A_milestone_due_the_day_after_closing_is_accepted()
    {
        var form = Samples.ApplicationForm() with { Milestones = [new MilestoneForm("Kick-off", new DateOnly(2026, 4, 1), null)] };

        Assert.Equal(new DateOnly(2026, 4, 1), form.Validate(Round).Milestones.Single().Due);
    }

    [Fact]
    public void An_amount_with_fractions_of_a_fen_is_refused()
    {
        var form = Samples.ApplicationForm() with { AmountRequested = 50_000.005m };

        Assert.Contains("At most two decimal places (fen).", Errors(form)["amountRequested"]);
    }

    [Fact]
    public void A_budget_line_with_fractions_of_a_fen_is_refused_on_that_line()
    {
        var form = Samples.ApplicationForm() with
        {
            BudgetLines = [new BudgetLineForm("Volunteer training", 59_999.995m), new BudgetLineForm("Visits", 40_000.005m)],
        };

        var errors = Errors(form);

        Assert.Equal(["At most two decimal places (fen)."], errors["budgetLines[0].amount"]);
        Assert.Equal(["At most two decimal places (fen)."], errors["budgetLines[1].amount"]);
    }

    [Fact]
    public void Negative_matching_funds_are_refused()
    {
        var form = Samples.ApplicationForm() with { MatchingFunds = -1m };

        Assert.Equal(["Must not be negative."], Errors(form)["matchingFunds"]);
    }

    [Fact]
    public void An_empty_application_reports_every_required_field_at_once()
    {
        var empty = new ApplicationForm(null, null, null, null, null, null, null, null, null, null);

        var errors = Errors(empty);

        Assert.Equal(["Required."], errors["projectTitle"]);
        Assert.Equal(["Required."], errors["summary"]);
        Assert.Equal(["Required."], errors["programmeArea"]);
        Assert.Equal(["Required."], errors["beneficiaryGroup"]);
        Assert.Equal(["Must be between 1 and 1000000."], errors["beneficiaryCount"]);
        Assert.Equal(["At least one is required."], errors["communitiesServed"]);
        Assert.Equal(["At least one is required."], errors["budgetLines"]);
        Assert.Equal(["Required."], errors["amountRequested"]);
        Assert.Equal(["At least one is required."], errors["milestones"]);
    }

    [Fact]
    public void A_posted_html_form_reads_scalars_indexed_lists_and_kebab_case_areas()
    {
        var form = ApplicationForm.FromForm(Post(FullPost()));

        Assert.Equal("Companions for elders living alone", form.ProjectTitle);
        Assert.Equal(ProgrammeArea.ElderlyCare, form.ProgrammeArea);
        Assert.Equal(120, form.BeneficiaryCount);
        Assert.Equal(
            [new BudgetLineForm("Volunteer training", 60_000m), new BudgetLineForm("Visits and transport", 40_000m)],
            form.BudgetLines);
        Assert.Equal(80_000m, form.AmountRequested);
        Assert.Equal(20_000m, form.MatchingFunds);
        Assert.Equal(
            [new MilestoneForm("Volunteers trained", new DateOnly(2026, 5, 1), "Training records"), new MilestoneForm("Final report", new DateOnly(2026, 12, 15), null)],
            form.Milestones);
        Assert.Equal(100_000m, form.Validate(Round).BudgetLines.Sum(l => l.Amount));
    }

    [Fact]
    public void Communities_served_may_be_separated_by_ascii_or_chinese_commas_or_the_enumeration_comma()
    {
        var form = ApplicationForm.FromForm(Post(("communitiesServed", "安静社区,新阳社区，工程社区、 爱建社区 ")));

        Assert.Equal(["安静社区", "新阳社区", "工程社区", "爱建社区"], form.CommunitiesServed);
    }

    [Fact]
    public void Communities_served_may_be_posted_as_repeated_values()
    {
        var form = ApplicationForm.FromForm(Post(("communitiesServed", new StringValues(["安静社区", "新阳社区、工程社区"]))));

        Assert.Equal(["安静社区", "新阳社区", "工程社区"], form.CommunitiesServed);
    }

    [Fact]
    public void A_posted_amount_that_is_not_a_number_is_refused_on_its_field()
    {
        var fields = FullPost().Where(f => f.Item1 != "amountRequested").Append(("amountRequested", "eighty thousand")).ToArray();

        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(fields)).Validate(Round));

        Assert.Equal(["Not a number."], errors["amountRequested"]);
    }

    [Fact]
    public void A_form_that_cannot_be_read_is_refused_with_every_other_failing_field_at_once()
    {
        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(("projectTitle", "x"), ("amountRequested", "eighty thousand"))).Validate(Round));

        // The unreadable amount keeps its own reason (not "Required."), and the rest of the form is checked too.
        Assert.Equal(["Not a number."], errors["amountRequested"]);
        Assert.Equal(["At least 2 characters."], errors["projectTitle"]);
        Assert.Contains("summary", errors.Keys);
        Assert.Contains("milestones", errors.Keys);
    }

    [Fact]
    public void A_posted_budget_line_amount_that_is_not_a_number_is_refused_on_that_line()
    {
        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(("budgetLines[0].item", "Training"), ("budgetLines[0].amount", "1万"))).Validate(Round));

        Assert.Equal(["Not a number."], errors["budgetLines[0].amount"]);
    }

    [Fact]
    public void Posted_counts_and_dates_that_do_not_parse_are_refused_on_their_fields()
    {
        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(
            ("beneficiaryCount", "about 100"),
            ("milestones[0].title", "Kick-off"),
            ("milestones[0].due", "1 May 2026"))).Validate(Round));

        Assert.Equal(["Not a whole number."], errors["beneficiaryCount"]);
        Assert.Equal(["Not a date (yyyy-mm-dd)."], errors["milestones[0].due"]);
    }

    [Fact]
    public void A_posted_programme_area_the_product_does_not_know_is_refused()
    {
        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(("programmeArea", "space-travel"))).Validate(Round));

        Assert.Equal(["Not a programme area."], errors["programmeArea"]);
    }

    [Fact]
    public void Blank_posted_fields_count_as_missing()
    {
        var form = ApplicationForm.FromForm(Post(("projectTitle", "   "), ("amountRequested", "")));

        Assert.Null(form.ProjectTitle);
        Assert.Null(form.AmountRequested);
        Assert.Empty(form.CommunitiesServed!);
        Assert.Empty(form.BudgetLines!);
    }

    [Fact]
    public void A_programme_area_posted_twice_is_refused_rather_than_merged_into_another_area()
    {
        var errors = Samples.FieldErrors(() => ApplicationForm.FromForm(Post(("programmeArea", new StringValues(["disability", "children"])))).Validate(Round));

        Assert.Equal(["Not a programme area."], errors["programmeArea"]);
    }

    [Theory]
    [InlineData("disability, children")]
    [InlineData("psychological-comfort, culture")]
    [InlineData("ElderlyCare")]
    [InlineData("3")]
    public void A_json_application_naming_anything_but_one_programme_area_is_refused(string area)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ApiJson.Deserialize<ApplicationForm>($$"""{"programmeArea":"{{area}}"}"""));
    }

    [Fact]
    public void A_budget_mismatch_is_reported_alongside_an_unrelated_missing_field()
    {
        var form = Samples.ApplicationForm() with
        {
            Summary = null,
            BudgetLines = [new BudgetLineForm("Volunteer training", 60_000m), new BudgetLineForm("Visits", 30_000m)],
        };

        var errors = Errors(form);

        Assert.Equal(["Required."], errors["summary"]);
        Assert.True(errors.ContainsKey("budgetLines"), "the budget mismatch must not hide behind the missing summary");
    }

    [Fact]
    public void A_milestone_due_on_the_closing_day_in_the_district_is_refused_even_when_that_is_the_next_day_in_UTC()
    {
        // 18:00 UTC on 31 March is 02:00 on 1 April in the district (UTC+8): 1 April is the closing day there.
        var lateRound = Round with { ClosesAt = new DateTimeOffset(2026, 3, 31, 18, 0, 0, TimeSpan.Zero) };
        var form = Samples.ApplicationForm() with { Milestones = [new MilestoneForm("Kick-off", new DateOnly(2026, 4, 1), null)] };

        var errors = Samples.FieldErrors(() => form.Validate(lateRound));

        Assert.Equal(["Must fall after the round closes."], errors["milestones[0].due"]);
    }

    [Fact]
    public void A_row_deleted_from_the_middle_of_a_form_loses_none_of_the_rows_after_it()
    {
        var post = FullPost().Where(f => !f.Item1.StartsWith("budgetLines[1]", StringComparison.Ordinal)).ToList();
        post.Add(("budgetLines[2].item", "Visits and transport"));
        post.Add(("budgetLines[2].amount", "40000"));

        var form = ApplicationForm.FromForm(Post([.. post]));

        Assert.Equal(["Volunteer training", "Visits and transport"], form.BudgetLines!.Select(l => l.Item!).ToArray());
        Assert.Equal(100_000m, form.BudgetLines!.Sum(l => l.Amount));
    }
}

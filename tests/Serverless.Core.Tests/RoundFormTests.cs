using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class RoundFormTests
{
    private static readonly DateTimeOffset Now = Samples.CreatedAt;

    private static IReadOnlyDictionary<string, string[]> Errors(RoundForm form) =>
        Samples.FieldErrors(() => form.Validate("round-1", Samples.Admin, Now));

    [Fact]
    public void A_valid_form_becomes_a_draft_round_with_its_times_in_utc()
    {
        var form = Samples.RoundForm() with { ProgrammeAreas = [ProgrammeArea.ElderlyCare, ProgrammeArea.Disability, ProgrammeArea.ElderlyCare] };

        var round = form.Validate("round-1", Samples.Admin, Now);

        Assert.Equal("round-1", round.Id);
        Assert.Equal(RoundStatus.Draft, round.Status);
        Assert.Equal(TimeSpan.Zero, round.OpensAt.Offset);
        Assert.Equal(TimeSpan.Zero, round.ClosesAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero), round.OpensAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 9, 0, 0, TimeSpan.Zero), round.ClosesAt);
        Assert.Equal([ProgrammeArea.ElderlyCare, ProgrammeArea.Disability], round.ProgrammeAreas);
        Assert.Equal(["need", "design", "capacity"], round.Rubric.Select(c => c.Id));
        Assert.Equal(100, round.Rubric.Sum(c => c.Weight));
        Assert.Equal("officer-1", round.CreatedBy);
        Assert.Equal(Now, round.CreatedAt);
        Assert.Null(round.PublishedAt);
    }

    [Fact]
    public void Omitted_options_take_the_programme_s_defaults()
    {
        var round = (Samples.RoundForm() with { ReviewersPerApplication = null }).Validate("round-1", Samples.Admin, Now);

        Assert.Equal(3, round.ReviewersPerApplication);
        Assert.Equal(new EligibilityRules(12, true), round.Eligibility);
        Assert.Equal(new StagePeriods("P7D", "P14D", "P7D"), round.Periods);
        Assert.False(round.BlindReview);
        Assert.False(round.AllowPartialFunding);
    }

    [Fact]
    public void An_empty_form_reports_every_required_field_at_once()
    {
        var empty = new RoundForm(null, null, null, null, null, null, null, null, null, null, null, null, null);

        var errors = Errors(empty);

        Assert.Equal(["Required."], errors["title"]);
        Assert.Equal(["At least one is required."], errors["programmeAreas"]);
        Assert.Equal(["Required."], errors["budget"]);
        Assert.Equal(["Required."], errors["minGrant"]);
        Assert.Equal(["Required."], errors["maxGrant"]);
        Assert.Equal(["Required."], errors["opensAt"]);
        Assert.Equal(["Required."], errors["closesAt"]);
        Assert.Equal(["At least one is required."], errors["rubric"]);
    }

    [Theory]
    [InlineData(40, 35, 20, 95)]
    [InlineData(40, 35, 30, 105)]
    public void Rubric_weights_that_do_not_add_up_to_100_are_refused_with_their_sum(int a, int b, int c, int sum)
    {
        var form = Samples.RoundForm() with
        {
            Rubric = [new CriterionForm("need", "Need", a, 10), new CriterionForm("design", "Design", b, 10), new CriterionForm("capacity", "Capacity", c, 10)],
        };

        Assert.Equal([$"The weights must add up to 100; they add up to {sum}."], Errors(form)["rubric"]);
    }

    [Fact]
    public void Two_criteria_with_the_same_id_are_refused()
    {
        var form = Samples.RoundForm() with
        {
            Rubric = [new CriterionForm("need", "Need", 50, 10), new CriterionForm("need", "Need again", 50, 10)],
        };

        Assert.Equal(["Criterion ids must be unique."], Errors(form)["rubric"]);
    }

    [Fact]
    public void A_criterion_id_with_spaces_or_punctuation_is_refused()
    {
        var form = Samples.RoundForm() with
        {
            Rubric = [new CriterionForm("community need!", "Need", 100, 10)],
        };

        Assert.Equal(["Letters, digits, '-' and '_' only."], Errors(form)["rubric[0].id"]);
    }

    [Fact]
    public void A_criterion_without_weight_or_points_is_refused_field_by_field()
    {
        var form = Samples.RoundForm() with { Rubric = [new CriterionForm("need", "Need", null, 0)] };

        var errors = Errors(form);

        Assert.Equal(["Must be between 1 and 100."], errors["rubric[0].weight"]);
        Assert.Equal(["Must be between 1 and 100."], errors["rubric[0].maxPoints"]);
    }

    [Fact]
    public void A_minimum_grant_above_the_maximum_is_refused_on_the_maximum()
    {
        var form = Samples.RoundForm() with { MinGrant = 150_000m, MaxGrant = 100_000m };

        Assert.Equal(["Must not be below the minimum grant."], Errors(form)["maxGrant"]);
    }

    [Fact]
    public void A_maximum_grant_above_the_budget_is_refused()
    {
        var form = Samples.RoundForm() with { Budget = 80_000m };

        Assert.Equal(["Must not exceed the budget."], Errors(form)["maxGrant"]);
    }

    [Fact]
    public void Money_in_fractions_of_a_fen_is_refused()
    {
        var form = Samples.RoundForm() with { Budget = 1_500_000.001m };

        Assert.Equal(["At most two decimal places (fen)."], Errors(form)["budget"]);
    }

    [Fact]
    public void A_zero_budget_is_refused()
    {
        Assert.Equal(["Must be at least 0.01."], Errors(Samples.RoundForm() with { Budget = 0m })["budget"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void A_closing_time_not_after_the_opening_time_is_refused(int minutesAfterOpening)
    {
        var form = Samples.RoundForm();
        form = form with { ClosesAt = form.OpensAt!.Value.AddMinutes(minutesAfterOpening) };

        Assert.Equal(["Must be after opensAt."], Errors(form)["closesAt"]);
    }

    [Fact]
    public void A_closing_time_in_another_offset_is_compared_as_an_instant()
    {
        // 09:00 in Beijing is 01:00 UTC: a closing time of 02:00 UTC is an hour after opening, not seven before.
        var form = Samples.RoundForm() with { ClosesAt = new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero) };

        var round = form.Validate("round-1", Samples.Admin, Now);

        Assert.Equal(TimeSpan.FromHours(1), round.ClosesAt - round.OpensAt);
    }

    [Fact]
    public void A_stage_period_that_is_not_an_iso_duration_is_refused_on_its_field()
    {
        var form = Samples.RoundForm() with { Periods = new StagePeriods(Screening: "two weeks") };

        Assert.Equal(["Not an ISO 8601 duration such as P14D or PT30S."], Errors(form)["periods.screening"]);
    }

    [Theory]
    [InlineData("PT0S")]
    [InlineData("-P1D")]
    [InlineData("P367D")]
    public void A_stage_period_that_is_not_positive_or_longer_than_a_year_is_refused(string period)
    {
        var form = Samples.RoundForm() with { Periods = new StagePeriods(Review: period) };

        Assert.Equal(["A positive ISO 8601 duration of at most a year, such as P14D or PT30S."], Errors(form)["periods.review"]);
    }

    [Theory]
    [InlineData("PT30S")]
    [InlineData("P366D")]
    public void Short_demo_periods_and_a_full_year_are_accepted(string period)
    {
        var round = (Samples.RoundForm() with { Periods = new StagePeriods(Publicity: period) }).Validate("round-1", Samples.Admin, Now);

        Assert.Equal(period, round.Periods.Publicity);
    }

    [Fact]
    public void Reviewers_per_application_outside_1_to_15_are_refused()
    {
        Assert.Equal(["Must be between 1 and 15."], Errors(Samples.RoundForm() with { ReviewersPerApplication = 16 })["reviewersPerApplication"]);
    }

    [Fact]
    public void An_absurdly_long_stage_period_is_refused_as_a_field_error()
    {
        var form = Samples.RoundForm() with { Periods = new StagePeriods(Screening: "P99999999999D") };

        Assert.True(Errors(form).ContainsKey("periods.screening"));
    }

    [Fact]
    public void A_negative_minimum_grant_is_reported_even_when_the_maximum_is_missing()
    {
        var form = Samples.RoundForm() with { MinGrant = -5m, MaxGrant = null };

        var errors = Errors(form);

        Assert.Equal(["Required."], errors["maxGrant"]);
        Assert.Equal(["Must be at least 0.01."], errors["minGrant"]);
    }
}

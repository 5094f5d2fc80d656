using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class RoundStateMachineTests
{
    private static readonly DateTimeOffset Inside = Samples.OpensAt.AddDays(10);

    [Fact]
    public void Publishing_a_draft_opens_it_and_stamps_the_time()
    {
        var now = Samples.CreatedAt.AddDays(1);

        var published = Samples.Draft().Publish(now);

        Assert.True(published.IsOk);
        Assert.Equal(RoundStatus.Open, published.Value!.Status);
        Assert.Equal(now, published.Value.PublishedAt);
        Assert.True(published.Value.IsPublic);
    }

    [Theory]
    [InlineData(RoundStatus.Open)]
    [InlineData(RoundStatus.Closed)]
    [InlineData(RoundStatus.Cancelled)]
    public void Publishing_a_round_that_is_not_a_draft_is_refused(RoundStatus status)
    {
        var result = (Samples.Draft() with { Status = status }).Publish(Samples.CreatedAt);

        Assert.False(result.IsOk);
        Assert.Equal(ProblemCodes.InvalidState, result.Error!.Code);
        Assert.Equal(409, result.Error.Status);
    }

    [Fact]
    public void Publishing_at_or_after_the_closing_time_is_refused_as_deadline_passed()
    {
        var draft = Samples.Draft();

        Assert.Equal(ProblemCodes.DeadlinePassed, draft.Publish(Samples.ClosesAt).Error?.Code);
        Assert.Equal(ProblemCodes.DeadlinePassed, draft.Publish(Samples.ClosesAt.AddMinutes(1)).Error?.Code);
    }

    [Fact]
    public void Publishing_after_the_window_opened_but_before_it_closes_is_allowed()
    {
        Assert.True(Samples.Draft().Publish(Inside).IsOk);
    }

    [Fact]
    public void A_draft_is_not_public()
    {
        Assert.False(Samples.Draft().IsPublic);
    }

    [Fact]
    public void Closing_an_open_round_before_its_deadline_is_refused()
    {
        var result = Samples.Open().Close(Samples.ClosesAt.AddTicks(-1), 5, "admin");

        Assert.Equal(ProblemCodes.InvalidState, result.Error?.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(90)]
    public void Closing_an_open_round_at_or_after_its_deadline_records_the_count_and_who_closed_it(int secondsLate)
    {
        var now = Samples.ClosesAt.AddSeconds(secondsLate);

        var result = Samples.Open().Close(now, 17, "timer");

        Assert.True(result.IsOk);
        var closed = result.Value!;
        Assert.Equal(RoundStatus.Closed, closed.Status);
        Assert.Equal(now, closed.ClosedAt);
        Assert.Equal("timer", closed.ClosedBy);
        Assert.Equal(17, closed.ApplicationsReceived);
    }

    [Fact]
    public void Closing_a_closed_round_again_changes_nothing_and_keeps_the_first_count()
    {
        var closed = Samples.Open().Close(Samples.ClosesAt, 17, "timer").Value!;

        var again = closed.Close(Samples.ClosesAt.AddMinutes(1), 18, "sweep");

        Assert.True(again.IsOk);
        Assert.Equal(closed, again.Value);
        Assert.Equal(17, again.Value!.ApplicationsReceived);
        Assert.Equal("timer", again.Value.ClosedBy);
    }

    [Theory]
    [InlineData(RoundStatus.Draft)]
    [InlineData(RoundStatus.Cancelled)]
    public void A_draft_or_cancelled_round_cannot_be_closed(RoundStatus status)
    {
        var result = (Samples.Open() with { Status = status }).Close(Samples.ClosesAt.AddDays(1), 0, "timer");

        Assert.Equal(ProblemCodes.InvalidState, result.Error?.Code);
    }

    [Theory]
    [InlineData(RoundStatus.Draft)]
    [InlineData(RoundStatus.Open)]
    [InlineData(RoundStatus.Closed)]
    public void A_round_not_yet_cancelled_can_be_cancelled_with_a_reason(RoundStatus status)
    {
        var now = Inside;

        var result = (Samples.Open() with { Status = status }).Cancel(now, "Budget withdrawn by the district.");

        Assert.True(result.IsOk);
        Assert.Equal(RoundStatus.Cancelled, result.Value!.Status);
        Assert.Equal(now, result.Value.CancelledAt);
        Assert.Equal("Budget withdrawn by the district.", result.Value.CancellationReason);
    }

    [Fact]
    public void Cancelling_a_cancelled_round_is_refused()
    {
        var cancelled = Samples.Open().Cancel(Inside, "first").Value!;

        var again = cancelled.Cancel(Inside.AddHours(1), "second");

        Assert.Equal(ProblemCodes.InvalidState, again.Error?.Code);
    }

    [Fact]
    public void An_open_round_accepts_changes_from_the_opening_time_until_just_before_the_deadline()
    {
        var round = Samples.Open();

        Assert.True(round.AcceptsApplications(Samples.OpensAt));
        Assert.Null(round.RefuseApplicationChange(Samples.OpensAt));
        Assert.Null(round.RefuseApplicationChange(Inside));
        Assert.Null(round.RefuseApplicationChange(Samples.ClosesAt.AddTicks(-1)));
    }

    [Fact]
    public void A_change_before_the_window_opens_is_refused_as_not_yet_open()
    {
        var refusal = Samples.Open().RefuseApplicationChange(Samples.OpensAt.AddTicks(-1));

        Assert.Equal(ProblemCodes.NotYetOpen, refusal?.Code);
        Assert.Equal(409, refusal?.Status);
    }

    [Fact]
    public void A_change_at_exactly_the_deadline_or_later_is_refused_as_deadline_passed()
    {
        var round = Samples.Open();

        Assert.False(round.AcceptsApplications(Samples.ClosesAt));
        Assert.Equal(ProblemCodes.DeadlinePassed, round.RefuseApplicationChange(Samples.ClosesAt)?.Code);
        Assert.Equal(ProblemCodes.DeadlinePassed, round.RefuseApplicationChange(Samples.ClosesAt.AddDays(3))?.Code);
    }

    [Fact]
    public void A_change_to_a_closed_round_is_refused_as_deadline_passed()
    {
        var closed = Samples.Open().Close(Samples.ClosesAt, 3, "timer").Value!;

        Assert.Equal(ProblemCodes.DeadlinePassed, closed.RefuseApplicationChange(Samples.ClosesAt.AddMinutes(1))?.Code);
    }

    [Fact]
    public void A_draft_round_is_invisible_to_applicants_even_inside_its_window()
    {
        var refusal = Samples.Draft().RefuseApplicationChange(Inside);

        Assert.Equal(ProblemCodes.NotFound, refusal?.Code);
        Assert.Equal(404, refusal?.Status);
    }

    [Fact]
    public void A_change_to_a_cancelled_round_is_refused_as_invalid_state_even_inside_its_window()
    {
        var cancelled = Samples.Open().Cancel(Inside, "withdrawn").Value!;

        Assert.False(cancelled.AcceptsApplications(Inside));
        Assert.Equal(ProblemCodes.InvalidState, cancelled.RefuseApplicationChange(Inside)?.Code);
    }

    [Fact]
    public void A_refused_transition_throws_its_problem_when_a_handler_insists()
    {
        var refused = Samples.Open().Close(Inside, 0, "admin");

        var thrown = Assert.Throws<ProblemException>(() => refused.OrThrow());

        Assert.Equal(ProblemCodes.InvalidState, thrown.Problem.Code);
    }
}

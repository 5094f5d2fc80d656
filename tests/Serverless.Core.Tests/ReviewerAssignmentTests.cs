using CsCheck;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class ReviewerAssignmentTests
{
    private static PanelMember Member(string id, string[]? memberOf = null, string[]? declared = null) =>
        new(id, "Reviewer " + id, memberOf ?? [], declared ?? []);

    private static readonly List<PanelMember> Panel = [Member("r1"), Member("r2"), Member("r3"), Member("r4")];

    [Fact]
    public void A_reviewer_who_belongs_to_the_applicant_is_never_assigned_its_application()
    {
        // r1 would be first: lowest load, lowest id.
        List<PanelMember> panel = [Member("r1", memberOf: ["org-a"]), Member("r2"), Member("r3")];

        var plan = ReviewerAssignment.Assign([new ToAssign("app-1", "org-a"), new ToAssign("app-2", "org-b")], panel, 2);

        Assert.Equal(["r2", "r3"], plan.ReviewersByApplication["app-1"]);
        Assert.Contains("r1", plan.ReviewersByApplication["app-2"]);
        Assert.Empty(plan.Shortfalls);
    }

    [Fact]
    public void A_reviewer_who_declared_a_conflict_with_the_applicant_is_never_assigned_its_application()
    {
        List<PanelMember> panel = [Member("r1", declared: ["org-a"]), Member("r2"), Member("r3")];

        var plan = ReviewerAssignment.Assign([new ToAssign("app-1", "org-a")], panel, 2);

        Assert.Equal(["r2", "r3"], plan.ReviewersByApplication["app-1"]);
    }

    [Fact]
    public void A_conflict_is_membership_or_a_declaration_and_nothing_else()
    {
        var reviewer = Member("r1", memberOf: ["org-a"], declared: ["org-b"]);

        Assert.True(ReviewerAssignment.HasConflict(reviewer, "org-a"));
        Assert.True(ReviewerAssignment.HasConflict(reviewer, "org-b"));
        Assert.False(ReviewerAssignment.HasConflict(reviewer, "org-c"));
        Assert.False(ReviewerAssignment.HasConflict(reviewer, "ORG-A"));
    }

    [Fact]
    public void Applications_are_served_in_id_order_by_the_least_loaded_reviewers()
    {
        var plan = ReviewerAssignment.Assign([new ToAssign("app-c", "o"), new ToAssign("app-a", "o"), new ToAssign("app-b", "o")], Panel, 3);

        Assert.Equal(["r1", "r2", "r3"], plan.ReviewersByApplication["app-a"]);
        Assert.Equal(["r4", "r1", "r2"], plan.ReviewersByApplication["app-b"]);
        Assert.Equal(["r3", "r4", "r1"], plan.ReviewersByApplication["app-c"]);
    }

    [Fact]
    public void Reviews_a_reviewer_already_carries_count_towards_their_load()
    {
        var load = new Dictionary<string, int> { ["r1"] = 2, ["r2"] = 1 };

        var plan = ReviewerAssignment.Assign([new ToAssign("app-1", "o")], Panel, 2, load);

        Assert.Equal(["r3", "r4"], plan.ReviewersByApplication["app-1"]);
    }

    [Fact]
    public void When_too_few_reviewers_are_free_of_conflict_those_there_are_are_assigned_and_the_shortfall_is_named()
    {
        List<PanelMember> panel = [Member("r1", memberOf: ["org-a"]), Member("r2", declared: ["org-a"]), Member("r3")];

        var plan = ReviewerAssignment.Assign([new ToAssign("app-1", "org-a"), new ToAssign("app-2", "org-b")], panel, 3);

        Assert.Equal(["r3"], plan.ReviewersByApplication["app-1"]);
        Assert.Equal(3, plan.ReviewersByApplication["app-2"].Count);
        var shortfall = Assert.Single(plan.Shortfalls);
        Assert.StartsWith("app-1: 2 reviewers missing (1 of 3 assigned;", shortfall, StringComparison.Ordinal);
    }

    [Fact]
    public void No_reviewer_carries_more_than_their_sheets_hold_and_what_is_left_over_is_a_named_shortfall()
    {
        // Two reviewers, three reviews each asked for 1,000 more applications than two reviewers can carry.
        var applications = Enumerable.Range(0, ReviewerAssignment.MaxReviewsPerReviewer + 1_000)
            .Select(i => new ToAssign($"app-{i:D5}", "o")).ToList();

        var plan = ReviewerAssignment.Assign(applications, [Member("r1"), Member("r2")], 1, new Dictionary<string, int> { ["r2"] = ReviewerAssignment.MaxReviewsPerReviewer - 500 });

        var load = plan.ReviewersByApplication.Values.SelectMany(r => r).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ReviewerAssignment.MaxReviewsPerReviewer, load["r1"]);
        Assert.Equal(500, load["r2"]);
        Assert.Equal(500, plan.Shortfalls.Count);
        Assert.EndsWith("no other panel member is free of conflict with fewer than 3,000 reviews)", plan.Shortfalls[0], StringComparison.Ordinal);
        // Both now carry the most they can: a review that lapses or is declined has nobody to go to.
        var carried = new Dictionary<string, int> { ["r1"] = load["r1"], ["r2"] = load["r2"] + ReviewerAssignment.MaxReviewsPerReviewer - 500 };
        Assert.Null(ReviewerAssignment.Replacement(new ToAssign("app-x", "o"), [Member("r1"), Member("r2")], new HashSet<string>(), carried));
    }

    [Fact]
    public void A_reviewer_listed_twice_on_the_panel_is_assigned_once_and_conflicted_by_either_entry()
    {
        List<PanelMember> panel = [Member("r1"), Member("r1", declared: ["org-a"]), Member("r2")];

        var plan = ReviewerAssignment.Assign([new ToAssign("app-1", "org-a"), new ToAssign("app-2", "org-b")], panel, 3);

        Assert.Equal(["r2"], plan.ReviewersByApplication["app-1"]);
        Assert.Equal(["r1", "r2"], plan.ReviewersByApplication["app-2"]);
    }

    [Fact]
    public void A_replacement_is_the_least_loaded_reviewer_who_is_free_of_conflict_and_not_excluded()
    {
        List<PanelMember> panel = [Member("r1", memberOf: ["org-a"]), Member("r2"), Member("r3"), Member("r4"), Member("r5")];
        var load = new Dictionary<string, int> { ["r1"] = 0, ["r2"] = 3, ["r3"] = 1, ["r4"] = 0, ["r5"] = 1 };

        var replacement = ReviewerAssignment.Replacement(new ToAssign("app-1", "org-a"), panel, new HashSet<string> { "r4" }, load);

        // r1 conflicted, r4 excluded; r3 and r5 both carry one, and r3 comes first.
        Assert.Equal("r3", replacement);
    }

    [Fact]
    public void There_is_no_replacement_when_every_reviewer_is_conflicted_or_excluded()
    {
        List<PanelMember> panel = [Member("r1", memberOf: ["org-a"]), Member("r2", declared: ["org-a"]), Member("r3")];

        var replacement = ReviewerAssignment.Replacement(new ToAssign("app-1", "org-a"), panel, new HashSet<string> { "r3" }, new Dictionary<string, int>());

        Assert.Null(replacement);
    }

    private const int Cases = 300;

    private static List<ToAssign> Applications(int count, Func<int, string> organization) =>
        Enumerable.Range(0, count).Select(i => new ToAssign($"app-{i:D3}", organization(i))).ToList();

    private static Dictionary<string, int> Loads(AssignmentPlan plan, IEnumerable<PanelMember> panel) =>
        panel.ToDictionary(m => m.ReviewerId, m => plan.ReviewersByApplication.Values.Count(list => list.Contains(m.ReviewerId)));

    [Fact]
    public void Without_conflicts_every_application_gets_n_distinct_reviewers_and_loads_differ_by_at_most_one()
    {
        Gen.Select(Gen.Int[1, 12], Gen.Int[0, 60]).SelectMany((panelSize, count) => Gen.Int[1, panelSize].Select(n => (panelSize, count, n))).Sample(
            (panelSize, count, n) =>
            {
                var panel = Enumerable.Range(0, panelSize).Select(i => Member($"r{i}")).ToList();

                var plan = ReviewerAssignment.Assign(Applications(count, i => $"org-{i}"), panel, n);

                Assert.Equal(count, plan.ReviewersByApplication.Count);
                Assert.All(plan.ReviewersByApplication.Values, reviewers => Assert.Equal(n, reviewers.Distinct().Count()));
                Assert.All(plan.ReviewersByApplication.Values, reviewers => Assert.Equal(n, reviewers.Count));
                Assert.Empty(plan.Shortfalls);
                var loads = Loads(plan, panel).Values;
                Assert.True(loads.Max() - loads.Min() <= 1, $"loads {string.Join(", ", loads)}");
            },
            iter: Cases);
    }

    /// <summary>A panel whose members belong to and declare conflicts with any of six organizations, and applications from them.</summary>
    private static readonly Gen<(List<PanelMember> Panel, List<ToAssign> Applications, int N)> Conflicted =
        Gen.Select(
            Gen.Select(Gen.Int[0, 5].List[0, 2], Gen.Int[0, 5].List[0, 2]).List[0, 10],
            Gen.Int[0, 5].List[0, 40],
            Gen.Int[0, 6],
            (members, organizations, n) => (
                members.Select((m, i) => Member($"r{i}", [.. m.Item1.Select(o => $"org-{o}")], [.. m.Item2.Select(o => $"org-{o}")])).ToList(),
                organizations.Select((o, i) => new ToAssign($"app-{i:D3}", $"org-{o}")).ToList(),
                n));

    [Fact]
    public void With_conflicts_no_reviewer_is_ever_assigned_a_conflicted_application_or_the_same_one_twice()
    {
        Conflicted.Sample((panel, applications, n) =>
        {
            var plan = ReviewerAssignment.Assign(applications, panel, n);
            var byId = panel.ToDictionary(m => m.ReviewerId);

            foreach (var application in applications)
            {
                var reviewers = plan.ReviewersByApplication[application.ApplicationId];
                Assert.Equal(reviewers.Count, reviewers.Distinct().Count());
                Assert.All(reviewers, r => Assert.False(ReviewerAssignment.HasConflict(byId[r], application.OrganizationId)));

                var free = panel.Count(m => !ReviewerAssignment.HasConflict(m, application.OrganizationId));
                Assert.Equal(Math.Min(n, free), reviewers.Count);
                Assert.Equal(reviewers.Count < n, plan.Shortfalls.Exists(s => s.StartsWith(application.ApplicationId + ":", StringComparison.Ordinal)));
            }
        }, iter: Cases);
    }

    [Fact]
    public void The_same_applications_and_panel_in_any_order_give_the_same_plan()
    {
        static string Describe(AssignmentPlan plan) =>
            string.Join("; ", plan.ReviewersByApplication.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={string.Join(",", p.Value)}"))
            + " | " + string.Join("; ", plan.Shortfalls);

        Conflicted
            .SelectMany((panel, applications, n) => Gen.Select(Gen.Shuffle(panel.ToArray()), Gen.Shuffle(applications.ToArray()))
                .Select((p, a) => (panel, applications, n, p, a)))
            .Sample((panel, applications, n, shuffledPanel, shuffledApplications) =>
                Assert.Equal(
                    Describe(ReviewerAssignment.Assign(applications, panel, n)),
                    Describe(ReviewerAssignment.Assign(shuffledApplications, shuffledPanel, n))),
                iter: Cases);
    }
}

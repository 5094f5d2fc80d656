using System.Globalization;

namespace Serverless.Core.Ventures;

/// <summary>A reviewer on the round's panel, with the organizations (ids) they belong to or have declared a conflict with.</summary>
public sealed record PanelMember(string ReviewerId, string Name, IReadOnlyList<string> MemberOf, IReadOnlyList<string> DeclaredConflicts);

/// <summary>An eligible application waiting for reviewers, and the organization that applied.</summary>
public sealed record ToAssign(string ApplicationId, string OrganizationId);

/// <summary>
/// Who reviews what: reviewer ids per application (every application has an entry, empty when nobody could take it),
/// and a line for each application that got fewer reviewers than the round asks for.
/// </summary>
public sealed record AssignmentPlan(Dictionary<string, List<string>> ReviewersByApplication, List<string> Shortfalls);

/// <summary>
/// Gives each application its reviewers, balanced in load, never a reviewer who belongs to or declared a conflict
/// with the applicant. Pure and deterministic: applications go in id order and ties in load go to the lower
/// reviewer id, so the same round always gets the same plan whatever order its lists arrive in.
/// </summary>
public static class ReviewerAssignment
{
    /// <summary>
    /// The most reviews one reviewer carries in a round: what their sixteen review sheets hold with room to spare (a
    /// sheet's document is one 64 KiB string, about 300 entries; <see cref="ReviewStore"/>). Three times the load of the
    /// district's panel (10,000 applications, 3 reviews each, 30 reviewers); beyond it, the rest is a recorded shortfall.
    /// </summary>
    public const int MaxReviewsPerReviewer = 3_000;

    /// <summary>A reviewer may not review an organization they are a member of, or have declared a conflict with.</summary>
    public static bool HasConflict(PanelMember reviewer, string organizationId)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        ArgumentNullException.ThrowIfNull(organizationId);

        // Lists read back from storage may be absent: absent means none.
        return (reviewer.MemberOf?.Contains(organizationId, StringComparer.Ordinal) ?? false)
            || (reviewer.DeclaredConflicts?.Contains(organizationId, StringComparer.Ordinal) ?? false);
    }

    /// <summary>
    /// For each application in id order (ordinal): the <paramref name="reviewersPerApplication"/> conflict-free reviewers
    /// with the lowest load so far (ties by reviewer id, ordinal), each of whom then carries one more, up to
    /// <see cref="MaxReviewsPerReviewer"/>. When fewer are free, those there are are assigned and the shortfall is recorded. <paramref name="existingLoad"/> counts the
    /// reviews each reviewer already carries (reviewer id → count); a reviewer not in it carries none.
    /// </summary>
    /// <exception cref="ArgumentException">Two applications share an id, or a panel member has no reviewer id.</exception>
    public static AssignmentPlan Assign(
        IReadOnlyList<ToAssign> applications,
        IReadOnlyList<PanelMember> panel,
        int reviewersPerApplication,
        IReadOnlyDictionary<string, int>? existingLoad = null)
    {
        ArgumentNullException.ThrowIfNull(applications);
        ArgumentOutOfRangeException.ThrowIfNegative(reviewersPerApplication);
        var reviewers = Reviewers(panel);
        var load = reviewers.Keys.ToDictionary(id => id, id => existingLoad?.GetValueOrDefault(id) ?? 0, StringComparer.Ordinal);

        var byApplication = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var shortfalls = new List<string>();
        foreach (var application in applications.OrderBy(a => a.ApplicationId, StringComparer.Ordinal))
        {
            if (byApplication.ContainsKey(application.ApplicationId))
            {
                throw new ArgumentException($"Application {application.ApplicationId} appears more than once.", nameof(applications));
            }

            var chosen = Free(application, reviewers, null, load).Take(reviewersPerApplication).ToList();
            foreach (var reviewerId in chosen)
            {
                load[reviewerId]++;
            }

            byApplication.Add(application.ApplicationId, chosen);
            var missing = reviewersPerApplication - chosen.Count;
            if (missing > 0)
            {
                // Names the application, never the applicant: the line is shown on the round, and review may be blind.
                shortfalls.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{application.ApplicationId}: {missing} {(missing == 1 ? "reviewer" : "reviewers")} missing ({chosen.Count} of {reviewersPerApplication} assigned; no other panel member is free of conflict with fewer than {MaxReviewsPerReviewer:N0} reviews)"));
            }
        }

        return new AssignmentPlan(byApplication, shortfalls);
    }

    /// <summary>
    /// One more reviewer for an application (after a decline for conflict, or a lapsed review): the least-loaded
    /// conflict-free reviewer not in <paramref name="exclude"/>, ties by reviewer id (ordinal); null when there is none.
    /// A reviewer not in <paramref name="load"/> carries no reviews.
    /// </summary>
    public static string? Replacement(ToAssign application, IReadOnlyList<PanelMember> panel, IReadOnlySet<string> exclude, IReadOnlyDictionary<string, int> load)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(exclude);
        ArgumentNullException.ThrowIfNull(load);
        return Free(application, Reviewers(panel), exclude, load).FirstOrDefault();
    }

    /// <summary>
    /// The panel by reviewer id. A reviewer listed twice is one reviewer, conflicted if either entry says so, so that
    /// no one can be assigned twice to an application or slip past a conflict recorded on the other entry.
    /// </summary>
    private static Dictionary<string, List<PanelMember>> Reviewers(IReadOnlyList<PanelMember> panel)
    {
        ArgumentNullException.ThrowIfNull(panel);
        var reviewers = new Dictionary<string, List<PanelMember>>(StringComparer.Ordinal);
        foreach (var member in panel)
        {
            ArgumentNullException.ThrowIfNull(member, nameof(panel));
            if (string.IsNullOrEmpty(member.ReviewerId))
            {
                throw new ArgumentException($"Panel member {member.Name} has no reviewer id.", nameof(panel));
            }

            if (!reviewers.TryGetValue(member.ReviewerId, out var entries))
            {
                reviewers[member.ReviewerId] = entries = [];
            }

            entries.Add(member);
        }

        return reviewers;
    }

    private static IEnumerable<string> Free(
        ToAssign application, Dictionary<string, List<PanelMember>> reviewers, IReadOnlySet<string>? exclude, IReadOnlyDictionary<string, int> load) =>
        reviewers
            .Where(r => exclude?.Contains(r.Key) != true && !r.Value.Exists(m => HasConflict(m, application.OrganizationId))
                && load.GetValueOrDefault(r.Key) < MaxReviewsPerReviewer)
            .Select(r => r.Key)
            .OrderBy(id => load.GetValueOrDefault(id))
            .ThenBy(id => id, StringComparer.Ordinal);
}

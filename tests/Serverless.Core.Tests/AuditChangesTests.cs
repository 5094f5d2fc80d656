using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>The before/after summary an audit record holds: changed fields by path, personal data masked, bounded.</summary>
public sealed class AuditChangesTests
{
    [Fact]
    public void Only_changed_fields_are_listed_by_their_path()
    {
        var changes = Audit.Changes(
            """{"status":"submitted","content":{"title":"助餐","amountRequested":50000},"version":1}""",
            """{"status":"submitted","content":{"title":"助餐","amountRequested":45000},"version":2}""");

        Assert.Equal(
            [new AuditChange("content.amountRequested", "50000", "45000"), new AuditChange("version", "1", "2")],
            changes);
    }

    [Fact]
    public void A_creation_lists_every_field_as_new_and_a_removed_field_as_gone()
    {
        Assert.Equal([new AuditChange("a", null, "1"), new AuditChange("b", null, "\"x\"")], Audit.Changes(null, """{"a":1,"b":"x"}"""));
        Assert.Equal([new AuditChange("b", "\"x\"", null)], Audit.Changes("""{"a":1,"b":"x"}""", """{"a":1}"""));
    }

    [Fact]
    public void Personal_data_and_sealed_bids_are_masked_in_the_trail()
    {
        var changes = Audit.Changes(
            """{"phone":"13800138000","beneficiaryName":"王秀英","sealed":{"ciphertext":"abc"}}""",
            """{"phone":"13900139000","beneficiaryName":"李桂兰","sealed":{"ciphertext":"def"}}""");

        Assert.DoesNotContain(changes, c => $"{c.Before}{c.After}".Contains("139", StringComparison.Ordinal) || $"{c.Before}{c.After}".Contains('王')
            || $"{c.Before}{c.After}".Contains("def", StringComparison.Ordinal));
        Assert.Equal(["beneficiaryName", "phone", "sealed.ciphertext"], changes.Select(c => c.Path));
    }

    [Fact]
    public void Long_values_are_shortened_and_many_changes_are_capped()
    {
        var before = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"f{i:D3}\":0")) + ",\"long\":\"\"}";
        var after = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"f{i:D3}\":1")) + $",\"long\":\"{new string('x', 1000)}\"}}";

        var changes = Audit.Changes(before, after);

        Assert.Equal(40, changes.Count);
        Assert.Equal("…", changes[^1].Path);
        Assert.All(changes, c => Assert.True((c.After?.Length ?? 0) <= 161));
    }
}

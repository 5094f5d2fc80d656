using Azure.Data.Tables;
using Serverless.Core.Common;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Reading a trail while its aggregate is being written, on real tables (Azurite, a prefix of its own): the row
/// and its records are two reads, and a write between them must not be reported as a broken chain (the
/// emulator even shows a batch's rows one at a time). The duplicate-delivery test once saw a round's trail
/// reported broken while its workflow moved it on.
/// </summary>
public sealed class AuditReadTests
{
    private sealed record Counter(int Value);

    [Fact]
    public async Task A_trail_read_while_its_aggregate_is_written_is_never_reported_broken()
    {
        var storage = await Azurite.OwnStorageAsync("auditread");
        var table = await storage.TableAsync("Counters");
        Assert.True(await table.TryAddAuditedAsync("counter", "c1", Documents.ToEntity("p", "c1", new Counter(0))));

        var writing = Task.Run(async () =>
        {
            for (var i = 1; i <= 150; i++)
            {
                var current = (await table.FindAsync("p", "c1"))!;
                await table.UpdateAuditedAsync("counter", "c1", Documents.ToEntity("p", "c1", new Counter(i)), current.ETag);
                // A busy aggregate (a round's workflow, a request's dispatch) writes a few times a second, not back to back.
                await Task.Delay(20);
            }
        });

        var reads = 0;
        var broken = new List<string>();
        while (!writing.IsCompleted)
        {
            var (_, verification) = (await table.ReadAsync("p", "c1"))!.Value;
            reads++;
            if (!verification.Intact)
            {
                broken.AddRange(verification.Breaks);
            }
        }

        await writing;
        Assert.True(reads > 10, $"only {reads} reads overlapped the writes");
        Assert.True(broken.Count == 0, $"{broken.Count} breaks reported in {reads} reads:\n" + string.Join("\n", broken.Distinct().Take(5)));
        var (entries, final) = (await table.ReadAsync("p", "c1"))!.Value;
        Assert.True(final.Intact);
        Assert.Equal(151, entries.Count);
    }
}

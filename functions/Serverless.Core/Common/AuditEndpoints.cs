using Microsoft.AspNetCore.Http;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;

namespace Serverless.Core.Common;

/// <summary>An aggregate's audit trail as the bureau reads it, with the outcome of walking its chain.</summary>
public sealed record AuditTrail(string Aggregate, string Id, bool Intact, long Records, IReadOnlyList<string> Breaks, IReadOnlyList<AuditEntry> Entries);

public static class AuditEndpoints
{
    /// <summary>
    /// Where each audited aggregate lives. Most are found by id alone; those stored within a parent's partition
    /// (an application within its round, a bid within its tender…) also need the parent, as a query parameter.
    /// </summary>
    private static readonly Dictionary<string, Locator> Aggregates = new(StringComparer.Ordinal)
    {
        [OrganizationStore.Aggregate] = new([], (id, _) => OrganizationStore.Locate(id)),
        [MembershipStore.Aggregate] = new([], (id, _) => MembershipStore.Locate(id)),
        [RoundStore.Aggregate] = new([], (id, _) => RoundStore.Locate(id)),
        [ApplicationStore.Aggregate] = new(["round"], (id, q) => ApplicationStore.Locate(q[0], id)),
        [ReviewStore.Aggregate] = new(["round", "reviewer"], (id, q) => ReviewStore.Locate(q[0], id, q[1])),
        [ReviewStore.SheetAggregate] = new(["round", "reviewer"], (id, q) => ReviewStore.LocateSheet(q[0], q[1], id)),
        [ObjectionStore.Aggregate] = new(["round"], (id, q) => ObjectionStore.Locate(q[0], id)),
        [ResultStore.Aggregate] = new(["round"], (id, q) => ResultStore.Locate(q[0], id)),
        [GrantStore.Aggregate] = new([], (id, _) => GrantStore.Locate(id)),
        [GrantStore.ReportAggregate] = new(["grant"], (id, q) => GrantStore.LocateReport(q[0], id)),
        [TenderStore.Aggregate] = new([], (id, _) => TenderStore.Locate(id)),
        [BidStore.Aggregate] = new(["tender"], (id, q) => BidStore.Locate(q[0], id)),
        [QuestionStore.Aggregate] = new(["tender"], (id, q) => QuestionStore.Locate(q[0], id)),
        [EvaluationStore.Aggregate] = new(["tender", "evaluator"], (id, q) => EvaluationStore.Locate(q[0], id, q[1])),
        [AwardStore.Aggregate] = new(["tender"], (id, q) => AwardStore.Locate(q[0], id)),
        [AwardStore.ChallengeAggregate] = new(["tender"], (id, q) => AwardStore.LocateChallenge(q[0], id)),
        [ContractStore.Aggregate] = new([], (id, _) => ContractStore.Locate(id)),
        [PerformanceStore.Aggregate] = new(["organization"], (id, q) => PerformanceStore.Locate(q[0], id)),
        [VolunteerStore.Aggregate] = new([], (id, _) => VolunteerStore.Locate(id)),
        [RequestStore.Aggregate] = new([], (id, _) => RequestStore.Locate(id)),
        [RequestStore.OfferAggregate] = new(["volunteer"], (id, q) => RequestStore.LocateOffer(q[0], id)),
        [PairingStore.Aggregate] = new([], (id, _) => PairingStore.Locate(id)),
        [HoursLedger.Aggregate] = new(["volunteer"], (id, q) => HoursLedger.Locate(q[0], id)),
    };

    /// <summary>The names of every aggregate with a trail, for docs and tests.</summary>
    public static IReadOnlyCollection<string> AggregateNames => Aggregates.Keys;

    /// <summary>GET /api/audit/{aggregate}/{id}: the bureau's view of who changed what, verified link by link.</summary>
    public static async Task<IResult> GetAuditTrail(EndpointContext ctx)
    {
        ctx.Caller.Require(Role.Admin);
        var aggregate = ctx.Route("aggregate");
        var id = ctx.Route("id");
        if (!Aggregates.TryGetValue(aggregate, out var locator))
        {
            throw Problem.NotFound($"An audited kind named '{aggregate}'").ToException();
        }

        var v = new Validation();
        var parents = new List<string>();
        foreach (var name in locator.Parents)
        {
            var value = ctx.Query(name);
            if (value is null)
            {
                v.Add(name, $"Required for {aggregate}: the id of the {name} it belongs to.");
            }
            else if (!RouteValues.IsId(value))
            {
                v.Add(name, "Not an id of this product.");
            }

            parents.Add(value ?? string.Empty);
        }

        v.ThrowIfAny();
        var (tableName, partition, row) = locator.Locate(id, parents);
        var table = await ctx.Service<Storage>().TableAsync(tableName, ctx.Aborted);
        var (entries, verification) = await table.ReadAsync(partition, row, ctx.Aborted)
            ?? throw Problem.NotFound($"The {aggregate} '{id}'").ToException();
        return Reply.Ok(new AuditTrail(aggregate, id, verification.Intact, verification.Records, verification.Breaks, entries));
    }

    private sealed record Locator(string[] Parents, Func<string, IReadOnlyList<string>, (string Table, string Partition, string Row)> Locate);
}

using System.Text.Json.Serialization;
using Serverless.Core.Common;

namespace Serverless.Core.Dispatch;

/// <summary>How soon someone must be on site (DOMAIN.md): emergencies 30 minutes, red 2 hours, yellow 24, blue 72.</summary>
public enum UrgencyTier
{
    Emergency,
    Red,
    Yellow,
    Blue,
}

/// <summary>The special groups served first (重点人群).</summary>
public enum Vulnerability
{
    /// <summary>独居、空巢老人</summary>
    ElderlyAlone,

    /// <summary>残疾人</summary>
    Disabled,

    /// <summary>低保、特困</summary>
    LowIncome,

    /// <summary>留守儿童</summary>
    LeftBehindChild,

    Other,
}

/// <summary>Where the request came from: a grid worker's needs log (民情日志), the 12349 hotline, a pairing's schedule.</summary>
public enum RequestSource
{
    NeedsLog,
    Hotline,
    Pairing,
}

public enum RequestStatus
{
    /// <summary>Offers going out down the ranking.</summary>
    Dispatching,

    /// <summary>A volunteer accepted; on the way.</summary>
    Accepted,

    CheckedIn,
    CheckedOut,

    /// <summary>Confirmed by the grid worker; hours credited.</summary>
    Confirmed,

    /// <summary>No candidate left anywhere in the street: handed to the community social worker.</summary>
    Escalated,

    /// <summary>Not checked out within 24 hours of check-in: closed unconfirmed and flagged.</summary>
    Unconfirmed,

    Cancelled,
}

public enum OfferStatus
{
    Open,
    Accepted,
    Declined,
    Expired,

    /// <summary>Another volunteer accepted first (an emergency offered to several at once).</summary>
    StoodDown,

    /// <summary>Accepted, then not on site by the deadline.</summary>
    NoShow,
}

public static class Urgency
{
    /// <summary>The window from creation to the deadline to be on site.</summary>
    public static TimeSpan Window(UrgencyTier tier) => tier switch
    {
        UrgencyTier.Emergency => TimeSpan.FromMinutes(30),
        UrgencyTier.Red => TimeSpan.FromHours(2),
        UrgencyTier.Yellow => TimeSpan.FromHours(24),
        _ => TimeSpan.FromHours(72),
    };

    /// <summary>
    /// The warning point: a request nobody has accepted by the last quarter of its window is escalated then,
    /// while there is still time to act, not after the deadline has passed.
    /// </summary>
    public static DateTimeOffset WarnAt(DateTimeOffset createdAt, DateTimeOffset deadline) => deadline - ((deadline - createdAt) / 4);
}

/// <summary>One line of a request's history, in order: created, ranked, offered, declined, accepted, escalated …</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Text, List<string>? Details = null);

/// <summary>An offer as the request keeps track of it.</summary>
public sealed record OfferRef(string OfferId, string VolunteerId, int Round, DateTimeOffset ExpiresAt, OfferStatus Status);

/// <summary>A service request (服务需求): who needs what, where, by when, and where its dispatch stands.</summary>
public sealed record ServiceRequest(
    string Id,
    string BeneficiaryId,
    string BeneficiaryName,
    Vulnerability Vulnerability,
    string Need,
    List<Skill> Skills,
    string GridId,
    string CommunityId,
    string Street,
    UrgencyTier Tier,
    RequestSource Source,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset Deadline,
    DateTimeOffset WarnAt,
    RequestStatus Status,
    int Level = 0,
    int Round = 0,
    List<OfferRef>? Offers = null,
    string? VolunteerId = null,
    DateTimeOffset? AcceptedAt = null,
    DateTimeOffset? CheckInBy = null,
    DateTimeOffset? CheckedInAt = null,
    DateTimeOffset? CheckedOutAt = null,
    DateTimeOffset? ConfirmedAt = null,
    string? ConfirmedBy = null,
    decimal? Hours = null,
    DateTimeOffset? AtRiskSince = null,
    DateTimeOffset? EscalatedAt = null,
    bool Flagged = false,
    string? PairingId = null)
{
    public static string Location(string id) => $"/api/service-requests/{id}";

    [JsonIgnore]
    public List<OfferRef> OfferList => Offers ?? [];

    /// <summary>Every volunteer offered this request in any round: never offered it twice.</summary>
    [JsonIgnore]
    public IReadOnlySet<string> Offered => OfferList.Select(o => o.VolunteerId).ToHashSet(StringComparer.Ordinal);

    public bool IsClosed => Status is RequestStatus.Confirmed or RequestStatus.Unconfirmed or RequestStatus.Cancelled;

    /// <summary>The request with the beneficiary's name and id masked, also wherever they appear in the need.</summary>
    public ServiceRequest Masked() => this with
    {
        BeneficiaryId = BeneficiaryMasking.Id(BeneficiaryId),
        BeneficiaryName = BeneficiaryMasking.Name(BeneficiaryName),
        Need = BeneficiaryMasking.Text(Need, BeneficiaryName, BeneficiaryId),
    };
}

/// <summary>
/// A beneficiary's personal data (who they are: name and id) is for the bureau and the dispatchers of the
/// beneficiary's community (<see cref="Caller.ServesCommunity"/>) only. Everyone else who may read a request,
/// a pairing, an offer or a ledger entry (the volunteer serving it, a dispatcher of another community) sees it
/// masked: enough to recognise the person they were sent to, not enough to identify them.
/// </summary>
public static class BeneficiaryMasking
{
    /// <summary>张大爷 becomes 张**: the family name, then one star per character.</summary>
    public static string Name(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var info = new System.Globalization.StringInfo(name.Trim());
        return info.LengthInTextElements <= 1 ? "*" : info.SubstringByTextElements(0, 1) + new string('*', info.LengthInTextElements - 1);
    }

    /// <summary>res-1a2b3c4d becomes res****3c4d; anything shorter than eight characters is ****.</summary>
    public static string Id(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length < 8 ? "****" : $"{id[..3]}****{id[^4..]}";
    }

    /// <summary>The text with every occurrence of the beneficiary's id and name (two characters or more) masked.</summary>
    public static string Text(string text, string name, string id)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(id);
        var masked = id.Length > 0 ? text.Replace(id, Id(id), StringComparison.Ordinal) : text;
        var trimmed = name.Trim();
        return trimmed.Length >= 2 ? masked.Replace(trimmed, Name(trimmed), StringComparison.Ordinal) : masked;
    }
}

/// <summary>A service request as the dispatcher posts it.</summary>
public sealed record ServiceRequestForm(
    [property: IdValue] string? BeneficiaryId,
    string? BeneficiaryName,
    Vulnerability? Vulnerability,
    string? Need,
    List<Skill>? Skills,
    [property: IdValue] string? GridId,
    UrgencyTier? Tier,
    RequestSource? Source)
{
    public ServiceRequest Validate(string id, Caller caller, DateTimeOffset now, DistrictMap map, Func<UrgencyTier, TimeSpan>? window = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(map);
        var v = new Validation();
        var beneficiaryId = v.Text("beneficiaryId", BeneficiaryId, 64);
        var beneficiaryName = v.Text("beneficiaryName", BeneficiaryName, 50);
        var need = v.Text("need", Need, 2000, 2);
        var skills = (Skills ?? []).Distinct().ToList();
        v.Count("skills", skills, 1, 4);
        var grid = GridId is null ? null : map.FindGrid(GridId);
        if (grid is null)
        {
            v.Add("gridId", "One of the district's grids (网格), such as g0001.");
        }

        if (Tier is null)
        {
            v.Add("tier", "Required: emergency, red, yellow or blue.");
        }

        v.ThrowIfAny();
        var deadline = now + (window ?? Urgency.Window)(Tier!.Value);
        var community = map.CommunityOf(grid!.Id);
        return new ServiceRequest(id, beneficiaryId, beneficiaryName, Vulnerability ?? Dispatch.Vulnerability.Other, need, skills, grid.Id,
            community.Id, community.Street, Tier.Value, Source ?? RequestSource.NeedsLog, now, caller.Id!, deadline,
            Urgency.WarnAt(now, deadline), RequestStatus.Dispatching, Offers: []);
    }
}

/// <summary>An offer (派单) to one volunteer, with its timeout.</summary>
public sealed record Offer(
    string Id,
    string RequestId,
    string VolunteerId,
    int Round,
    int Level,
    int Rank,
    double Score,
    UrgencyTier Tier,
    string Need,
    List<Skill> Skills,
    string GridId,
    DateTimeOffset Deadline,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    OfferStatus Status,
    DateTimeOffset? AnsweredAt = null,
    Vulnerability Vulnerability = Vulnerability.Other)
{
    public static string IdFor(string requestId, string volunteerId, int round) => Ids.Derive("ofr", requestId, volunteerId, round.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

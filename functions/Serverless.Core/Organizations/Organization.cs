using Microsoft.AspNetCore.Http;
using Serverless.Core.Common;

namespace Serverless.Core.Organizations;

/// <summary>A social organization (社会组织) as registered with the civil-affairs bureau.</summary>
public sealed record Organization(
    string Id,
    string Name,
    string CreditCode,
    DateOnly FoundedOn,
    Address Address,
    Contact Contact,
    List<ProgrammeArea> ServiceAreas,
    DateTimeOffset RegisteredAt,
    DateOnly? DebarredUntil = null)
{
    public bool IsDebarred(DateOnly today) => DebarredUntil is { } until && today <= until;
}

/// <summary>Where the organization is: the street (街道) or town and the community (社区) of the district.</summary>
public sealed record Address(string Street, string Community, string? Detail);

public sealed record Contact(string Name, string Phone, string? Email);

/// <summary>The registration request, as posted. Everything is nullable so missing fields become field errors.</summary>
public sealed record OrganizationForm(
    string? Name,
    string? CreditCode,
    DateOnly? FoundedOn,
    AddressForm? Address,
    ContactForm? Contact,
    List<ProgrammeArea>? ServiceAreas)
{
    public Organization Validate(string id, DateTimeOffset now)
    {
        var v = new Validation();
        var name = v.Text("name", Name, 100, 2);
        var code = (CreditCode ?? string.Empty).Trim().ToUpperInvariant();
        if (Organizations.CreditCode.Check(code) is { } why)
        {
            v.Add("creditCode", why);
        }

        if (FoundedOn is null)
        {
            v.Add("foundedOn", "Required (yyyy-mm-dd).");
        }
        else if (FoundedOn > DateOnly.FromDateTime(now.UtcDateTime))
        {
            v.Add("foundedOn", "Cannot be in the future.");
        }

        var street = v.Text("address.street", Address?.Street, 50);
        var community = v.Text("address.community", Address?.Community, 50);
        var detail = v.OptionalText("address.detail", Address?.Detail, 200);
        var contactName = v.Text("contact.name", Contact?.Name, 50);
        var phone = v.Phone("contact.phone", Contact?.Phone);
        var email = v.Email("contact.email", Contact?.Email);
        v.Count("serviceAreas", ServiceAreas, 1, 7);
        v.ThrowIfAny();
        return new Organization(id, name, code, FoundedOn!.Value, new Address(street, community, detail),
            new Contact(contactName, phone, email), ServiceAreas!.Distinct().ToList(), now);
    }
}

public sealed record AddressForm(string? Street, string? Community, string? Detail);

public sealed record ContactForm(string? Name, string? Phone, string? Email);

/// <summary>An organization as a caller sees it: the contact phone masked unless the caller is an admin or a member.</summary>
public sealed record OrganizationView(
    string Id,
    string Name,
    string CreditCode,
    DateOnly FoundedOn,
    Address Address,
    Contact Contact,
    List<ProgrammeArea> ServiceAreas,
    DateTimeOffset RegisteredAt,
    bool Debarred)
{
    public static OrganizationView Of(Organization o, Caller caller, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(caller);
        var full = caller.IsIn(Role.Admin) || caller.ActsFor(o.Id);
        var contact = full ? o.Contact : o.Contact with { Phone = Masking.Phone(o.Contact.Phone), Email = null };
        return new OrganizationView(o.Id, o.Name, o.CreditCode, o.FoundedOn, o.Address, contact, o.ServiceAreas,
            o.RegisteredAt, o.IsDebarred(today));
    }

    public static string Location(string id) => $"/api/organizations/{id}";
}

using System.Text.RegularExpressions;

namespace Serverless.Core.Common;

/// <summary>Collects every failing field of a request so the client sees all of them at once.</summary>
public sealed partial class Validation
{
    private static readonly System.Buffers.SearchValues<char> PrincipalIdCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.@+:=~");

    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    /// <summary>Fields already refused as read (a form's "Not a number."): no later rule adds "Required." to them.</summary>
    private readonly HashSet<string> settled = new(StringComparer.Ordinal);

    public Validation()
    {
    }

    /// <summary>Starts from what reading the request already refused, so one reply names every failing field.</summary>
    public Validation(IReadOnlyDictionary<string, string[]>? unreadable)
    {
        foreach (var (field, messages) in unreadable ?? new Dictionary<string, string[]>())
        {
            errors[field] = [.. messages];
            settled.Add(field);
        }
    }

    public bool HasErrors => errors.Count > 0;

    /// <summary>The errors so far, by field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (settled.Contains(field))
        {
            return;
        }

        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    /// <summary>Required text, trimmed, within length bounds (the service's limit is 32K characters a property).</summary>
    public string Text(string field, string? value, int max, int min = 1)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length == 0 && min > 0)
        {
            Add(field, "Required.");
        }
        else if (trimmed.Length < min)
        {
            Add(field, $"At least {min} characters.");
        }
        else if (trimmed.Length > max)
        {
            Add(field, $"At most {max} characters.");
        }
        else if (RequestText.Problem(trimmed, int.MaxValue) is { } problem)
        {
            Add(field, problem);
        }

        return trimmed;
    }

    public string? OptionalText(string field, string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? null : Text(field, value, max);

    public void Range(string field, decimal value, decimal min, decimal max)
    {
        if (value < min || value > max)
        {
            Add(field, $"Must be between {min} and {max}.");
        }
    }

    public void Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            Add(field, $"Must be between {min} and {max}.");
        }
    }

    /// <summary>
    /// A positive ISO 8601 duration (P14D, PT30S) of at most <paramref name="maxYears"/> years: every period,
    /// grace and timeout the product takes is one. Returns the text as given.
    /// </summary>
    public string Duration(string field, string? iso, int maxYears = 1)
    {
        var limit = maxYears == 1 ? "a year" : $"{maxYears} years";
        try
        {
            if (iso is null || System.Xml.XmlConvert.ToTimeSpan(iso) is var span && (span <= TimeSpan.Zero || span > TimeSpan.FromDays(366 * maxYears)))
            {
                Add(field, $"A positive ISO 8601 duration of at most {limit}, such as P14D or PT30S.");
            }
        }
        catch (FormatException)
        {
            // The value is not repeated: replies and logs never echo what a client sent.
            Add(field, "Not an ISO 8601 duration such as P14D or PT30S.");
        }

        return iso ?? "";
    }

    /// <summary>Money in CNY: not negative, at most two decimals (fen).</summary>
    public void Money(string field, decimal value, decimal min = 0m)
    {
        if (value < min)
        {
            Add(field, min == 0m ? "Must not be negative." : $"Must be at least {min}.");
        }
        else if (decimal.Round(value, 2) != value)
        {
            Add(field, "At most two decimal places (fen).");
        }
        else if (value > 1_000_000_000m)
        {
            Add(field, "Too large.");
        }
    }

    public void Count<T>(string field, IReadOnlyCollection<T>? items, int min, int max)
    {
        var count = items?.Count ?? 0;
        if (count < min)
        {
            Add(field, min == 1 ? "At least one is required." : $"At least {min} are required.");
        }
        else if (count > max)
        {
            Add(field, $"At most {max}.");
        }
    }

    /// <summary>A Chinese mobile (11 digits from 1) or landline (area code and number) telephone number.</summary>
    public string Phone(string field, string? value)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (!PhonePattern().IsMatch(trimmed))
        {
            Add(field, "Not a telephone number: 11-digit mobile such as 13800138000, or landline such as 0451-86661234.");
        }

        return trimmed;
    }

    public string? Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length > 254 || !EmailPattern().IsMatch(trimmed))
        {
            Add(field, "Not an email address.");
        }

        return trimmed;
    }

    /// <summary>
    /// An identity's id as the platform gives it (an Entra object id, a provider's user id, the development
    /// sign-in's): 1 to 256 characters of letters, digits and <c>- _ . @ + : = ~</c>. Such ids are named in
    /// rounds' panels and tenders' committees and become parts of table keys, so nothing else is taken.
    /// </summary>
    public static bool IsPrincipalId(string? value) =>
        value is { Length: > 0 and <= 256 } && !value.AsSpan().ContainsAnyExcept(PrincipalIdCharacters);

    /// <summary>A principal id (<see cref="IsPrincipalId"/>), required.</summary>
    public string PrincipalId(string field, string? value)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            Add(field, "Required.");
        }
        else if (!IsPrincipalId(trimmed))
        {
            Add(field, "Not a sign-in id: letters, digits and - _ . @ + : = ~, at most 256 characters.");
        }

        return trimmed;
    }

    /// <summary>An id of this product (<see cref="RouteValues.IsId"/>), required.</summary>
    public string Id(string field, string? value)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            Add(field, "Required.");
        }
        else if (!RouteValues.IsId(trimmed))
        {
            Add(field, "Not an id of this product: letters, digits, '-' and '_', at most 100 characters.");
        }

        return trimmed;
    }

    public void ThrowIfAny()
    {
        if (HasErrors)
        {
            throw Problem.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray())).ToException();
        }
    }

    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}

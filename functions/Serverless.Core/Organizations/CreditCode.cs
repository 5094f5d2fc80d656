namespace Serverless.Core.Organizations;

/// <summary>
/// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, of which the 18th is a check
/// character over the first 17, and characters 9-17 are the organization code (GB 11714-1997) with its own
/// check character in position 17.
/// </summary>
public static class CreditCode
{
    /// <summary>The 31 characters of GB 32100: digits and capitals without I, O, S, V and Z.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    private static readonly int[] OrganizationCodeWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>Why the code is not valid, or null when it is.</summary>
    public static string? Check(string? code)
    {
        if (code is null || code.Length != 18)
        {
            return "A unified social credit code has 18 characters.";
        }

        foreach (var c in code)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return $"'{c}' is not allowed: use digits and capital letters other than I, O, S, V and Z.";
            }
        }

        // Positions 3-8: the administrative division code of the registering authority, six digits.
        if (code.AsSpan(2, 6).ContainsAnyExceptInRange('0', '9'))
        {
            return "Characters 3 to 8 are the administrative division code and must be digits.";
        }

        if (OrganizationCodeCheck(code.AsSpan(8, 8)) != code[16])
        {
            return "Characters 9 to 17 are not a valid organization code (GB 11714 check character).";
        }

        if (CheckCharacter(code.AsSpan(0, 17)) != code[17])
        {
            return "The check character (the 18th) does not match: the code is mistyped.";
        }

        return null;
    }

    public static bool IsValid(string? code) => Check(code) is null;

    /// <summary>The GB 32100 check character for the first 17 characters.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        }

        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }

    /// <summary>The GB 11714 check character for the first 8 characters of an organization code.</summary>
    public static char OrganizationCodeCheck(ReadOnlySpan<char> first8)
    {
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = first8[i];
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            sum += value * OrganizationCodeWeights[i];
        }

        var check = 11 - (sum % 11);
        return check switch
        {
            10 => 'X',
            11 => '0',
            _ => (char)('0' + check),
        };
    }

    /// <summary>
    /// The registration authority (character 1): 5 is civil affairs, the registrar of social organizations.
    /// </summary>
    public static char RegistrationAuthority(string code) => code[0];
}

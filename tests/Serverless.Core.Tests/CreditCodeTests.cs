using CsCheck;
using Serverless.Core.Organizations;

namespace Serverless.Core.Tests;

public sealed class CreditCodeTests
{
    /// <summary>
    /// A code built as the registrar builds one: registration authority and type, six-digit administrative
    /// division, an eight-character organization code body, its GB 11714 check, then the GB 32100 check.
    /// </summary>
    private static readonly Gen<string> ValidCode = Gen.Select(
        Gen.Char[CreditCode.Alphabet].Array[2],
        Gen.Char['0', '9'].Array[6],
        Gen.Char[CreditCode.Alphabet].Array[8],
        (head, division, body) =>
        {
            var first16 = new string([.. head, .. division, .. body]);
            var first17 = first16 + CreditCode.OrganizationCodeCheck(body);
            return first17 + CreditCode.CheckCharacter(first17);
        });

    [Theory]
    [InlineData("91350100M000100Y43")] // GB 32100-2015's own example
    [InlineData("91110000802100433B")] // a Beijing enterprise
    [InlineData("52230102000000019D")] // a social organization registered by civil affairs (5) in Harbin's Daoli district (230102)
    public void A_correctly_formed_code_is_valid(string code)
    {
        Assert.Null(CreditCode.Check(code));
        Assert.True(CreditCode.IsValid(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("91350100M000100Y4")]
    [InlineData("91350100M000100Y433")]
    public void A_code_that_is_not_18_characters_long_is_rejected(string? code)
    {
        Assert.Equal("A unified social credit code has 18 characters.", CreditCode.Check(code));
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('S')]
    [InlineData('V')]
    [InlineData('Z')]
    public void A_code_with_a_letter_the_standard_excludes_is_rejected_naming_the_letter(char letter)
    {
        var code = "91350100" + letter + "000100Y43";

        var why = CreditCode.Check(code);

        Assert.NotNull(why);
        Assert.StartsWith($"'{letter}' is not allowed", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_typed_in_lower_case_is_rejected()
    {
        Assert.StartsWith("'m' is not allowed", CreditCode.Check("91350100m000100y43"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_letter_in_the_administrative_division_is_rejected(int index)
    {
        var chars = "91350100M000100Y43".ToCharArray();
        chars[index] = 'A';

        Assert.Equal("Characters 3 to 8 are the administrative division code and must be digits.", CreditCode.Check(new string(chars)));
    }

    [Fact]
    public void A_wrong_organization_code_check_character_is_rejected_even_when_the_final_check_matches()
    {
        // '5' instead of '4' in position 17, with the 18th recomputed so only GB 11714 can catch it.
        var first17 = "91350100M000100Y5";
        var code = first17 + CreditCode.CheckCharacter(first17);

        var why = CreditCode.Check(code);

        Assert.NotNull(why);
        Assert.Contains("not a valid organization code (GB 11714 check character)", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_final_check_character_is_rejected_as_mistyped()
    {
        Assert.Equal("The check character (the 18th) does not match: the code is mistyped.", CreditCode.Check("91350100M000100Y44"));
    }

    [Theory]
    [InlineData("M000100Y", '4')]
    [InlineData("D2143569", 'X')] // GB 11714's example D2143569-X: a remainder of 1 gives check 10, written X
    [InlineData("00000000", '0')] // a remainder of 0 gives check 11, written 0
    public void The_organization_code_check_follows_gb_11714(string first8, char expected)
    {
        Assert.Equal(expected, CreditCode.OrganizationCodeCheck(first8));
    }

    [Fact]
    public void The_final_check_character_of_the_standard_example_is_3()
    {
        Assert.Equal('3', CreditCode.CheckCharacter("91350100M000100Y4"));
    }

    [Fact]
    public void Every_code_built_by_the_standard_s_rules_is_valid()
    {
        ValidCode.Sample(code => Assert.True(CreditCode.IsValid(code), $"{code}: {CreditCode.Check(code)}"), iter: 2_000);
    }

    [Fact]
    public void Any_single_mistyped_character_makes_a_valid_code_invalid()
    {
        ValidCode.Sample(code =>
        {
            for (var position = 0; position < 18; position++)
            {
                foreach (var replacement in CreditCode.Alphabet)
                {
                    if (replacement == code[position])
                    {
                        continue;
                    }

                    var chars = code.ToCharArray();
                    chars[position] = replacement;
                    var mistyped = new string(chars);
                    Assert.False(CreditCode.IsValid(mistyped), $"{code} with '{replacement}' at position {position + 1} gives {mistyped}, accepted as valid");
                }
            }
        }, iter: 500);
    }

    [Fact]
    public void Any_swap_of_two_different_neighbouring_characters_makes_a_valid_code_invalid()
    {
        ValidCode.Sample(code =>
        {
            for (var i = 0; i < 17; i++)
            {
                if (code[i] == code[i + 1])
                {
                    continue;
                }

                var chars = code.ToCharArray();
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                var swapped = new string(chars);
                Assert.False(CreditCode.IsValid(swapped), $"{code} with positions {i + 1} and {i + 2} swapped gives {swapped}, accepted as valid");
            }
        }, iter: 500);
    }

    [Fact]
    public void The_registration_authority_is_the_first_character()
    {
        Assert.Equal('5', CreditCode.RegistrationAuthority("52230102000000019D"));
    }
}

namespace Serverless.Core.Common;

/// <summary>The programme's areas of service (DOMAIN.md), for rounds and for what organizations serve.</summary>
public enum ProgrammeArea
{
    /// <summary>养老</summary>
    ElderlyCare,

    /// <summary>助残</summary>
    Disability,

    /// <summary>儿童</summary>
    Children,

    /// <summary>心理慰藉</summary>
    PsychologicalComfort,

    /// <summary>文化</summary>
    Culture,

    /// <summary>社区治理</summary>
    CommunityGovernance,

    /// <summary>其他: the domain's list is open ("…"); rounds name the areas they fund.</summary>
    Other,
}

public static class Masking
{
    /// <summary>138****8000: enough to recognise a number, not enough to call it.</summary>
    public static string Phone(string phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var digits = phone.Replace("-", string.Empty, StringComparison.Ordinal);
        return digits.Length < 7 ? "****" : $"{digits[..3]}****{digits[^4..]}";
    }
}

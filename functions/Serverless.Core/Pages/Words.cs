using System.Globalization;
using System.Text.RegularExpressions;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;

namespace Serverless.Core.Pages;

/// <summary>
/// The words the pages take from the core in both languages: the names of domain values, the titles of problems,
/// and the validation messages (the core writes them in English, for the JSON API; a page in Chinese shows them in
/// Chinese). Tests hold every value of the enums the pages show, every problem code and every message the pages'
/// forms can produce to an entry here.
/// </summary>
public static partial class Words
{
    /// <summary>The enums whose values the pages name.</summary>
    public static readonly IReadOnlyList<Type> NamedEnums =
    [
        typeof(ProgrammeArea), typeof(RoundStatus), typeof(ApplicationStatus), typeof(ReviewStatus), typeof(ObjectionStatus),
        typeof(TenderStatus), typeof(BidStatus), typeof(OfferStatus), typeof(UrgencyTier), typeof(Skill), typeof(Vulnerability),
    ];

    private static readonly Dictionary<Enum, (string Zh, string En)> Names = new()
    {
        [ProgrammeArea.ElderlyCare] = ("养老", "Elderly care"),
        [ProgrammeArea.Disability] = ("助残", "Disability"),
        [ProgrammeArea.Children] = ("儿童", "Children"),
        [ProgrammeArea.PsychologicalComfort] = ("心理慰藉", "Psychological comfort"),
        [ProgrammeArea.Culture] = ("文化", "Culture"),
        [ProgrammeArea.CommunityGovernance] = ("社区治理", "Community governance"),
        [ProgrammeArea.Other] = ("其他", "Other"),
        [RoundStatus.Draft] = ("草稿", "Draft"),
        [RoundStatus.Open] = ("申报中", "Open for applications"),
        [RoundStatus.Closed] = ("已截止", "Closed"),
        [RoundStatus.Screening] = ("资格审查", "Screening"),
        [RoundStatus.Review] = ("专家评审", "Expert review"),
        [RoundStatus.Committee] = ("评审委员会审定", "Committee"),
        [RoundStatus.Publicity] = ("结果公示", "Publicity"),
        [RoundStatus.Awarded] = ("已立项", "Awarded"),
        [RoundStatus.Complete] = ("已结束", "Complete"),
        [RoundStatus.Cancelled] = ("已取消", "Cancelled"),
        [ApplicationStatus.Submitted] = ("已提交", "Submitted"),
        [ApplicationStatus.Withdrawn] = ("已撤回", "Withdrawn"),
        [ReviewStatus.Assigned] = ("待评审", "To score"),
        [ReviewStatus.Submitted] = ("已评分", "Scored"),
        [ReviewStatus.Declined] = ("已回避", "Declined"),
        [ReviewStatus.Lapsed] = ("已逾期", "Lapsed"),
        [ObjectionStatus.Open] = ("受理中", "Open"),
        [ObjectionStatus.Upheld] = ("成立", "Upheld"),
        [ObjectionStatus.Dismissed] = ("不成立", "Dismissed"),
        [TenderStatus.Draft] = ("草稿", "Draft"),
        [TenderStatus.Open] = ("投标中", "Open for bids"),
        [TenderStatus.Opened] = ("已开标", "Opened"),
        [TenderStatus.Cancelled] = ("已取消", "Cancelled"),
        [BidStatus.Submitted] = ("已递交", "Submitted"),
        [BidStatus.Withdrawn] = ("已撤回", "Withdrawn"),
        [OfferStatus.Open] = ("待回复", "Waiting for you"),
        [OfferStatus.Accepted] = ("已接单", "Accepted"),
        [OfferStatus.Declined] = ("已婉拒", "Declined"),
        [OfferStatus.Expired] = ("已过期", "Expired"),
        [OfferStatus.StoodDown] = ("已由他人承接", "Taken by another volunteer"),
        [OfferStatus.NoShow] = ("未到场", "No-show"),
        [UrgencyTier.Emergency] = ("紧急", "Emergency"),
        [UrgencyTier.Red] = ("红色（当日）", "Red (same day)"),
        [UrgencyTier.Yellow] = ("黄色（三日内）", "Yellow (within three days)"),
        [UrgencyTier.Blue] = ("蓝色（一周内）", "Blue (within a week)"),
        [Skill.Companionship] = ("陪伴", "Companionship"),
        [Skill.Nursing] = ("护理", "Nursing"),
        [Skill.HomeRepair] = ("维修", "Home repair"),
        [Skill.LegalAid] = ("法律援助", "Legal aid"),
        [Skill.Counselling] = ("心理疏导", "Counselling"),
        [Skill.Tutoring] = ("辅导", "Tutoring"),
        [Skill.Errands] = ("代购", "Errands"),
        [Skill.Cleaning] = ("保洁", "Cleaning"),
        [Vulnerability.ElderlyAlone] = ("独居、空巢老人", "Older person living alone"),
        [Vulnerability.Disabled] = ("残疾人", "Person with a disability"),
        [Vulnerability.LowIncome] = ("低保、特困", "Low-income household"),
        [Vulnerability.LeftBehindChild] = ("留守儿童", "Left-behind child"),
        [Vulnerability.Other] = ("其他居民", "Other resident"),
    };

    /// <summary>The title of each problem code, in Chinese (the English title is the problem's own).</summary>
    private static readonly Dictionary<string, string> ProblemTitles = new(StringComparer.Ordinal)
    {
        [ProblemCodes.ValidationFailed] = "有些内容需要修改",
        [ProblemCodes.MalformedBody] = "提交的内容无法读取",
        [ProblemCodes.UnsupportedMediaType] = "不支持的提交格式",
        [ProblemCodes.PayloadTooLarge] = "提交的内容过大",
        [ProblemCodes.NotFound] = "找不到该页面",
        [ProblemCodes.Unauthenticated] = "请先登录",
        [ProblemCodes.Forbidden] = "无权进行此操作",
        [ProblemCodes.Conflict] = "与当前状态冲突",
        [ProblemCodes.ConcurrentUpdate] = "他人刚刚修改了同一内容",
        [ProblemCodes.DeadlinePassed] = "已过截止时间",
        [ProblemCodes.NotYetOpen] = "尚未开始",
        [ProblemCodes.InvalidState] = "当前状态下无法进行",
        [ProblemCodes.DuplicateCreditCode] = "统一社会信用代码已登记",
        [ProblemCodes.IdempotencyKeyReused] = "重复提交的内容不一致",
        [ProblemCodes.InvalidIdempotencyKey] = "提交标识无效",
        [ProblemCodes.InvalidPrincipal] = "登录身份无法识别",
        [ProblemCodes.DevSignInDisabled] = "开发登录已关闭",
        [ProblemCodes.ServerError] = "系统出错了",
        [ProblemCodes.StorageUnavailable] = "存储暂时无法访问",
        [ProblemCodes.BidsSealed] = "投标文件密封中",
        [ProblemCodes.EvaluationIncomplete] = "评审尚未完成",
        [ProblemCodes.OfferClosed] = "该派单已结束",
        [ProblemCodes.OfferTaken] = "已有其他志愿者接单",
        [ProblemCodes.AlreadyBooked] = "您已有进行中的任务",
        [ProblemCodes.FormForged] = "表单无法验证",
        [ProblemCodes.FormExpired] = "表单已过期",
    };

    /// <summary>
    /// The core's messages and their Chinese. In a pattern, {n} is a number or text passed through and {t} a moment
    /// (ISO 8601), shown again in Beijing time in the reader's format.
    /// </summary>
    private static readonly (string English, string Zh)[] MessageTable =
    [
        ("Required.", "必填。"),
        ("Required (yyyy-mm-dd).", "必填（日期，如 2027-12-31）。"),
        ("At least {n} characters.", "至少 {n} 个字。"),
        ("At most {n} characters.", "最多 {n} 个字。"),
        ("Must be between {n} and {n}.", "须在 {n} 至 {n} 之间。"),
        ("Between {n} and {n}.", "须在 {n} 至 {n} 分之间。"),
        ("Must not be negative.", "不能为负数。"),
        ("Must be at least {n}.", "不能少于 {n}。"),
        ("At most two decimal places (fen).", "最多两位小数（精确到分）。"),
        ("Too large.", "数额过大。"),
        ("At least one is required.", "至少填写一项。"),
        ("At least {n} are required.", "至少填写 {n} 项。"),
        ("At most {n}.", "最多 {n} 项。"),
        ("Not a number.", "请填写数字。"),
        ("Not a whole number.", "请填写整数。"),
        ("Not a date (yyyy-mm-dd).", "请填写日期，如 2027-12-31。"),
        ("Not a programme area.", "请从列表中选择项目领域。"),
        ("This round funds only: {n}.", "本轮只资助以下领域：{n}。"),
        ("This round grants between {n} and {n} CNY.", "本轮资助金额须在 {n} 至 {n} 元之间。"),
        ("The budget lines add up to {n} CNY but the amount requested plus matching funds is {n} CNY.",
            "预算明细合计 {n} 元，而申请金额与配套资金之和为 {n} 元，两者须相等。"),
        ("Must fall after the round closes.", "须晚于本轮申报截止日期。"),
        ("Not a criterion of this round's rubric.", "不是本轮评分标准中的项目。"),
        ("Not a project in this round's results.", "不是本轮公示结果中的项目。"),
        ("Not a lot of this tender.", "不是本项目的标段。"),
        ("One of the tender's lots: {n}.", "请选择本项目的标段：{n}。"),
        ("Above the lot's budget ceiling (最高限价) of {n} CNY: such a bid is invalid.", "高于本标段最高限价 {n} 元，属无效投标。"),
        ("The tender was cancelled.", "本项目已取消。"),
        ("Bids closed at {t}, which is also the opening time.", "投标已于 {t} 截止，即开标时间。"),
        ("Contains control characters.", "含有控制字符。"),
        ("Contains bidirectional override characters.", "含有文字方向控制字符。"),
        ("Not valid Unicode text.", "不是有效的文字。"),
        ("Objections are lodged during the publicity period.", "异议只能在公示期内提出。"),
        ("The round is not in review.", "本轮不在评审阶段。"),
        ("Reviews were due by {t}.", "评审截止时间为 {t}。"),
        ("The round accepts applications from {t}.", "本轮自 {t} 起接受申报。"),
        ("The round closed for applications at {t}; nothing can be submitted, edited or withdrawn after the deadline.",
            "本轮已于 {t} 截止申报；截止后不能再提交、修改或撤回申请。"),
        ("The round was cancelled.", "本轮已取消。"),
        ("The offer is {n}.", "该派单已结束。"),
        ("The offer expired at {t}.", "该派单已于 {t} 过期。"),
        ("Another volunteer accepted this request first; thank you.", "已有其他志愿者先接了这个单，谢谢您！"),
        ("You already hold another task; finish or hand it back first.", "您手上还有一项任务，请先完成或交回。"),
        ("You are not assigned to review this application.", "您没有被分配评审这份申请。"),
        ("Your organization is not registered with the bureau.", "贵单位尚未在民政局登记。"),
        ("Forms are accepted for {n} hours after they are shown. Load the page again and send it again.",
            "表单在打开后 {n} 小时内有效。请重新打开页面再提交。"),
        ("A form sent from a browser must carry the '{n}' field of the page it came from. Load the page again and send it from there.",
            "请从本站的页面提交表单：请重新打开页面再提交。"),
        ("This operation needs a signed-in caller.", "请先登录。"),
        ("{n} does not exist or is not visible to you.", "您要找的内容不存在，或您无权查看。"),
        ("Someone else changed this at the same moment. Read it again and retry.", "他人刚刚修改了同一内容，请刷新后重试。"),
        ("The submission raced with itself; retry.", "提交冲突，请重试。"),
    ];

    private static readonly (Regex Pattern, string Zh)[] Messages = MessageTable
        .Select(m => (new Regex("^" + Regex.Escape(m.English).Replace(@"\{n}", "(.+?)", StringComparison.Ordinal).Replace(@"\{t}", "(?<t>[0-9T:.+\\-]+Z?)", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), m.Zh))
        .ToArray();

    public static string Name(Lang lang, Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Names.TryGetValue(value, out var name)
            ? (lang == Lang.Zh ? name.Zh : name.En)
            : throw new InvalidOperationException($"No name for {value.GetType().Name}.{value}.");
    }

    public static bool HasName(Enum value) => Names.ContainsKey(value);

    /// <summary>A problem's title in the reader's language.</summary>
    public static string Title(Lang lang, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return lang == Lang.Zh && ProblemTitles.TryGetValue(problem.Code, out var zh) ? zh : problem.Title;
    }

    public static bool HasTitle(string code) => ProblemTitles.ContainsKey(code);

    /// <summary>A message of the core in the reader's language; null when it has no Chinese yet (shown in English then).</summary>
    public static string? Message(Lang lang, string english)
    {
        ArgumentNullException.ThrowIfNull(english);
        if (lang == Lang.En)
        {
            return Reformat(english, lang);
        }

        foreach (var (pattern, zh) in Messages)
        {
            var match = pattern.Match(english);
            if (!match.Success)
            {
                continue;
            }

            var result = zh;
            foreach (var group in match.Groups.Cast<Group>().Skip(1))
            {
                var slot = group.Name == "t" ? "{t}" : "{n}";
                var value = group.Name == "t" ? Moment(lang, group.Value) : group.Value;
                var at = result.IndexOf(slot, StringComparison.Ordinal);
                if (at >= 0)
                {
                    result = string.Concat(result.AsSpan(0, at), value, result.AsSpan(at + slot.Length));
                }
            }

            return result;
        }

        return null;
    }

    /// <summary>In English the message stays, its ISO moments shown in Beijing time.</summary>
    private static string Reformat(string english, Lang lang) =>
        IsoMoment().Replace(english, m => Moment(lang, m.Value));

    private static string Moment(Lang lang, string iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? PageContext.When(lang, at) + (lang == Lang.Zh ? "（北京时间）" : " (Beijing time)") : iso;

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", RegexOptions.CultureInvariant)]
    private static partial Regex IsoMoment();
}

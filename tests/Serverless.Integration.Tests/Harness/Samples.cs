using System.Globalization;
using Serverless.Core.Organizations;

namespace Serverless.Integration.Tests.Harness;

/// <summary>Test data in the shapes the API takes, with realistic values from the district.</summary>
public static class Samples
{
    private static int serial = Random.Shared.Next(1, 9_000_000);

    public const string Admin = "admin";

    public static string Organization(string orgId) => $"organization; org={orgId}";

    /// <summary>A fresh valid unified social credit code of a social organization (authority 5) in Daoli (230102).</summary>
    public static string NewCreditCode()
    {
        var orgCode = "K" + Interlocked.Increment(ref serial).ToString("D7", CultureInfo.InvariantCulture);
        var first16 = "51230102" + orgCode;
        var first17 = first16 + CreditCode.OrganizationCodeCheck(orgCode);
        return first17 + CreditCode.CheckCharacter(first17);
    }

    public static object OrganizationForm(string creditCode, string name = "道里区夕阳红养老服务中心", string foundedOn = "2019-03-01") => new
    {
        name,
        creditCode,
        foundedOn,
        address = new { street = "抚顺街道", community = "共乐社区", detail = "共乐街 12 号" },
        contact = new { name = "王芳", phone = "13804510001", email = "contact@example.org" },
        serviceAreas = new[] { "elderly-care", "psychological-comfort" },
    };

    public static object RoundForm(DateTimeOffset opensAt, DateTimeOffset closesAt, string title = "2027 年度道里区公益创投") => new
    {
        title,
        programmeAreas = new[] { "elderly-care", "disability" },
        budget = 1_500_000m,
        minGrant = 20_000m,
        maxGrant = 100_000m,
        opensAt,
        closesAt,
        rubric = new object[]
        {
            new { id = "need", name = "需求分析", weight = 30, maxPoints = 10 },
            new { id = "design", name = "项目设计", weight = 40, maxPoints = 10 },
            new { id = "capacity", name = "执行能力", weight = 30, maxPoints = 10 },
        },
        reviewersPerApplication = 3,
        eligibility = new { minMonthsSinceFounding = 12, mustServeDistrict = true },
        periods = new { screening = "PT30S", review = "PT1M", publicity = "PT1M" },
        blindReview = true,
    };

    public static object ApplicationForm(decimal amountRequested = 50_000m, string title = "长者助餐暖心行动") => new
    {
        projectTitle = title,
        summary = "为共乐社区独居老人提供每日午餐配送与每周探访。",
        programmeArea = "elderly-care",
        beneficiaryGroup = "空巢老人",
        beneficiaryCount = 120,
        communitiesServed = new[] { "共乐社区", "安静社区" },
        budgetLines = new object[]
        {
            new { item = "食材与配送", amount = amountRequested - 10_000m + 10_000m },
            new { item = "志愿者培训", amount = 10_000m },
        },
        amountRequested,
        matchingFunds = 10_000m,
        milestones = new object[]
        {
            new { title = "中期报告", due = "2027-06-30", deliverable = "服务 60 人" },
            new { title = "结项评估", due = "2027-12-31" },
        },
    };

    /// <summary>The same application as an HTML form post.</summary>
    public static List<KeyValuePair<string, string>> ApplicationFormFields(decimal amountRequested = 50_000m) =>
    [
        new("projectTitle", "残疾人就业辅导"),
        new("summary", "为道里区残疾人提供职业技能培训与就业跟踪。"),
        new("programmeArea", "disability"),
        new("beneficiaryGroup", "残疾人"),
        new("beneficiaryCount", "40"),
        new("communitiesServed", "共乐社区、安静社区"),
        new("budgetLines[0].item", "培训课程"),
        new("budgetLines[0].amount", amountRequested.ToString(CultureInfo.InvariantCulture)),
        new("amountRequested", amountRequested.ToString(CultureInfo.InvariantCulture)),
        new("matchingFunds", "0"),
        new("milestones[0].title", "结项评估"),
        new("milestones[0].due", "2027-12-31"),
    ];
}

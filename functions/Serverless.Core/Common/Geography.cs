namespace Serverless.Core.Common;

/// <summary>
/// The district's streets (街道) and towns (镇): who "serves the district" at screening. The full geography
/// (communities, grids and their neighbours) arrives with volunteer dispatch and will supersede this list.
/// </summary>
public static class Geography
{
    public static readonly IReadOnlySet<string> Streets = new HashSet<string>(StringComparer.Ordinal)
    {
        "兆麟街道", "新阳路街道", "抚顺街道", "共乐街道", "新华街道", "城乡路街道", "工农街道", "尚志街道",
        "斯大林街道", "正阳河街道", "安静街道", "工程街道", "通江街道", "建国街道", "经纬街道", "康安街道",
        "群力街道", "友谊路街道", "爱建街道", "新发镇", "太平镇", "新农镇", "榆树镇",
    };
}

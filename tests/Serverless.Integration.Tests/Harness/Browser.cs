using Microsoft.Playwright;

namespace Serverless.Integration.Tests.Harness;

/// <summary>
/// A real browser for the tests of pages: the machine's Chromium (Debian's package, which .ci/run installs),
/// driven by Playwright, headless. Playwright cannot download its own browser here, so it launches this one.
/// Screenshots go to <c>TestResults/screenshots/</c> beside the test assembly, as artefacts of the run.
/// </summary>
internal static class Browser
{
    /// <summary>Debian's binary itself; /usr/bin/chromium is a wrapper script around it.</summary>
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var executable = Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No Chromium on this machine: the browser tests need Debian's 'chromium' package (apt-get install -y chromium; .ci/run installs it).");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // The CI container runs as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
        return (playwright, browser);
    }

    /// <summary>A phone-sized page (360 px wide), in the language given.</summary>
    public static Task<IPage> PhoneAsync(IBrowser browser, string locale = "zh-CN") =>
        browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 }, Locale = locale });

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png") });
    }
}

using Serverless.Core;
using Serverless.Integration.Tests.Harness;

namespace Serverless.Integration.Tests;

/// <summary>
/// Pages in a real browser (headless Chromium over a DevHost): they render, read at 360 px without sideways
/// scrolling, and work from the keyboard.
/// </summary>
[Collection(UsesSharedDevHost.Name)]
public sealed class BrowserTests(SharedDevHost devHost)
{
    [Fact]
    public async Task The_API_reference_reads_on_a_phone_and_its_links_are_reached_with_the_keyboard()
    {
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.PhoneAsync(browser);

        var response = await page.GotoAsync($"http://127.0.0.1:{devHost.Host.Port}/api/reference");

        Assert.Equal(200, response!.Status);
        Assert.Contains("API reference", await page.TitleAsync(), StringComparison.Ordinal);
        Assert.Equal(RouteTable.Http.Count, await page.Locator("section h3").CountAsync());
        // Nothing wider than the screen: no sideways scrolling at 360 px.
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways at 360 px");
        // The first Tab reaches a link, and Enter follows it.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("A", await page.EvaluateAsync<string>("document.activeElement.tagName"));
        await Browser.ScreenshotAsync(page, "api-reference-360");
        Assert.True(File.Exists(Path.Combine(Browser.ScreenshotDirectory, "api-reference-360.png")));
    }
}

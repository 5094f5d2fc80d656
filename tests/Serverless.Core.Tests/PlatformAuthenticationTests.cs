using Serverless.Core.Common;

namespace Serverless.Core.Tests;

/// <summary>The Functions app refuses to start in Azure unless App Service Authentication is on.</summary>
public sealed class PlatformAuthenticationTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void In_azure_with_authentication_off_the_app_refuses_to_start()
    {
        var off = Assert.Throws<InvalidOperationException>(() => PlatformAuthentication.RequireInAzure(Environment(("WEBSITE_SITE_NAME", "func-daoli"))));
        Assert.Contains("func-daoli", off.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => PlatformAuthentication.RequireInAzure(Environment(("WEBSITE_SITE_NAME", "func-daoli"), ("WEBSITE_AUTH_ENABLED", "False"))));
    }

    [Fact]
    public void In_azure_with_authentication_on_and_outside_azure_it_starts()
    {
        PlatformAuthentication.RequireInAzure(Environment(("WEBSITE_SITE_NAME", "func-daoli"), ("WEBSITE_AUTH_ENABLED", "True")));
        PlatformAuthentication.RequireInAzure(Environment());
    }
}

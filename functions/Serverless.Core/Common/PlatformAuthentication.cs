namespace Serverless.Core.Common;

/// <summary>
/// The product trusts <c>X-MS-CLIENT-PRINCIPAL</c> only because, in Azure, App Service Authentication sets it
/// after verifying the Entra ID token and strips any copy a client sent. With authentication off the header
/// would be the client's word, so the Functions app refuses to start in Azure unless it is on.
/// </summary>
public static class PlatformAuthentication
{
    /// <summary>Set by App Service on every app it hosts: its presence means "running in Azure".</summary>
    public const string SiteNameVariable = "WEBSITE_SITE_NAME";

    /// <summary>"True" when App Service Authentication (Easy Auth) is on for the app.</summary>
    public const string AuthEnabledVariable = "WEBSITE_AUTH_ENABLED";

    /// <summary>True when App Service hosts the app (its site name is set).</summary>
    public static bool InAzure(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrEmpty(environment(SiteNameVariable));
    }

    /// <summary>Throws when running in Azure with App Service Authentication off; does nothing elsewhere.</summary>
    public static void RequireInAzure(Func<string, string?> environment)
    {
        if (!InAzure(environment))
        {
            return;
        }

        if (!string.Equals(environment(AuthEnabledVariable), "True", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"App Service Authentication is off for '{environment(SiteNameVariable)}'. This app reads the caller from "
                + "X-MS-CLIENT-PRINCIPAL, which only the platform may set: turn authentication on (infra/main.bicep does) "
                + "with unauthenticated requests allowed through, so public pages stay public.");
        }
    }
}

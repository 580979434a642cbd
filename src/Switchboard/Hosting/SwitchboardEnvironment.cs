using Switchboard.Common.Configuration;
using Switchboard.Hosting.Demo;

namespace Switchboard.Hosting;

/// <summary>
/// What "production" means for settings that have a development fallback, and the start-up checks that
/// refuse a production start without them.
/// </summary>
public static class SwitchboardEnvironment
{
    /// <summary>
    /// Anything but the Development environment and demo mode. The in-process test host (environment
    /// Testing) counts as production here, so the tests run with the production rules.
    /// </summary>
    public static bool IsProduction(IHostEnvironment environment, IConfiguration configuration) =>
        !environment.IsDevelopment() && !DemoMode.IsEnabled(configuration);

    /// <summary>
    /// Sign-in and antiforgery cookies are Secure unless <see cref="SwitchboardOptions.SecureCookies"/> says
    /// otherwise: always, except in Development, in the Testing environment and in demo mode, which run on
    /// plain http://127.0.0.1 (there a cookie is Secure when its request was https).
    /// </summary>
    public static bool SecureCookies(SwitchboardOptions options, IHostEnvironment environment, IConfiguration configuration) =>
        options.SecureCookies ?? !(environment.IsDevelopment() || environment.IsEnvironment("Testing") || DemoMode.IsEnabled(configuration));

    /// <summary>Throws, naming the setting and what to set it to, when the configuration cannot run here.</summary>
    internal static void Validate(SwitchboardOptions options, IHostEnvironment environment, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            if (IsProduction(environment, configuration))
            {
                throw new InvalidOperationException(
                    $"Switchboard:PublicBaseUrl (env Switchboard__PublicBaseUrl) is required in production (environment '{environment.EnvironmentName}'): "
                    + "set it to the public https URL Meta and your users reach this server at, for example https://switchboard.example.com. "
                    + "Webhook and invite links are built from it, never from a request's Host header.");
            }

            return;
        }

        if (!Uri.TryCreate(options.PublicBaseUrl.Trim(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            throw new InvalidOperationException(
                "Switchboard:PublicBaseUrl must be an absolute http(s) URL without query, fragment or user info, for example https://switchboard.example.com.");
        }
    }
}

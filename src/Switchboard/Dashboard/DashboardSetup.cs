using Switchboard.Common.Web;

namespace Switchboard.Dashboard;

/// <summary>The Blazor dashboard: account pages rendered on the server (static forms), app pages interactive.</summary>
public static class DashboardSetup
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddDashboardPolicies();
        services.AddScoped<Inbox.InboxService>();
        services.AddScoped<Inbox.ContactProfileService>();
        services.AddScoped<Search.SearchService>();
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapStaticAssets();
        // Our security headers set the whole CSP (frame-ancestors included); Blazor must not replace it with its own.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null).Add(endpoint =>
        {
            // Sign-in, MFA and invite pages: the per-address sign-in limit.
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.TrimStart('/').StartsWith("account/", StringComparison.Ordinal))
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RateLimits.Login));
            }
        });
        return app;
    }
}

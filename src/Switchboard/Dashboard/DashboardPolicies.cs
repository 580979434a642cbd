using Switchboard.Common.Security;

namespace Switchboard.Dashboard;

/// <summary>
/// Authorization for dashboard pages. A page has no tenant in its URL: it works in the session's tenant
/// (claim <c>sb:tenant</c>), and needs the permission its role grants. Operator pages need a platform operator.
/// </summary>
public static class DashboardPolicies
{
    public const string Operator = "dashboard:operator";

    private const string Prefix = "dashboard:";

    public const string ConversationsRead = Prefix + Permissions.ConversationsRead;
    public const string ChannelsRead = Prefix + Permissions.ChannelsRead;
    public const string ChannelsAdmin = Prefix + Permissions.ChannelsAdmin;
    public const string UsersRead = Prefix + Permissions.UsersRead;
    public const string UsersAdmin = Prefix + Permissions.UsersAdmin;
    public const string AuditRead = Prefix + Permissions.AuditRead;
    public const string SettingsAdmin = Prefix + Permissions.SettingsAdmin;
    public const string TokensAdmin = Prefix + Permissions.TokensAdmin;
    public const string RoutingSupervise = Prefix + Permissions.RoutingSupervise;
    public const string ReportsRead = Prefix + Permissions.ReportsRead;
    public const string PrivacyManage = Prefix + Permissions.PrivacyManage;
    public const string KbManage = Prefix + Permissions.KbManage;
    public const string FlowsManage = Prefix + Permissions.FlowsManage;
    public const string AutomationManage = Prefix + Permissions.AutomationManage;

    internal static IServiceCollection AddDashboardPolicies(this IServiceCollection services)
    {
        var builder = services.AddAuthorizationBuilder()
            .AddPolicy(Operator, p => p.AddAuthenticationSchemes(SwitchboardClaims.CookieScheme).RequireAuthenticatedUser().RequireRole(SwitchboardClaims.OperatorRole));
        foreach (var permission in Permissions.All)
        {
            builder.AddPolicy(Prefix + permission, p => p
                .AddAuthenticationSchemes(SwitchboardClaims.CookieScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(SwitchboardClaims.TenantId)
                .RequireAssertion(c => c.User.HasScope(permission)));
        }

        return services;
    }
}

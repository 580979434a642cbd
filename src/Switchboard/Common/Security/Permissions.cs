namespace Switchboard.Common.Security;

/// <summary>
/// What a caller may do in a tenant. Integration tokens carry these as scopes; users get them from
/// their role (the matrix below, also in docs/permissions.md, enforced by PermissionMatrixTests).
/// </summary>
internal static class Permissions
{
    public const string TenantRead = "tenant:read";
    public const string ConversationsRead = "conversations:read";
    public const string ConversationsWrite = "conversations:write";
    public const string MessagesSend = "messages:send";
    public const string ChannelsRead = "channels:read";
    public const string ChannelsAdmin = "channels:admin";
    public const string UsersRead = "users:read";
    public const string UsersAdmin = "users:admin";
    public const string TokensAdmin = "tokens:admin";
    public const string AuditRead = "audit:read";
    public const string SettingsAdmin = "settings:admin";
    public const string RoutingAdmin = "routing:admin";
    public const string RoutingSupervise = "routing:supervise";
    public const string CannedManage = "canned:manage";
    public const string LabelsManage = "labels:manage";
    public const string AutomationManage = "automation:manage";
    public const string FlowsManage = "flows:manage";
    public const string PrivacyExport = "privacy:export";
    public const string PrivacyErase = "privacy:erase";
    public const string PrivacyManage = "privacy:manage";
    public const string TenantDelete = "tenant:delete";
    public const string ReportsRead = "reports:read";
    public const string QualityReview = "quality:review";
    public const string TranscriptsRead = "transcripts:read";
    public const string KbManage = "kb:manage";

    public static readonly IReadOnlyList<string> All =
    [
        TenantRead, ConversationsRead, ConversationsWrite, MessagesSend, ChannelsRead, ChannelsAdmin,
        UsersRead, UsersAdmin, TokensAdmin, AuditRead, SettingsAdmin, RoutingAdmin, RoutingSupervise,
        CannedManage, LabelsManage, AutomationManage, FlowsManage, PrivacyExport, PrivacyErase, PrivacyManage, TenantDelete, ReportsRead, QualityReview, TranscriptsRead,
        KbManage,
    ];

    private static readonly string[] AgentPermissions = [TenantRead, ConversationsRead, ConversationsWrite, MessagesSend, ChannelsRead];

    private static readonly string[] ManagerPermissions = [.. AgentPermissions, UsersRead, AuditRead, RoutingSupervise, CannedManage, LabelsManage, AutomationManage, FlowsManage, ReportsRead, QualityReview, TranscriptsRead, KbManage];

    public static IReadOnlyList<string> Of(TenantRole role) => role switch
    {
        TenantRole.Agent => AgentPermissions,
        TenantRole.Manager => ManagerPermissions,
        TenantRole.Admin => All,
        _ => [],
    };

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);

    public static string RoleName(TenantRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParseRole(string? value, out TenantRole role)
    {
        role = default;
        return value is "agent" or "manager" or "admin" && Enum.TryParse(value, ignoreCase: true, out role);
    }
}

/// <summary>A member's role in one tenant; <see cref="Permissions.Of"/> says what it may do.</summary>
internal enum TenantRole
{
    Agent,
    Manager,
    Admin,
}

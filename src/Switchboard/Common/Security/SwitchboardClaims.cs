using System.Security.Claims;

namespace Switchboard.Common.Security;

internal static class SwitchboardClaims
{
    /// <summary>API tokens and the operator key: <c>Authorization: Bearer …</c>.</summary>
    public const string Scheme = "Bearer";

    /// <summary>The dashboard's sign-in cookie.</summary>
    public const string CookieScheme = "Switchboard.Session";

    /// <summary>The short-lived cookie between password and second factor (or MFA enrolment).</summary>
    public const string PartialScheme = "Switchboard.Partial";

    public const string TenantId = "sb:tenant";
    public const string TokenId = "sb:token";
    public const string TokenName = "sb:token_name";
    public const string UserId = "sb:user";
    public const string Role = "sb:role";
    public const string Scope = "sb:scope";
    public const string SecurityStamp = "sb:stamp";
    public const string OperatorRole = "operator";
    public const string AllScopes = "*";

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(OperatorRole);

    public static Guid? TenantIdOf(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TenantId), out var id) ? id : null;

    public static Guid? UserIdOf(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(UserId), out var id) ? id : null;

    public static TenantRole? RoleOf(this ClaimsPrincipal user) =>
        Permissions.TryParseRole(user.FindFirstValue(Role), out var role) ? role : null;

    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.HasClaim(Scope, AllScopes) || user.HasClaim(Scope, scope);

    /// <summary>Who did it, for audit and for "created by" fields: a user, a token, or the operator.</summary>
    public static string ActorOf(this ClaimsPrincipal user) =>
        user.IsOperator() && user.UserIdOf() is null ? "operator"
        : user.FindFirstValue(TokenId) is { } token ? $"token:{token}"
        : user.UserIdOf() is { } id ? $"user:{id}"
        : "anonymous";
}

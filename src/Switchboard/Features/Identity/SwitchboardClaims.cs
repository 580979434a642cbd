using System.Security.Claims;

namespace Switchboard.Features.Identity;

internal static class SwitchboardClaims
{
    public const string Scheme = "Bearer";
    public const string TenantId = "sb:tenant";
    public const string TokenId = "sb:token";
    public const string Scope = "sb:scope";
    public const string OperatorRole = "operator";
    public const string AllScopes = "*";

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(OperatorRole);

    public static Guid? TenantIdOf(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TenantId), out var id) ? id : null;

    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.HasClaim(Scope, AllScopes) || user.HasClaim(Scope, scope);

    /// <summary>Who did it, for audit and for "created by" fields: a token id, or the operator.</summary>
    public static string ActorOf(this ClaimsPrincipal user) =>
        user.IsOperator() ? "operator" : $"token:{user.FindFirstValue(TokenId)}";
}

using System.Security.Claims;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Features.Identity;

/// <summary>
/// No caller hands out more than it holds: a new token's scopes, an invite's role and a role change must
/// lie within the caller's own permissions, and a caller sees and manages only tokens and people whose
/// power lies within its own. A caller holding every permission (an admin, the tenant admin key, a
/// full-scope token) passes every check. See docs/permissions.md ("Granting").
/// </summary>
internal static class Grants
{
    /// <summary>The permissions of <paramref name="wanted"/> that <paramref name="caller"/> lacks (none: it may grant them).</summary>
    public static string[] Missing(ClaimsPrincipal caller, IEnumerable<string> wanted) =>
        [.. wanted.Distinct(StringComparer.Ordinal).Where(p => !caller.HasScope(p))];

    public static bool Covers(ClaimsPrincipal caller, IEnumerable<string> wanted) => Missing(caller, wanted).Length == 0;

    /// <summary>What a token can do: every permission for <c>*</c>; a personal token at most its user's current role.</summary>
    public static IReadOnlyList<string> PowerOf(ApiToken token, TenantRole? userRole)
    {
        var scopes = token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (token.Kind == ApiTokenKind.Personal)
        {
            var role = userRole is { } r ? Permissions.Of(r) : [];
            return scopes.Length == 0 || scopes.Contains(SwitchboardClaims.AllScopes) ? role : [.. scopes.Intersect(role)];
        }

        return token.Kind == ApiTokenKind.TenantAdmin || scopes.Contains(SwitchboardClaims.AllScopes) ? Permissions.All : scopes;
    }

    /// <summary>403: the request asks for permissions the caller does not hold; names them.</summary>
    public static Failure Beyond(string title, string[] missing) => Failure.Forbidden(title, missing);
}

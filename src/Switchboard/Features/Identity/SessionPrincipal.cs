using System.Security.Claims;
using Switchboard.Common.Security;

namespace Switchboard.Features.Identity;

/// <summary>Builds the dashboard session's principal: the user, the tenant they work in, and that role's permissions.</summary>
internal static class SessionPrincipal
{
    public static ClaimsPrincipal For(SwitchboardUser user, Guid? tenantId, TenantRole? role)
    {
        var claims = new List<Claim>
        {
            new(SwitchboardClaims.UserId, user.Id.ToString()),
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.DisplayName.Length > 0 ? user.DisplayName : user.Email ?? user.Id.ToString()),
            new(ClaimTypes.Email, user.Email ?? ""),
            new(SwitchboardClaims.SecurityStamp, user.SecurityStamp ?? ""),
        };
        if (user.IsPlatformOperator)
        {
            claims.Add(new Claim(ClaimTypes.Role, SwitchboardClaims.OperatorRole));
        }

        if (tenantId is { } tenant && role is { } r)
        {
            claims.Add(new Claim(SwitchboardClaims.TenantId, tenant.ToString()));
            claims.Add(new Claim(SwitchboardClaims.Role, Permissions.RoleName(r)));
            claims.AddRange(Permissions.Of(r).Select(p => new Claim(SwitchboardClaims.Scope, p)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, SwitchboardClaims.CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The in-between principal after the password and before the second factor or MFA enrolment.</summary>
    public static ClaimsPrincipal Partial(SwitchboardUser user, string stage, string? returnUrl) =>
        new(new ClaimsIdentity(
        [
            new Claim(SwitchboardClaims.UserId, user.Id.ToString()),
            new Claim(SwitchboardClaims.SecurityStamp, user.SecurityStamp ?? ""),
            new Claim(PartialStage, stage),
            new Claim(PartialReturnUrl, returnUrl ?? "/"),
        ], SwitchboardClaims.PartialScheme));

    public const string PartialStage = "sb:partial_stage";
    public const string PartialReturnUrl = "sb:partial_return";
    public const string StageMfa = "mfa";
    public const string StageEnrol = "enrol";

    /// <summary>An existing account accepting an invite: password checked, second factor pending. Never leads to a session.</summary>
    public const string StageInvite = "invite";
}

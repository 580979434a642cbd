using Microsoft.AspNetCore.Identity;

namespace Switchboard.Features.Identity;

/// <summary>
/// A signed-in user proves again who they are before an irreversible action (deleting the tenant): the
/// password and a fresh authenticator code, checked as sign-in checks them (lockout, replay, audit).
/// A user without MFA cannot confirm such an action.
/// </summary>
internal sealed class Reauthentication(UserManager<SwitchboardUser> users, SignInFlow flow)
{
    /// <summary>Null when confirmed; otherwise the field that failed and why.</summary>
    public async Task<(string Field, string Error)?> ConfirmAsync(Guid userId, Guid tenantId, string? password, string? authenticatorCode)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return ("password", "The password or the code is not valid.");
        }

        if (!user.TwoFactorEnabled)
        {
            return ("authenticatorCode", "Turn on an authenticator app for your account first: this action needs it.");
        }

        var via = new CredentialContext("reauthentication", tenantId, null);
        if (await flow.CheckPasswordAsync(user, password, via) != CredentialCheck.Valid)
        {
            return ("password", "The password or the code is not valid.");
        }

        return await flow.CheckSecondFactorAsync(user, authenticatorCode, recovery: false, via) == CredentialCheck.Valid
            ? null
            : ("authenticatorCode", "The password or the code is not valid.");
    }
}

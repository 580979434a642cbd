using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>
/// The signed-in user changes their own password: the current one (checked as sign-in checks it: lockout,
/// failures audited), a new one under the sign-up rules. The new security stamp ends the user's other
/// sessions; the audit entry <c>user.password_changed</c> names the user only.
/// </summary>
internal sealed class PasswordChange(UserManager<SwitchboardUser> users, SignInFlow flow, SessionValidator sessions)
{
    public const string NewPasswordRule = "At least 12 characters, not a few characters repeated.";

    public sealed record Request(
        [property: Required, StringLength(512)] string? CurrentPassword,
        [property: Required, StringLength(512)] string? NewPassword);

    /// <summary><c>POST …/me/password</c> with the user's personal token → 204; an integration token is not a person (403).</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Request request, PasswordChange change, UserManager<SwitchboardUser> users, HttpContext http, CancellationToken ct)
    {
        if (http.User.UserIdOf() is not { } userId || await users.FindByIdAsync(userId.ToString()) is not { } user)
        {
            return TokensApi.NotAUser("Only a signed-in user (or that user's personal token) can change their password.").ToProblem();
        }

        return await change.ChangeAsync(user, request.CurrentPassword, request.NewPassword, tenantId, ct) is { } failure
            ? failure.ToValidationProblem()
            : TypedResults.NoContent();
    }

    /// <summary>Null when changed; otherwise the field errors (nothing changed).</summary>
    public async Task<Failure?> ChangeAsync(SwitchboardUser user, string? currentPassword, string? newPassword, Guid? tenantId, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(currentPassword))
        {
            errors["currentPassword"] = ["Required: your current password."];
        }

        if (string.IsNullOrEmpty(newPassword))
        {
            errors["newPassword"] = ["Required. " + NewPasswordRule];
        }
        else if (string.Equals(newPassword, currentPassword, StringComparison.Ordinal))
        {
            errors["newPassword"] = ["Choose a password other than the current one."];
        }
        else if (!await MeetsRulesAsync(user, newPassword))
        {
            errors["newPassword"] = [NewPasswordRule];
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        ct.ThrowIfCancellationRequested();
        var check = await flow.CheckPasswordAsync(user, currentPassword, new CredentialContext("password_change", tenantId ?? Guid.Empty, null));
        if (check != CredentialCheck.Valid)
        {
            return Failure.Invalid("currentPassword", check == CredentialCheck.LockedOut
                ? "Too many wrong passwords: this account is locked for a while."
                : "This is not your current password.");
        }

        // ChangePasswordAsync renews the security stamp: every other session of the user ends at its next request.
        var changed = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
        if (!changed.Succeeded)
        {
            return Failure.Invalid("newPassword", NewPasswordRule);
        }

        sessions.Forget(user.Id, tenantId);
        await flow.AuditUserAsync(user, AuditActions.PasswordChanged, null);
        return null;
    }

    private async Task<bool> MeetsRulesAsync(SwitchboardUser user, string password)
    {
        foreach (var validator in users.PasswordValidators)
        {
            if (!(await validator.ValidateAsync(users, user, password)).Succeeded)
            {
                return false;
            }
        }

        return true;
    }
}

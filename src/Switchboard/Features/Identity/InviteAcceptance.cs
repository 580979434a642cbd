using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

internal enum AcceptStatus
{
    Accepted,
    Refused,
    Throttled,
    NeedsSecondFactor,
}

internal sealed record AcceptResult(AcceptStatus Status, SwitchboardUser? User = null, string? Field = null, string? Error = null, TimeSpan RetryAfter = default);

/// <summary>
/// Accepting an invite. A new email sets its password; an existing account signs in to accept: its
/// password, then its second factor when it has one, with the sign-in's per-account throttle, lockout
/// and audit in the user's tenants. Whoever holds the link (the inviter too) is told the same thing
/// for new and existing emails until the account's own credentials have been given.
/// </summary>
internal sealed class InviteAcceptance(
    SwitchboardDbContext db,
    UserManager<SwitchboardUser> users,
    SignInFlow flow,
    TimeProvider clock,
    IHttpContextAccessor accessor)
{
    /// <summary>One answer for a wrong password, a locked account and a password a new account may not have.</summary>
    public const string PasswordRefused =
        "This password does not work for this invite. If you already have a Switchboard account with this email, enter its password; "
        + "if you are new to Switchboard, choose a password of at least 12 characters (not a few characters repeated).";

    public const string SecondFactorNeeded =
        "This account uses two-factor sign-in: enter the code from your authenticator app, or one of your recovery codes.";

    public const string CodeRefused = "That code is not valid. Check the app's clock and try the next code, or use a recovery code.";

    public const string Throttled = "Too many attempts for this email. Try again later.";

    private HttpContext Http => accessor.HttpContext ?? throw new InvalidOperationException("Invites are accepted inside a request.");

    /// <summary>
    /// The password step (the API's only step: it sends the second factor along). A new email gets an
    /// account with this password; an existing account must prove it, and with MFA also give a code.
    /// </summary>
    public async Task<AcceptResult> WithPasswordAsync(
        Invite invite, string? displayName, string? password, string? authenticatorCode, string? recoveryCode, CancellationToken ct)
    {
        // Counted for every email, known or not, before any check: the same budget as the login form's.
        var attempt = RateLimits.TryLoginAttempt(Http, invite.Email);
        if (!attempt.Allowed)
        {
            return new AcceptResult(AcceptStatus.Throttled, Error: Throttled, RetryAfter: attempt.RetryAfter);
        }

        var user = await users.FindByEmailAsync(invite.Email);
        if (user is null)
        {
            return await CreateAndJoinAsync(invite, displayName, password, ct);
        }

        if (await flow.CheckPasswordAsync(user, password, Via(invite)) != CredentialCheck.Valid)
        {
            return Refused("password", PasswordRefused);
        }

        if (!user.TwoFactorEnabled)
        {
            return await JoinAsync(invite, user, ct);
        }

        return string.IsNullOrWhiteSpace(authenticatorCode) && string.IsNullOrWhiteSpace(recoveryCode)
            ? new AcceptResult(AcceptStatus.NeedsSecondFactor, user, "authenticatorCode", SecondFactorNeeded)
            : await WithSecondFactorAsync(invite, user, authenticatorCode, recoveryCode, ct);
    }

    /// <summary>The second step for an existing account with MFA whose password was just checked.</summary>
    public async Task<AcceptResult> WithSecondFactorAsync(Invite invite, SwitchboardUser user, string? authenticatorCode, string? recoveryCode, CancellationToken ct)
    {
        if (!string.Equals(user.NormalizedEmail, users.NormalizeEmail(invite.Email), StringComparison.Ordinal))
        {
            return Refused("password", PasswordRefused);
        }

        var recovery = string.IsNullOrWhiteSpace(authenticatorCode) && !string.IsNullOrWhiteSpace(recoveryCode);
        if (await flow.CheckSecondFactorAsync(user, recovery ? recoveryCode : authenticatorCode, recovery, Via(invite)) != CredentialCheck.Valid)
        {
            return Refused(recovery ? "recoveryCode" : "authenticatorCode", CodeRefused);
        }

        return await JoinAsync(invite, user, ct);
    }

    /// <summary>The page's memory between the password and the code: the short-lived partial sign-in cookie, never a session.</summary>
    public Task HoldPasswordStepAsync(SwitchboardUser user) =>
        Http.SignInAsync(SwitchboardClaims.PartialScheme, SessionPrincipal.Partial(user, SessionPrincipal.StageInvite, "/"));

    /// <summary>The account whose password the page checked in this browser, if the step is still valid.</summary>
    public async Task<SwitchboardUser?> HeldPasswordStepAsync() =>
        await flow.PendingAsync() is { Stage: SessionPrincipal.StageInvite } pending ? pending.User : null;

    private async Task<AcceptResult> CreateAndJoinAsync(Invite invite, string? displayName, string? password, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var user = new SwitchboardUser
        {
            Id = Guid.CreateVersion7(now),
            UserName = invite.Email,
            Email = invite.Email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? invite.Email : displayName.Trim(),
            CreatedAt = now,
        };
        var created = await users.CreateAsync(user, password ?? "");
        if (created.Succeeded)
        {
            return await JoinAsync(invite, user, ct);
        }

        // A refused new password costs what checking an existing one costs, and reads the same.
        flow.SpendPasswordCheckTime(password);
        return created.Errors.All(e => e.Code is "InvalidEmail" or "InvalidUserName")
            ? Refused("email", "This email cannot be used for an account: ask for an invite to another address.")
            : Refused("password", PasswordRefused);
    }

    private async Task<AcceptResult> JoinAsync(Invite invite, SwitchboardUser user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await users.ResetAccessFailedCountAsync(user);
        var membership = await db.Memberships.IgnoreQueryFilters().FirstOrDefaultAsync(m => m.TenantId == invite.TenantId && m.UserId == user.Id, ct);
        if (membership is null)
        {
            db.Memberships.Add(new Membership { TenantId = invite.TenantId, UserId = user.Id, Role = invite.Role, CreatedAt = now, UpdatedAt = now });
        }
        else
        {
            membership.Role = invite.Role;
            membership.Status = MembershipStatus.Active;
            membership.UpdatedAt = now;
        }

        invite.AcceptedAt = now;
        invite.AcceptedBy = user.Id;
        var actor = new AuditActor($"user:{user.Id}", user.Email, Http.Connection.RemoteIpAddress?.ToString());
        await AuditLog.RecordAsync(db, invite.TenantId, actor, AuditActions.InviteAccepted, $"user:{user.Id}",
            new { inviteId = invite.Id, role = Permissions.RoleName(invite.Role) }, now, ct);
        return new AcceptResult(AcceptStatus.Accepted, user);
    }

    private static CredentialContext Via(Invite invite) => new("invite", invite.TenantId, invite.Id);

    private static AcceptResult Refused(string field, string error) => new(AcceptStatus.Refused, Field: field, Error: error);
}

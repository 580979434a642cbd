using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

internal enum SignInOutcome
{
    Failed,
    LockedOut,
    Throttled,
    NeedsSecondFactor,
    NeedsEnrolment,
    SignedIn,
}

internal enum CredentialCheck
{
    Wrong,
    LockedOut,
    Valid,
}

/// <summary>Where a credential was presented, when not on the login form (audited with the attempt).</summary>
internal sealed record CredentialContext(string Door, Guid TenantId, Guid? InviteId);

/// <summary>
/// The dashboard's sign-in, step by step: password (with lockout and a per-account throttle), then the
/// second factor when the user has one, or enrolment when a tenant of theirs requires MFA, then the
/// session cookie for one tenant. Every outcome is audited in the user's tenants (unknown accounts in
/// the platform chain). Messages never say whether an account exists.
/// </summary>
internal sealed class SignInFlow(
    UserManager<SwitchboardUser> users,
    SwitchboardDbContext db,
    SessionValidator sessions,
    TimeProvider clock,
    IHttpContextAccessor accessor)
{
    public const string GenericFailure = "Email or password is incorrect.";

    private HttpContext Http => accessor.HttpContext ?? throw new InvalidOperationException("Sign-in runs inside a request.");

    private string? Ip => Http.Connection.RemoteIpAddress?.ToString();

    public async Task<SignInOutcome> PasswordAsync(string? email, string? password, string? returnUrl)
    {
        var now = clock.GetUtcNow();

        // Per account, whatever the client's address (a botnet cannot spread guesses over many IPs);
        // a refused attempt never reaches the password check. Per-IP limits apply to the page itself.
        if (!RateLimits.TryLoginAttempt(Http, email ?? "").Allowed)
        {
            return SignInOutcome.Throttled;
        }

        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            SpendPasswordCheckTime(password);
            await AuditLog.RecordAsync(db, AuditLog.PlatformChain, new AuditActor("anonymous", LooksLikeEmail(email) ? email!.Trim() : null, Ip),
                AuditActions.LoginFailed, null, new { reason = "unknown_account" }, now, Http.RequestAborted);
            return SignInOutcome.Failed;
        }

        switch (await CheckPasswordAsync(user, password, via: null))
        {
            case CredentialCheck.LockedOut:
                return SignInOutcome.LockedOut;
            case CredentialCheck.Wrong:
                return SignInOutcome.Failed;
        }

        if (user.TwoFactorEnabled)
        {
            await Http.SignInAsync(SwitchboardClaims.PartialScheme, SessionPrincipal.Partial(user, SessionPrincipal.StageMfa, returnUrl));
            return SignInOutcome.NeedsSecondFactor;
        }

        if (await MfaRequiredForAsync(user.Id))
        {
            await Http.SignInAsync(SwitchboardClaims.PartialScheme, SessionPrincipal.Partial(user, SessionPrincipal.StageEnrol, returnUrl));
            return SignInOutcome.NeedsEnrolment;
        }

        await CompleteAsync(user, "password");
        return SignInOutcome.SignedIn;
    }

    /// <summary>
    /// Checks an existing account's password as sign-in does, without issuing anything: a locked account is
    /// refused, a wrong password counts toward the lockout, and both are audited in the user's tenants.
    /// The caller has already counted the attempt against the per-account throttle. <paramref name="via"/>
    /// names another door than the login form (an invite) in the audit entries.
    /// </summary>
    public async Task<CredentialCheck> CheckPasswordAsync(SwitchboardUser user, string? password, CredentialContext? via)
    {
        if (await users.IsLockedOutAsync(user))
        {
            await AuditUserAsync(user, AuditActions.LoginFailed, Detail(via, new { reason = "locked_out" }));
            return CredentialCheck.LockedOut;
        }

        if (!await users.CheckPasswordAsync(user, password ?? ""))
        {
            return await FailedAsync(user, AuditActions.LoginFailed, Detail(via, new { reason = "wrong_password" }));
        }

        return CredentialCheck.Valid;
    }

    /// <summary>Checks an authenticator code (or a one-time recovery code) without issuing anything; failures count toward the lockout.</summary>
    public async Task<CredentialCheck> CheckSecondFactorAsync(SwitchboardUser user, string? code, bool recovery, CredentialContext? via)
    {
        if (await users.IsLockedOutAsync(user))
        {
            await AuditUserAsync(user, AuditActions.MfaFailed, Detail(via, new { method = MethodName(recovery), reason = "locked_out" }));
            return CredentialCheck.LockedOut;
        }

        var ok = recovery
            ? !string.IsNullOrWhiteSpace(code) && (await users.RedeemTwoFactorRecoveryCodeAsync(user, code.Trim())).Succeeded
            : await TotpReplay.VerifyOnceAsync(users, user, code, clock);
        if (!ok)
        {
            return await FailedAsync(user, AuditActions.MfaFailed, Detail(via, new { method = MethodName(recovery) }));
        }

        if (recovery)
        {
            await AuditUserAsync(user, AuditActions.RecoveryCodeUsed, Detail(via, new { remaining = await users.CountRecoveryCodesAsync(user) }));
        }

        return CredentialCheck.Valid;
    }

    private async Task<CredentialCheck> FailedAsync(SwitchboardUser user, string action, object detail)
    {
        await users.AccessFailedAsync(user);
        var locked = await users.IsLockedOutAsync(user);
        await AuditUserAsync(user, action, detail);
        if (!locked)
        {
            return CredentialCheck.Wrong;
        }

        await AuditUserAsync(user, AuditActions.LockedOut, new { until = user.LockoutEnd });
        sessions.Forget(user.Id, null);
        return CredentialCheck.LockedOut;
    }

    private static string MethodName(bool recovery) => recovery ? "recovery_code" : "authenticator";

    /// <summary>The audit detail, with the door it came through when that is not the login form.</summary>
    private static object Detail(CredentialContext? via, object detail) =>
        via is null ? detail : new { attempt = detail, via = via.Door, tenantId = via.TenantId, inviteId = via.InviteId };

    /// <summary>The user between password and second factor (or enrolment), when the partial cookie is valid.</summary>
    public async Task<(SwitchboardUser User, string Stage, string ReturnUrl)?> PendingAsync()
    {
        var result = await Http.AuthenticateAsync(SwitchboardClaims.PartialScheme);
        if (!result.Succeeded || result.Principal.UserIdOf() is not { } userId)
        {
            return null;
        }

        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || user.SecurityStamp != result.Principal.FindFirstValue(SwitchboardClaims.SecurityStamp) || await users.IsLockedOutAsync(user))
        {
            return null;
        }

        return (user, result.Principal.FindFirstValue(SessionPrincipal.PartialStage) ?? "", result.Principal.FindFirstValue(SessionPrincipal.PartialReturnUrl) ?? "/");
    }

    /// <summary>Checks an authenticator code (or, with <paramref name="recovery"/>, a one-time recovery code) and signs in.</summary>
    public async Task<SignInOutcome> SecondFactorAsync(SwitchboardUser user, string? code, bool recovery)
    {
        switch (await CheckSecondFactorAsync(user, code, recovery, via: null))
        {
            case CredentialCheck.LockedOut:
                await Http.SignOutAsync(SwitchboardClaims.PartialScheme);
                return SignInOutcome.LockedOut;
            case CredentialCheck.Wrong:
                return SignInOutcome.Failed;
        }

        await CompleteAsync(user, MethodName(recovery));
        return SignInOutcome.SignedIn;
    }

    /// <summary>Issues the session cookie, working in <paramref name="tenantId"/> or the user's first active tenant.</summary>
    public async Task CompleteAsync(SwitchboardUser user, string method, Guid? tenantId = null)
    {
        await users.ResetAccessFailedCountAsync(user);
        user.LastLoginAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        var memberships = await ActiveMembershipsAsync(user.Id);
        var membership = memberships.FirstOrDefault(m => m.TenantId == tenantId) ?? memberships.FirstOrDefault();
        await Http.SignOutAsync(SwitchboardClaims.PartialScheme);
        await Http.SignInAsync(SwitchboardClaims.CookieScheme, SessionPrincipal.For(user, membership?.TenantId, membership?.Role));
        await AuditUserAsync(user, AuditActions.LoginSucceeded, new { method });
    }

    /// <summary>Re-issues the current session after the user's security stamp changed (MFA on or off), keeping its tenant.</summary>
    public async Task RefreshAsync(SwitchboardUser user)
    {
        var tenantId = Http.User.TenantIdOf();
        var membership = (await ActiveMembershipsAsync(user.Id)).FirstOrDefault(m => m.TenantId == tenantId);
        await Http.SignInAsync(SwitchboardClaims.CookieScheme, SessionPrincipal.For(user, membership?.TenantId, membership?.Role));
        sessions.Forget(user.Id, tenantId);
    }

    /// <summary>The signed-in user of this request's session, if any.</summary>
    public async Task<SwitchboardUser?> CurrentUserAsync() =>
        Http.User.Identity?.AuthenticationType == SwitchboardClaims.CookieScheme && Http.User.UserIdOf() is { } id
            ? await users.FindByIdAsync(id.ToString())
            : null;

    /// <summary>Re-issues the session for another tenant of the user's (explicit switch); false when not a member.</summary>
    public async Task<bool> SwitchTenantAsync(Guid userId, Guid tenantId)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        var membership = user is null ? null : (await ActiveMembershipsAsync(user.Id)).FirstOrDefault(m => m.TenantId == tenantId);
        if (user is null || membership is null)
        {
            return false;
        }

        if (!user.TwoFactorEnabled && await db.Tenants.AnyAsync(t => t.Id == tenantId && t.MfaRequired))
        {
            return false;
        }

        await Http.SignInAsync(SwitchboardClaims.CookieScheme, SessionPrincipal.For(user, membership.TenantId, membership.Role));
        await AuditLog.RecordAsync(db, tenantId, Actor(user), AuditActions.TenantSwitched, $"user:{user.Id}", null, clock.GetUtcNow(), Http.RequestAborted);
        return true;
    }

    public async Task SignOutAsync()
    {
        var userId = Http.User.UserIdOf();
        var tenantId = Http.User.TenantIdOf();
        await Http.SignOutAsync(SwitchboardClaims.CookieScheme);
        await Http.SignOutAsync(SwitchboardClaims.PartialScheme);
        if (userId is { } id)
        {
            await AuditLog.RecordAsync(db, tenantId ?? AuditLog.PlatformChain, new AuditActor($"user:{id}", Http.User.FindFirstValue(ClaimTypes.Email), Ip),
                AuditActions.Logout, $"user:{id}", null, clock.GetUtcNow(), Http.RequestAborted);
        }
    }

    public Task<List<Membership>> ActiveMembershipsAsync(Guid userId) => (
        from m in db.Memberships.AsNoTracking()
        join t in db.Tenants on m.TenantId equals t.Id
        where m.UserId == userId && m.Status == MembershipStatus.Active && t.Status == TenantStatus.Active
        orderby t.Name
        select m).ToListAsync(Http.RequestAborted);

    public Task<bool> MfaRequiredForAsync(Guid userId) => (
        from m in db.Memberships
        join t in db.Tenants on m.TenantId equals t.Id
        where m.UserId == userId && m.Status == MembershipStatus.Active && t.Status == TenantStatus.Active && t.MfaRequired
        select m).AnyAsync(Http.RequestAborted);

    /// <summary>Records an event about <paramref name="user"/> in each tenant they are an active member of (or the platform chain).</summary>
    public async Task AuditUserAsync(SwitchboardUser user, string action, object? detail)
    {
        var tenants = (await ActiveMembershipsAsync(user.Id)).Select(m => m.TenantId).ToList();
        if (tenants.Count == 0)
        {
            tenants.Add(AuditLog.PlatformChain);
        }

        foreach (var tenant in tenants)
        {
            await AuditLog.RecordAsync(db, tenant, Actor(user), action, $"user:{user.Id}", detail, clock.GetUtcNow(), Http.RequestAborted);
        }
    }

    /// <summary>Spends the time of a real password check, so response times do not reveal which emails have accounts.</summary>
    public void SpendPasswordCheckTime(string? password) =>
        users.PasswordHasher.VerifyHashedPassword(new SwitchboardUser(), DummyHash.Value, password ?? "");

    private AuditActor Actor(SwitchboardUser user) => new($"user:{user.Id}", user.Email, Ip);

    private static bool LooksLikeEmail(string? value) =>
        value is { Length: > 3 and <= 256 } && value.Contains('@', StringComparison.Ordinal) && !value.Any(char.IsWhiteSpace);

    /// <summary>A hash of a random password, checked against for unknown accounts.</summary>
    private static readonly Lazy<string> DummyHash = new(() =>
        new PasswordHasher<SwitchboardUser>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 100_000 }))
            .HashPassword(new SwitchboardUser(), Guid.NewGuid().ToString()));
}

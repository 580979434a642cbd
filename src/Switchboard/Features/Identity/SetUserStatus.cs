using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>Disables or enables a member, within the caller's own power; the last active admin cannot be disabled.</summary>
internal static class SetUserStatus
{
    public static Task<Results<Ok<UserResponse>, ProblemHttpResult>> DisableAsync(
        Guid tenantId, Guid userId, [AsParameters] MemberServices services, HttpContext http, CancellationToken ct) =>
        OverHttpAsync(tenantId, userId, MembershipStatus.Disabled, services, http, ct);

    public static Task<Results<Ok<UserResponse>, ProblemHttpResult>> EnableAsync(
        Guid tenantId, Guid userId, [AsParameters] MemberServices services, HttpContext http, CancellationToken ct) =>
        OverHttpAsync(tenantId, userId, MembershipStatus.Active, services, http, ct);

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> OverHttpAsync(
        Guid tenantId, Guid userId, MembershipStatus status, MemberServices services, HttpContext http, CancellationToken ct)
    {
        var outcome = await SetAsync(tenantId, userId, status, services.Db, services.Sessions, services.Clock, http.User, AuditActor.From(http), ct);
        return outcome is { Value: { } user } ? TypedResults.Ok(user) : outcome.Failure!.ToProblem();
    }

    public static async Task<Outcome<UserResponse>> SetAsync(
        Guid tenantId, Guid userId, MembershipStatus status, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var (membership, user) = await FindAsync(db, tenantId, userId, ct);
        if (membership is null || user is null)
        {
            return Failure.NotFound();
        }

        // Enabling gives the role back, disabling takes it away: either way only for someone within the caller's power.
        if (Grants.Missing(caller, Permissions.Of(membership.Role)) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot enable or disable someone whose role is above your own.", missing);
        }

        if (membership.Status == status)
        {
            return ToResponse(membership, user);
        }

        if (status == MembershipStatus.Disabled && membership.Role == TenantRole.Admin && await IsLastAdminAsync(db, tenantId, userId, ct))
        {
            return Failure.Conflict("A tenant needs at least one active admin: this one cannot be disabled.");
        }

        var now = clock.GetUtcNow();
        membership.Status = status;
        membership.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, actor, status == MembershipStatus.Disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled,
            $"user:{userId}", null, now, ct);
        sessions.Forget(userId, tenantId);
        return ToResponse(membership, user);
    }
}

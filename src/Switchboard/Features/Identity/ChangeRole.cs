using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>Gives a member another role, within the caller's own power; a tenant always keeps an active admin.</summary>
internal static class ChangeRole
{
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> HandleAsync(
        Guid tenantId, Guid userId, RoleRequest request, [AsParameters] MemberServices services, HttpContext http, CancellationToken ct) =>
        await ChangeAsync(tenantId, userId, request, services.Db, services.Sessions, services.Clock, http.User, AuditActor.From(http), ct) switch
        {
            { Value: { } user } => TypedResults.Ok(user),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<UserResponse>> ChangeAsync(
        Guid tenantId, Guid userId, RoleRequest request, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        if (!Permissions.TryParseRole(request.Role, out var role))
        {
            return Failure.Invalid("role", "Must be one of: admin, manager, agent.");
        }

        var (membership, user) = await FindAsync(db, tenantId, userId, ct);
        if (membership is null || user is null)
        {
            return Failure.NotFound();
        }

        if (Grants.Missing(caller, Permissions.Of(role).Concat(Permissions.Of(membership.Role))) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot give a role above your own, nor change the role of someone above you.", missing);
        }

        if (membership.Role == role)
        {
            return ToResponse(membership, user);
        }

        if (membership.Role == TenantRole.Admin && membership.Status == MembershipStatus.Active && await IsLastAdminAsync(db, tenantId, userId, ct))
        {
            return Failure.Conflict("A tenant needs at least one active admin: make someone else admin first.");
        }

        var now = clock.GetUtcNow();
        var old = membership.Role;
        membership.Role = role;
        membership.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.RoleChanged, $"user:{userId}",
            new { from = Permissions.RoleName(old), to = Permissions.RoleName(role) }, now, ct);
        sessions.Forget(userId, tenantId);
        return ToResponse(membership, user);
    }
}

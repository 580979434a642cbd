using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>A tenant's people: list, invite, change role, disable and enable. A tenant always keeps an active admin.</summary>
internal static class UsersApi
{
    public sealed record UserResponse(Guid Id, string? Email, string DisplayName, string Role, string Status, bool MfaEnabled, DateTimeOffset? LastLoginAt, DateTimeOffset CreatedAt);

    public sealed record ListResponse(IReadOnlyList<UserResponse> Items);

    public sealed record RoleRequest([property: Required] string? Role);

    public sealed record InviteRequest([property: Required, EmailAddress, StringLength(256)] string? Email, [property: Required] string? Role);

    public sealed record InviteResponse(Guid Id, string Email, string Role, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string InvitedBy, string? InviteUrl);

    public sealed record InviteListResponse(IReadOnlyList<InviteResponse> Items);

    public static async Task<Ok<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var rows = await (
            from m in db.Memberships.AsNoTracking()
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            where m.TenantId == tenantId
            orderby u.Email
            select new { m, u }).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse([.. rows.Select(r => ToResponse(r.m, r.u))]));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> ChangeRoleAsync(
        Guid tenantId, Guid userId, RoleRequest request, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!Permissions.TryParseRole(request.Role, out var role))
        {
            return Problems.Validation("role", "Must be one of: admin, manager, agent.");
        }

        var (membership, user) = await FindAsync(db, tenantId, userId, ct);
        if (membership is null || user is null)
        {
            return Problems.NotFound();
        }

        if (Grants.Missing(http.User, Permissions.Of(role).Concat(Permissions.Of(membership.Role))) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot give a role above your own, nor change the role of someone above you.", missing);
        }

        if (membership.Role == role)
        {
            return TypedResults.Ok(ToResponse(membership, user));
        }

        if (membership.Role == TenantRole.Admin && membership.Status == MembershipStatus.Active && await IsLastAdminAsync(db, tenantId, userId, ct))
        {
            return Problems.Conflict("A tenant needs at least one active admin: make someone else admin first.");
        }

        var now = clock.GetUtcNow();
        var old = membership.Role;
        membership.Role = role;
        membership.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.RoleChanged, $"user:{userId}",
            new { from = Permissions.RoleName(old), to = Permissions.RoleName(role) }, now, ct);
        sessions.Forget(userId, tenantId);
        return TypedResults.Ok(ToResponse(membership, user));
    }

    public static Task<Results<Ok<UserResponse>, ProblemHttpResult>> DisableAsync(
        Guid tenantId, Guid userId, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        SetStatusAsync(tenantId, userId, MembershipStatus.Disabled, db, sessions, clock, http, ct);

    public static Task<Results<Ok<UserResponse>, ProblemHttpResult>> EnableAsync(
        Guid tenantId, Guid userId, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        SetStatusAsync(tenantId, userId, MembershipStatus.Active, db, sessions, clock, http, ct);

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetStatusAsync(
        Guid tenantId, Guid userId, MembershipStatus status, SwitchboardDbContext db, SessionValidator sessions, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var (membership, user) = await FindAsync(db, tenantId, userId, ct);
        if (membership is null || user is null)
        {
            return Problems.NotFound();
        }

        // Enabling gives the role back, disabling takes it away: either way only for someone within the caller's power.
        if (Grants.Missing(http.User, Permissions.Of(membership.Role)) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot enable or disable someone whose role is above your own.", missing);
        }

        if (membership.Status == status)
        {
            return TypedResults.Ok(ToResponse(membership, user));
        }

        if (status == MembershipStatus.Disabled && membership.Role == TenantRole.Admin && await IsLastAdminAsync(db, tenantId, userId, ct))
        {
            return Problems.Conflict("A tenant needs at least one active admin: this one cannot be disabled.");
        }

        var now = clock.GetUtcNow();
        membership.Status = status;
        membership.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), status == MembershipStatus.Disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled,
            $"user:{userId}", null, now, ct);
        sessions.Forget(userId, tenantId);
        return TypedResults.Ok(ToResponse(membership, user));
    }

    public static async Task<Results<Created<InviteResponse>, ValidationProblem, ProblemHttpResult>> InviteAsync(
        Guid tenantId, InviteRequest request, SwitchboardDbContext db, Invitations invitations, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!Permissions.TryParseRole(request.Role, out var role))
        {
            return Problems.Validation("role", "Must be one of: admin, manager, agent.");
        }

        if (Grants.Missing(http.User, Permissions.Of(role)) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot invite someone with a role above your own.", missing);
        }

        var email = request.Email!.Trim();
        var normalized = email.ToUpperInvariant();
        var alreadyMember = await (
            from m in db.Memberships
            join u in db.Users on m.UserId equals u.Id
            where m.TenantId == tenantId && u.NormalizedEmail == normalized && m.Status == MembershipStatus.Active
            select m).AnyAsync(ct);
        if (alreadyMember)
        {
            return Problems.Conflict("This person is already an active member of the tenant.");
        }

        var actor = AuditActor.From(http);
        var (invite, code) = invitations.Create(tenantId, email, role, actor.Id);
        db.Invites.Add(invite);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.UserInvited, $"invite:{invite.Id}",
            new { email = invite.Email, role = Permissions.RoleName(role), expiresAt = invite.ExpiresAt }, clock.GetUtcNow(), ct);

        // No mail server is configured in this product yet, so the link goes to the admin to pass on.
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/invites/{invite.Id}", ToResponse(invite, invitations.LinkFor(code, http.Request)));
    }

    public static async Task<Ok<InviteListResponse>> ListInvitesAsync(Guid tenantId, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var invites = await db.Invites.AsNoTracking()
            .Where(i => i.TenantId == tenantId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(new InviteListResponse([.. invites.Select(i => ToResponse(i, null))]));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeInviteAsync(
        Guid tenantId, Guid inviteId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var invite = await db.Invites.FirstOrDefaultAsync(i => i.TenantId == tenantId && i.Id == inviteId, ct);
        if (invite is null)
        {
            return Problems.NotFound();
        }

        if (invite.RevokedAt is null && invite.AcceptedAt is null)
        {
            var now = clock.GetUtcNow();
            invite.RevokedAt = now;
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.InviteRevoked, $"invite:{invite.Id}", new { email = invite.Email }, now, ct);
        }

        return TypedResults.NoContent();
    }

    private static async Task<(Membership? Membership, SwitchboardUser? User)> FindAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.TenantId == tenantId && m.UserId == userId, ct);
        var user = membership is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        return (membership, user);
    }

    private static Task<bool> IsLastAdminAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct) =>
        db.Memberships.AllAsync(m => m.TenantId != tenantId || m.UserId == userId || m.Role != TenantRole.Admin || m.Status != MembershipStatus.Active, ct);

    private static UserResponse ToResponse(Membership m, SwitchboardUser u) =>
        new(u.Id, u.Email, u.DisplayName, Permissions.RoleName(m.Role), m.Status == MembershipStatus.Active ? "active" : "disabled", u.TwoFactorEnabled, u.LastLoginAt, m.CreatedAt);

    private static InviteResponse ToResponse(Invite i, string? url) =>
        new(i.Id, i.Email, Permissions.RoleName(i.Role), i.ExpiresAt, i.CreatedAt, i.InvitedBy, url);
}

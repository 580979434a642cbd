using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;

namespace Switchboard.Features.Identity;

/// <summary>
/// A tenant's people as the API shows them, and what their use cases share (ListUsers, InviteUser, ChangeRole,
/// SetUserStatus, ListInvites, RevokeInvite). A tenant always keeps an active admin.
/// </summary>
internal static class UsersApi
{
    public sealed record UserResponse(Guid Id, string? Email, string DisplayName, string Role, string Status, bool MfaEnabled, DateTimeOffset? LastLoginAt, DateTimeOffset CreatedAt);

    public sealed record ListResponse(IReadOnlyList<UserResponse> Items);

    public sealed record RoleRequest([property: Required] string? Role);

    public sealed record InviteRequest([property: Required, EmailAddress, StringLength(256)] string? Email, [property: Required] string? Role);

    public sealed record InviteResponse(Guid Id, string Email, string Role, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string InvitedBy, string? InviteUrl, bool Emailed = false);

    public sealed record InviteListResponse(IReadOnlyList<InviteResponse> Items);

    /// <summary>What changing a member needs (ChangeRole, SetUserStatus); their endpoints take it with <c>[AsParameters]</c>.</summary>
    public readonly record struct MemberServices(SwitchboardDbContext Db, SessionValidator Sessions, TimeProvider Clock);

    internal static async Task<(Membership? Membership, SwitchboardUser? User)> FindAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.TenantId == tenantId && m.UserId == userId, ct);
        var user = membership is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        return (membership, user);
    }

    internal static Task<bool> IsLastAdminAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct) =>
        db.Memberships.AllAsync(m => m.TenantId != tenantId || m.UserId == userId || m.Role != TenantRole.Admin || m.Status != MembershipStatus.Active, ct);

    internal static UserResponse ToResponse(Membership m, SwitchboardUser u) =>
        new(u.Id, u.Email, u.DisplayName, Permissions.RoleName(m.Role), m.Status == MembershipStatus.Active ? "active" : "disabled", u.TwoFactorEnabled, u.LastLoginAt, m.CreatedAt);

    internal static InviteResponse ToResponse(Invite i, string? url) =>
        new(i.Id, i.Email, Permissions.RoleName(i.Role), i.ExpiresAt, i.CreatedAt, i.InvitedBy, url);
}

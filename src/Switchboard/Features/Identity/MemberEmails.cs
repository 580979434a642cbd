using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;

namespace Switchboard.Features.Identity;

/// <summary>Where notices about a tenant go: its active admins' addresses, or one member's (ADR 0039).</summary>
internal static class MemberEmails
{
    public static async Task<IReadOnlyList<string>> AdminsAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        await (from m in db.Memberships.AsNoTracking()
               join u in db.Users.AsNoTracking() on m.UserId equals u.Id
               where m.TenantId == tenantId && m.Role == TenantRole.Admin && m.Status == MembershipStatus.Active && u.Email != null
               orderby u.Email
               select u.Email!).ToListAsync(ct);

    /// <summary>
    /// The address of the active member an audit actor names: <c>user:&lt;id&gt;</c>, or <c>token:&lt;id&gt;</c> of a personal
    /// token (its user); null for integration tokens, keys and the system.
    /// </summary>
    public static async Task<string?> OfActorAsync(SwitchboardDbContext db, Guid tenantId, string actor, CancellationToken ct)
    {
        Guid? userId = null;
        if (actor.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(actor.AsSpan(5), out var user))
        {
            userId = user;
        }
        else if (actor.StartsWith("token:", StringComparison.Ordinal) && Guid.TryParse(actor.AsSpan(6), out var tokenId))
        {
            userId = await db.ApiTokens.IgnoreQueryFilters().AsNoTracking()
                .Where(t => t.TenantId == tenantId && t.Id == tokenId && t.Kind == ApiTokenKind.Personal).Select(t => t.UserId).FirstOrDefaultAsync(ct);
        }

        if (userId is not { } id)
        {
            return null;
        }

        return await (from m in db.Memberships.AsNoTracking()
                      join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                      where m.TenantId == tenantId && m.UserId == id && m.Status == MembershipStatus.Active
                      select u.Email).FirstOrDefaultAsync(ct);
    }
}

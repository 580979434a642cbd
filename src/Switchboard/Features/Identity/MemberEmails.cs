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

    /// <summary>The address of an active member of the tenant named by an audit actor (<c>user:&lt;id&gt;</c>), or null.</summary>
    public static async Task<string?> OfActorAsync(SwitchboardDbContext db, Guid tenantId, string actor, CancellationToken ct)
    {
        if (!actor.StartsWith("user:", StringComparison.Ordinal) || !Guid.TryParse(actor.AsSpan(5), out var userId))
        {
            return null;
        }

        return await (from m in db.Memberships.AsNoTracking()
                      join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                      where m.TenantId == tenantId && m.UserId == userId && m.Status == MembershipStatus.Active
                      select u.Email).FirstOrDefaultAsync(ct);
    }
}

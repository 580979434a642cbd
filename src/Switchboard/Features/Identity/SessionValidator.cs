using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Identity;

/// <summary>
/// Checks each dashboard request's session against the database (through a cache of at most
/// <see cref="CacheFor"/>): a disabled membership, a changed role, an erased tenant, a lockout or a new
/// security stamp (password or MFA change, "sign out everywhere") ends the session. So a session ends
/// within that interval on every node, with no shared cache needed.
/// </summary>
internal sealed class SessionValidator(IDbContextFactory<SwitchboardDbContext> dbFactory, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(20);

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal?.UserIdOf() is not { } userId || !await IsCurrentAsync(userId, principal.TenantIdOf(), principal.FindFirst(SwitchboardClaims.Role)?.Value, principal.FindFirst(SwitchboardClaims.SecurityStamp)?.Value, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SwitchboardClaims.CookieScheme);
        }
    }

    /// <summary>True while the user, their stamp, and (for a tenant session) the membership and role still hold.</summary>
    public async Task<bool> IsCurrentAsync(Guid userId, Guid? tenantId, string? role, string? stamp, CancellationToken ct)
    {
        var state = await cache.GetOrCreateAsync((nameof(SessionValidator), userId, tenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
                .Select(u => new { u.SecurityStamp, u.LockoutEnd }).SingleOrDefaultAsync(ct);
            if (user is null)
            {
                return null;
            }

            string? memberRole = null;
            if (tenantId is { } tenant)
            {
                memberRole = await (
                    from m in db.Memberships.AsNoTracking()
                    join t in db.Tenants on m.TenantId equals t.Id
                    where m.TenantId == tenant && m.UserId == userId && m.Status == MembershipStatus.Active && t.Status == TenantStatus.Active
                    select (TenantRole?)m.Role).SingleOrDefaultAsync(ct) is { } r ? Permissions.RoleName(r) : null;
            }

            return new SessionState(user.SecurityStamp, user.LockoutEnd, memberRole);
        });

        if (state is null || state.LockoutEnd > clock.GetUtcNow() || !string.Equals(state.Stamp, stamp, StringComparison.Ordinal))
        {
            return false;
        }

        return tenantId is null || (state.Role is not null && string.Equals(state.Role, role, StringComparison.Ordinal));
    }

    /// <summary>Forgets this node's cached state for a user (the change was made here; other nodes catch up within <see cref="CacheFor"/>).</summary>
    public void Forget(Guid userId, Guid? tenantId)
    {
        cache.Remove((nameof(SessionValidator), userId, tenantId));
        cache.Remove((nameof(SessionValidator), userId, (Guid?)null));
    }

    private sealed record SessionState(string? Stamp, DateTimeOffset? LockoutEnd, string? Role);
}

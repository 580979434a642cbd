using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Identity;

/// <summary>
/// Checks each dashboard request's session against the database (through a cache of at most
/// <see cref="CacheFor"/>): a disabled membership, a changed role, an erased tenant, a lockout or a new
/// security stamp (password or MFA change, "sign out everywhere") ends the session. A change drops the
/// user's cached state on every node at once (ADR 0056); the lifetime is the backstop.
/// </summary>
internal sealed class SessionValidator
{
    public const string Topic = "sessions";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<(Guid User, Guid? Tenant), (SessionState? State, DateTimeOffset Expires)> cache = new();
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly CacheInvalidation invalidation;
    private long generation;

    public SessionValidator(IDbContextFactory<SwitchboardDbContext> dbFactory, TimeProvider clock, CacheInvalidation invalidation)
    {
        this.dbFactory = dbFactory;
        this.clock = clock;
        this.invalidation = invalidation;
        invalidation.On(Topic, userId =>
        {
            Interlocked.Increment(ref generation);
            foreach (var key in cache.Keys.Where(k => userId is null || k.User == userId))
            {
                cache.TryRemove(key, out _);
            }

            Changed?.Invoke();
        });
    }

    /// <summary>Raised when some user's sessions may have changed (on any node), so long-lived connections re-check theirs.</summary>
    public event Action? Changed;

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
        var state = await StateAsync(userId, tenantId, ct);
        if (state is null || state.LockoutEnd > clock.GetUtcNow() || !string.Equals(state.Stamp, stamp, StringComparison.Ordinal))
        {
            return false;
        }

        return tenantId is null || (state.Role is not null && string.Equals(state.Role, role, StringComparison.Ordinal));
    }

    /// <summary>Forgets every node's cached state for a user, after a change to them committed.</summary>
    public void Forget(Guid userId, Guid? tenantId) => invalidation.Publish(Topic, userId);

    private async Task<SessionState?> StateAsync(Guid userId, Guid? tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue((userId, tenantId), out var cached) && cached.Expires > now)
        {
            return cached.State;
        }

        // A change heard while this read was under way may be newer than what it read: then it is not kept.
        var generation = Volatile.Read(ref this.generation);
        var state = await LoadAsync(userId, tenantId, ct);
        if (generation == Volatile.Read(ref this.generation))
        {
            cache[(userId, tenantId)] = (state, now + CacheFor);
        }

        return state;
    }

    private async Task<SessionState?> LoadAsync(Guid userId, Guid? tenantId, CancellationToken ct)
    {
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
    }

    private sealed record SessionState(string? Stamp, DateTimeOffset? LockoutEnd, string? Role);
}

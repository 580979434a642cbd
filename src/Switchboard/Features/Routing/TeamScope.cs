using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// "Agents see only their teams' conversations" (ADR 0022, amendment): with the tenant setting on, a caller whose
/// role is agent sees the conversations of their teams, those assigned to them and those in no team; managers,
/// admins, the tenant's API keys and the operator see all.
/// </summary>
internal sealed class TeamScope(IDbContextFactory<SwitchboardDbContext> dbFactory, TeamScopeCache cache) : IConversationScope
{
    public async ValueTask<ConversationVisibility?> ForAsync(ClaimsPrincipal user, Guid tenantId, CancellationToken ct)
    {
        if (user.IsOperator() || user.RoleOf() != TenantRole.Agent || user.UserIdOf() is not { } userId)
        {
            return null;
        }

        if (cache.TryGet(tenantId, userId, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation(tenantId);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        ConversationVisibility? visible = null;
        if (await db.RoutingSettings.AsNoTracking().AnyAsync(s => s.TenantId == tenantId && s.AgentsSeeOwnTeamsOnly, ct))
        {
            var teams = await db.TeamMembers.AsNoTracking().Where(m => m.TenantId == tenantId && m.UserId == userId).Select(m => m.TeamId).ToListAsync(ct);
            visible = new ConversationVisibility(userId, teams);
        }

        cache.Set(tenantId, userId, visible, generation);
        return visible;
    }
}

/// <summary>
/// Each (tenant, agent)'s visibility for up to 30 s, dropped on every node at once when the tenant's routing settings
/// or teams change on any node (ADR 0056); the lifetime is the backstop.
/// </summary>
internal sealed class TeamScopeCache
{
    /// <summary>The <see cref="CacheInvalidation"/> topic of a tenant's routing settings and teams.</summary>
    public const string Topic = "team-scope";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(Guid Tenant, Guid User), (DateTimeOffset Until, long Generation, ConversationVisibility? Visible)> entries = new();
    private readonly ConcurrentDictionary<Guid, long> generations = new();
    private readonly TimeProvider clock;
    private readonly CacheInvalidation invalidation;
    private long everyTenant;

    public TeamScopeCache(TimeProvider clock, CacheInvalidation invalidation)
    {
        this.clock = clock;
        this.invalidation = invalidation;
        invalidation.On(Topic, tenantId =>
        {
            if (tenantId is { } tenant)
            {
                generations.AddOrUpdate(tenant, 1, (_, g) => g + 1);
            }
            else
            {
                Interlocked.Increment(ref everyTenant);
            }
        });
    }

    /// <summary>Changes with every invalidation of the tenant (or of all tenants); an entry read under an older one is stale.</summary>
    public long Generation(Guid tenantId) => generations.GetValueOrDefault(tenantId) + (Volatile.Read(ref everyTenant) << 32);

    public bool TryGet(Guid tenantId, Guid userId, out ConversationVisibility? visible)
    {
        visible = null;
        if (entries.TryGetValue((tenantId, userId), out var entry) && entry.Until > clock.GetUtcNow() && entry.Generation == Generation(tenantId))
        {
            visible = entry.Visible;
            return true;
        }

        return false;
    }

    public void Set(Guid tenantId, Guid userId, ConversationVisibility? visible, long generation)
    {
        if (entries.Count > 100_000)
        {
            entries.Clear();
        }

        entries[(tenantId, userId)] = (clock.GetUtcNow() + Lifetime, generation, visible);
    }

    /// <summary>After a change of the tenant's routing settings or teams (called after the save): every node reads them again.</summary>
    public void Invalidate(Guid tenantId) => invalidation.Publish(Topic, tenantId);
}

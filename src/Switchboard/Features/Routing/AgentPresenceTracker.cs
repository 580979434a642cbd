using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// Dashboard presence (ADR 0022): one <see cref="AgentPresence"/> row per open circuit of a signed-in member, refreshed
/// by the node that holds it. When a member's last circuit closes (or its node stops refreshing it for
/// <see cref="StaleAfter"/>) a status set from the dashboard becomes offline; idle beyond the tenant's auto-away minutes,
/// online becomes away, and activity brings an automatic away back online. Statuses set through the API are never touched.
/// Every change is a conditional update, so that any number of nodes may run it at once.
/// </summary>
internal sealed class AgentPresenceTracker(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, RoutingSignal signal, TimeProvider clock)
{
    /// <summary>A presence row not refreshed for this long belongs to a node that died.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(90);

    private static readonly string[] PresenceSources = [AgentState.FromDashboard, AgentState.FromPresence];
    private readonly ConcurrentDictionary<string, (Guid TenantId, Guid UserId)> live = new();

    /// <summary>This process, as named in the presence rows it refreshes.</summary>
    public string Node { get; } = Truncate($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", 64);

    /// <summary>A circuit of a signed-in member opened: it counts as activity, and never changes the status itself.</summary>
    public async Task OpenAsync(Guid tenantId, Guid userId, string sessionId, CancellationToken ct)
    {
        sessionId = Truncate(sessionId, 64);
        live[sessionId] = (tenantId, userId);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        if (await db.AgentPresence.Where(p => p.TenantId == tenantId && p.UserId == userId && p.SessionId == sessionId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastSeenAt, now).SetProperty(p => p.Node, Node), ct) == 0)
        {
            db.AgentPresence.Add(new AgentPresence { TenantId = tenantId, UserId = userId, SessionId = sessionId, Node = Node, LastSeenAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                // The same circuit reconnected at the same moment: its row is there.
            }
        }

        await TouchAsync(tenantId, userId, ct);
    }

    /// <summary>A circuit closed: its row goes, and when it was the member's last, a dashboard status becomes offline.</summary>
    public async Task CloseAsync(string sessionId, CancellationToken ct)
    {
        sessionId = Truncate(sessionId, 64);
        if (!live.TryRemove(sessionId, out var who))
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.AgentPresence.Where(p => p.TenantId == who.TenantId && p.UserId == who.UserId && p.SessionId == sessionId).ExecuteDeleteAsync(ct);
        await OfflineWhenGoneAsync(db, who.TenantId, who.UserId, ct);
    }

    /// <summary>The circuit now shows <paramref name="conversationId"/> (null: none); a circuit this node does not hold is ignored.</summary>
    public async Task ViewAsync(string sessionId, Guid? conversationId, CancellationToken ct)
    {
        sessionId = Truncate(sessionId, 64);
        if (!live.TryGetValue(sessionId, out var who))
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.AgentPresence.Where(p => p.TenantId == who.TenantId && p.UserId == who.UserId && p.SessionId == sessionId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ConversationId, conversationId), ct);
    }

    /// <summary>The other members with a live circuit (on any node) showing the conversation.</summary>
    public async Task<IReadOnlyList<Guid>> ViewersAsync(Guid tenantId, Guid conversationId, Guid exceptUserId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var fresh = clock.GetUtcNow() - StaleAfter;
        return await db.AgentPresence.AsNoTracking()
            .Where(p => p.TenantId == tenantId && p.ConversationId == conversationId && p.UserId != exceptUserId && p.LastSeenAt >= fresh)
            .Select(p => p.UserId).Distinct().ToListAsync(ct);
    }

    /// <summary>Activity in a dashboard (throttled in the browser): recorded, and an automatic away comes back online.</summary>
    public async Task TouchAsync(Guid tenantId, Guid userId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActivityAt, now), ct);
        if (await ChangeAsync(db, tenantId, userId, AgentState.Online, now, q => q.Where(a => a.Status == AgentState.Away && a.Source == AgentState.FromPresence), ct))
        {
            signal.NotifyUser(tenantId, userId);
        }
    }

    /// <summary>
    /// One sweep, on any node: refreshes this node's live circuits, drops rows of dead nodes, takes members with no
    /// dashboard left offline and idle ones away; returns how many availabilities changed.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var sessions = live.Keys.ToList();
        foreach (var chunk in sessions.Chunk(500))
        {
            await db.AgentPresence.Where(p => p.Node == Node && chunk.Contains(p.SessionId)).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastSeenAt, now), ct);
        }

        var stale = now - StaleAfter;
        await db.AgentPresence.Where(p => p.LastSeenAt < stale).ExecuteDeleteAsync(ct);

        var changed = 0;
        var gone = await db.AgentStates.AsNoTracking()
            .Where(a => a.Status != AgentState.Offline && PresenceSources.Contains(a.Source)
                && !db.Set<AgentPresence>().Any(p => p.TenantId == a.TenantId && p.UserId == a.UserId))
            .Select(a => new { a.TenantId, a.UserId }).ToListAsync(ct);
        foreach (var agent in gone)
        {
            changed += await OfflineWhenGoneAsync(db, agent.TenantId, agent.UserId, ct) ? 1 : 0;
        }

        var online = await db.AgentStates.AsNoTracking()
            .Where(a => a.Status == AgentState.Online && PresenceSources.Contains(a.Source))
            .Select(a => new { a.TenantId, a.UserId, Since = a.LastActivityAt ?? a.StatusAt }).ToListAsync(ct);
        var tenants = online.Select(a => a.TenantId).Distinct().ToList();
        var minutes = await db.RoutingSettings.AsNoTracking().Where(s => tenants.Contains(s.TenantId)).ToDictionaryAsync(s => s.TenantId, s => s.AutoAwayMinutes, ct);
        foreach (var agent in online)
        {
            var cutoff = now - TimeSpan.FromMinutes(minutes.GetValueOrDefault(agent.TenantId, RoutingSettings.DefaultAutoAwayMinutes));
            if (agent.Since < cutoff
                && await ChangeAsync(db, agent.TenantId, agent.UserId, AgentState.Away, now, q => q.Where(a => a.Status == AgentState.Online && PresenceSources.Contains(a.Source)
                    && (a.LastActivityAt ?? a.StatusAt) < cutoff), ct))
            {
                changed++;
            }
        }

        return changed;
    }

    private async Task<bool> OfflineWhenGoneAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct) =>
        await ChangeAsync(db, tenantId, userId, AgentState.Offline, clock.GetUtcNow(), q => q.Where(a => a.Status != AgentState.Offline && PresenceSources.Contains(a.Source)
            && !db.Set<AgentPresence>().Any(p => p.TenantId == a.TenantId && p.UserId == a.UserId)), ct);

    /// <summary>Sets the status (source: presence) when the row still matches <paramref name="condition"/>, with its event, in one transaction.</summary>
    private async Task<bool> ChangeAsync(
        SwitchboardDbContext db, Guid tenantId, Guid userId, string status, DateTimeOffset now, Func<IQueryable<AgentState>, IQueryable<AgentState>> condition, CancellationToken ct)
    {
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await condition(db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == userId))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, status).SetProperty(a => a.StatusAt, now).SetProperty(a => a.Source, AgentState.FromPresence), ct);
        if (rows == 0)
        {
            return false;
        }

        AgentsApi.AppendChanged(db, tenantId, userId, status, now);
        await RealtimeLog.FlushAsync(db, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

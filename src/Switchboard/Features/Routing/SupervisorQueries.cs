using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Routing;

/// <summary>What a supervisor watches (issue 17, item 8): each team's queue, the agents' availability and load, and the SLA risk list.</summary>
internal static class SupervisorQueries
{
    private const int DefaultWarnMinutes = 10;

    public sealed record QueueResponse(Guid TeamId, int Waiting, long? LongestWaitSeconds, int OnlineAgents, int FreeSlots, int AtRisk, int Breached);

    public sealed record Queue(Guid TeamId, string Name, int Waiting, long? LongestWaitSeconds, int OnlineAgents, int FreeSlots, int AtRisk, int Breached);

    public sealed record Agent(Guid UserId, string Availability, int OpenAssigned, int? Capacity, DateTimeOffset? LastActivityAt);

    /// <summary>An open conversation whose next due time is within its policy's warning window, or one that missed a target.</summary>
    public sealed record Risk(Guid ConversationId, long Number, Guid? TeamId, Guid? AssigneeId, string Kind, DateTimeOffset? DueAt, bool Breached);

    /// <summary><c>GET …/routing/queues</c>: per team, waiting count and longest wait, online agents, free slots, SLA at risk and breached.</summary>
    public static async Task<Ok<Page<QueueResponse>>> ListQueuesAsync(Guid tenantId, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(new Page<QueueResponse>(
            [.. (await QueuesAsync(db, tenantId, clock.GetUtcNow(), ct)).Select(q => new QueueResponse(q.TeamId, q.Waiting, q.LongestWaitSeconds, q.OnlineAgents, q.FreeSlots, q.AtRisk, q.Breached))],
            null));

    public static async Task<List<Queue>> QueuesAsync(SwitchboardDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).ToListAsync(ct);
        var waiting = (await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId && c.WaitingSince != null && c.TeamId != null)
            .GroupBy(c => c.TeamId!.Value).Select(g => new { TeamId = g.Key, Count = g.Count(), Oldest = g.Min(c => c.WaitingSince) }).ToListAsync(ct))
            .ToDictionary(w => w.TeamId);
        var online = await (
            from m in db.TeamMembers.AsNoTracking()
            join a in db.AgentStates.AsNoTracking() on new { m.TenantId, m.UserId } equals new { a.TenantId, a.UserId }
            join ms in db.Memberships.AsNoTracking() on new { m.TenantId, m.UserId } equals new { ms.TenantId, ms.UserId }
            where m.TenantId == tenantId && a.Status == AgentState.Online && ms.Status == MembershipStatus.Active
            select new { m.TeamId, m.UserId }).ToListAsync(ct);
        var onlineUsers = online.Select(o => o.UserId).Distinct().ToList();
        var loads = await LoadsAsync(db, tenantId, onlineUsers, ct);
        var risks = await RisksAsync(db, tenantId, now, int.MaxValue, ct);
        return [.. teams.Select(t =>
        {
            var members = online.Where(o => o.TeamId == t.Id).Select(o => o.UserId).ToList();
            var queue = waiting.GetValueOrDefault(t.Id);
            return new Queue(
                t.Id,
                t.Name,
                queue?.Count ?? 0,
                queue?.Oldest is { } oldest ? (long)Math.Max(0, (now - oldest).TotalSeconds) : null,
                members.Count,
                members.Sum(u => Math.Max(0, t.Capacity - loads.GetValueOrDefault(u))),
                risks.Count(r => r.TeamId == t.Id && !r.Breached),
                risks.Count(r => r.TeamId == t.Id && r.Breached));
        })];
    }

    /// <summary>Every active member (by id) with availability, open assigned conversations, capacity (their teams' largest) and last dashboard activity.</summary>
    public static async Task<List<Agent>> AgentsAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var ids = await db.Memberships.AsNoTracking().Where(m => m.TenantId == tenantId && m.Status == MembershipStatus.Active)
            .OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync(ct);
        var states = await db.AgentStates.AsNoTracking().Where(a => a.TenantId == tenantId).ToDictionaryAsync(a => a.UserId, ct);
        var loads = await LoadsAsync(db, tenantId, ids, ct);
        var capacities = (await (
            from m in db.TeamMembers.AsNoTracking()
            join t in db.Teams.AsNoTracking() on new { m.TenantId, Id = m.TeamId } equals new { t.TenantId, t.Id }
            where m.TenantId == tenantId
            select new { m.UserId, t.Capacity }).ToListAsync(ct)).GroupBy(c => c.UserId).ToDictionary(g => g.Key, g => g.Max(c => c.Capacity));
        return [.. ids.Select(id => new Agent(
            id,
            states.TryGetValue(id, out var s) ? s.Status : AgentState.Offline,
            loads.GetValueOrDefault(id),
            capacities.TryGetValue(id, out var c) ? c : null,
            s?.LastActivityAt))];
    }

    /// <summary>Open or pending conversations with a breached target or a running one due within the warning window, breached first then soonest due.</summary>
    public static async Task<List<Risk>> RisksAsync(SwitchboardDbContext db, Guid tenantId, DateTimeOffset now, int limit, CancellationToken ct)
    {
        var warn = await db.SlaPolicies.AsNoTracking().Where(p => p.TenantId == tenantId).ToDictionaryAsync(p => p.Id, p => p.WarnBeforeMinutes, ct);
        var horizon = now.AddMinutes(warn.Count == 0 ? DefaultWarnMinutes : Math.Max(DefaultWarnMinutes, warn.Values.Max()));
        var rows = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Status != ConversationStatus.Resolved && (c.SlaBreached != 0
                || (c.FirstResponseAt == null && c.FirstResponseDueAt != null && c.FirstResponseDueAt <= horizon)
                || (c.NextResponseDueAt != null && c.NextResponseDueAt <= horizon)
                || (c.ResolutionDueAt != null && c.ResolutionDueAt <= horizon)))
            .Select(c => new { c.Id, c.Number, c.TeamId, c.AssignedUserId, c.SlaPolicyId, c.SlaBreached, c.FirstResponseAt, c.FirstResponseDueAt, c.NextResponseDueAt, c.ResolutionDueAt })
            .ToListAsync(ct);
        var risks = new List<Risk>();
        foreach (var c in rows)
        {
            (SlaKind Kind, DateTimeOffset? Due)[] running =
            [
                (SlaKind.FirstResponse, c.FirstResponseAt == null ? c.FirstResponseDueAt : null),
                (SlaKind.NextResponse, c.NextResponseDueAt),
                (SlaKind.Resolution, c.ResolutionDueAt),
            ];
            var next = running.Where(r => r.Due is not null && (c.SlaBreached & (int)r.Kind) == 0).OrderBy(r => r.Due).FirstOrDefault();
            var window = TimeSpan.FromMinutes(c.SlaPolicyId is { } policy && warn.TryGetValue(policy, out var minutes) ? minutes : DefaultWarnMinutes);
            if (c.SlaBreached != 0)
            {
                risks.Add(new Risk(c.Id, c.Number, c.TeamId, c.AssignedUserId, string.Join(",", SlaKinds.Names(c.SlaBreached)), next.Due, Breached: true));
            }
            else if (next.Due is { } due && due - window <= now)
            {
                risks.Add(new Risk(c.Id, c.Number, c.TeamId, c.AssignedUserId, SlaKinds.Name(next.Kind), due, Breached: false));
            }
        }

        return [.. risks.OrderByDescending(r => r.Breached).ThenBy(r => r.DueAt ?? DateTimeOffset.MaxValue).ThenBy(r => r.Number).Take(limit)];
    }

    private static async Task<Dictionary<Guid, int>> LoadsAsync(SwitchboardDbContext db, Guid tenantId, List<Guid> users, CancellationToken ct) =>
        await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.AssignedUserId != null && users.Contains(c.AssignedUserId.Value) && c.Status == ConversationStatus.Open)
            .GroupBy(c => c.AssignedUserId!.Value).Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.UserId, g => g.Count, ct);
}

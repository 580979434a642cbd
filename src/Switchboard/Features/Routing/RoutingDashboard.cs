using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>What the dashboard reads and does for routing, in-process, through the same use cases as the API.</summary>
internal sealed class RoutingDashboard(
    IDbContextFactory<SwitchboardDbContext> dbFactory, ConversationLedger ledger, ContactKeys keys, ContactReader contacts, RoutingSignal signal, TimeProvider clock)
{
    public sealed record TeamOption(Guid Id, string Name);

    public async Task<IReadOnlyList<TeamOption>> TeamsAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).Select(t => new TeamOption(t.Id, t.Name)).ToListAsync(ct);
    }

    /// <summary>The signed-in member's own availability (offline when never set).</summary>
    public async Task<string> AvailabilityAsync(Guid tenantId, Guid userId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AgentStates.AsNoTracking().Where(a => a.TenantId == tenantId && a.UserId == userId).Select(a => a.Status).FirstOrDefaultAsync(ct) ?? AgentState.Offline;
    }

    /// <summary>The signed-in member sets their own availability; returns the refusal's message, if any.</summary>
    public async Task<string?> SetOwnAvailabilityAsync(ClaimsPrincipal user, string status, CancellationToken ct)
    {
        if (user.TenantIdOf() is not { } tenantId || user.UserIdOf() is not { } userId)
        {
            return "Only a signed-in member has an availability.";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await AgentsApi.SetAsync(tenantId, userId, status, db, signal, clock, AuditActor.From(user, null), ct, AgentState.FromDashboard);
        return outcome.Failure?.Message;
    }

    public sealed record SupervisorSnapshot(
        IReadOnlyList<SupervisorQueries.Queue> Queues, IReadOnlyList<SupervisorQueries.Agent> Agents, IReadOnlyList<SupervisorQueries.Risk> Risks, DateTimeOffset At);

    /// <summary>The supervisor view's data: queues, agents and the SLA risk list (null without <c>routing:supervise</c>).</summary>
    public async Task<SupervisorSnapshot?> SupervisorAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.HasScope(Permissions.RoutingSupervise) || user.TenantIdOf() is not { } tenantId)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        return new SupervisorSnapshot(
            await SupervisorQueries.QueuesAsync(db, tenantId, now, ct), await SupervisorQueries.AgentsAsync(db, tenantId, ct), await SupervisorQueries.RisksAsync(db, tenantId, now, 50, ct), now);
    }

    /// <summary>The queue's waiting conversations, oldest first (for the supervisor to hand one to someone).</summary>
    public async Task<IReadOnlyList<(Guid Id, long Number, DateTimeOffset WaitingSince)>> WaitingAsync(ClaimsPrincipal user, Guid teamId, CancellationToken ct)
    {
        if (!user.HasScope(Permissions.RoutingSupervise) || user.TenantIdOf() is not { } tenantId)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. (await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId && c.TeamId == teamId && c.WaitingSince != null)
            .OrderBy(c => c.WaitingSince).ThenBy(c => c.Number).Take(20).Select(c => new { c.Id, c.Number, c.WaitingSince }).ToListAsync(ct))
            .Select(c => (c.Id, c.Number, c.WaitingSince!.Value))];
    }

    /// <summary>Transfers a conversation to a team or a member, with an optional note; returns the refusal's message, if any.</summary>
    public async Task<string?> TransferAsync(ClaimsPrincipal user, Guid conversationId, Guid? teamId, Guid? userId, string? note, CancellationToken ct)
    {
        if (!user.HasScope(Permissions.ConversationsWrite) || user.TenantIdOf() is not { } tenantId)
        {
            return "You may not transfer conversations.";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await TransferConversation.TransferAsync(
            tenantId, conversationId, new TransferConversation.TransferRequest(teamId, userId, note), db, ledger, keys, contacts, signal, clock, user.UserIdOf(), ct, AuditActor.From(user, null));
        return outcome.Failure?.Message;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Routing;

/// <summary>Agents' availability (online, busy, away, offline), their open assigned conversations and capacity.</summary>
internal static class AgentsApi
{
    public sealed record AvailabilityRequest(string? Status);

    public sealed record AgentResponse(Guid UserId, string Availability, int OpenAssigned, int? Capacity, Guid[] TeamIds, DateTimeOffset? StatusAt);

    public static async Task<Ok<Page<AgentResponse>>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var users = await db.Memberships.AsNoTracking().Where(m => m.TenantId == tenantId && m.Status == MembershipStatus.Active)
            .OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync(ct);
        return TypedResults.Ok(new Page<AgentResponse>(await DescribeAsync(db, tenantId, users, ct), null));
    }

    public static async Task<Results<Ok<AgentResponse>, ValidationProblem, ProblemHttpResult>> SetAvailabilityAsync(
        Guid tenantId, Guid userId, AvailabilityRequest request, SwitchboardDbContext db, RoutingSignal signal, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SetAsync(tenantId, userId, request.Status, db, signal, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } agent } => TypedResults.Ok(agent),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>
    /// Sets an active member's availability (audited when it changes, with an <c>agent.changed</c> event); coming online
    /// wakes the dispatcher. <paramref name="source"/> says who set it: presence never changes what the API set.
    /// </summary>
    public static async Task<Outcome<AgentResponse>> SetAsync(
        Guid tenantId, Guid userId, string? status, SwitchboardDbContext db, RoutingSignal signal, TimeProvider clock, AuditActor actor, CancellationToken ct,
        string source = AgentState.FromApi)
    {
        if (!await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == userId && m.Status == MembershipStatus.Active, ct))
        {
            return Failure.NotFound();
        }

        if (status is null || !AgentState.Statuses.Contains(status, StringComparer.Ordinal))
        {
            return Failure.Invalid("status", "One of online, busy, away, offline.");
        }

        var now = clock.GetUtcNow();
        DateTimeOffset? activity = source == AgentState.FromDashboard ? now : null;
        var state = await db.AgentStates.FirstOrDefaultAsync(a => a.TenantId == tenantId && a.UserId == userId, ct);
        var from = state?.Status ?? AgentState.Offline;
        if (from != status || state?.Source != source)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                if (state is null)
                {
                    db.AgentStates.Add(new AgentState { TenantId = tenantId, UserId = userId, Status = status, StatusAt = now, Source = source, LastActivityAt = activity });
                }
                else
                {
                    state.Source = source;
                    state.LastActivityAt = activity ?? state.LastActivityAt;
                    if (from != status)
                    {
                        state.Status = status;
                        state.StatusAt = now;
                    }
                }

                await RecordChangeAsync(db, tenantId, userId, actor, from, status, now, ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                // Set at the same moment by another request: the later one wins.
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == userId)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, status).SetProperty(a => a.StatusAt, now).SetProperty(a => a.Source, source), ct);
                await RecordChangeAsync(db, tenantId, userId, actor, from, status, now, ct);
                await transaction.CommitAsync(ct);
            }

            if (status == AgentState.Online)
            {
                signal.NotifyUser(tenantId, userId);
            }
        }
        else if (activity is not null)
        {
            await db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastActivityAt, activity), ct);
        }

        return (await DescribeAsync(db, tenantId, [userId], ct))[0];
    }

    /// <summary>The <c>agent.changed</c> event of an availability change: the user id and the new status, nothing personal.</summary>
    public static void AppendChanged(SwitchboardDbContext db, Guid tenantId, Guid userId, string status, DateTimeOffset now)
    {
        RealtimeLog.Append(db, tenantId, AgentState.ChangedEvent, null, null, $"{userId}:{status}", now);
        db.UnitOfWork<AgentStatusChanges>().Items.Add(new(tenantId, userId, status, now));
    }

    private static async Task RecordChangeAsync(
        SwitchboardDbContext db, Guid tenantId, Guid userId, AuditActor actor, string from, string status, DateTimeOffset now, CancellationToken ct)
    {
        if (from != status)
        {
            AppendChanged(db, tenantId, userId, status, now);
            await AuditLog.RecordAsync(db, tenantId, actor, RoutingAudit.AvailabilityChanged, $"user:{userId}", new { from, to = status }, now, ct);
            await RealtimeLog.FlushAsync(db, ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
        }
    }

    private static async Task<List<AgentResponse>> DescribeAsync(SwitchboardDbContext db, Guid tenantId, List<Guid> users, CancellationToken ct)
    {
        var states = await db.AgentStates.AsNoTracking().Where(a => a.TenantId == tenantId && users.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, ct);
        var loads = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.AssignedUserId != null && users.Contains(c.AssignedUserId.Value) && c.Status == ConversationStatus.Open)
            .GroupBy(c => c.AssignedUserId!.Value).Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.UserId, g => g.Count, ct);
        var teams = (await (
            from m in db.TeamMembers.AsNoTracking()
            join t in db.Teams.AsNoTracking() on new { m.TenantId, Id = m.TeamId } equals new { t.TenantId, t.Id }
            where m.TenantId == tenantId && users.Contains(m.UserId)
            select new { m.UserId, t.Id, t.Capacity }).ToListAsync(ct)).ToLookup(t => t.UserId);
        return [.. users.Select(u => new AgentResponse(
            u,
            states.TryGetValue(u, out var s) ? s.Status : AgentState.Offline,
            loads.GetValueOrDefault(u),
            teams[u].Any() ? teams[u].Max(t => t.Capacity) : null,
            [.. teams[u].Select(t => t.Id).Order()],
            s?.StatusAt))];
    }
}

/// <summary>The availability changes of the current unit of work, for analytics' online time (ADR 0030); saved with the change, then cleared by the reader.</summary>
internal sealed class AgentStatusChanges
{
    public List<(Guid TenantId, Guid UserId, string Status, DateTimeOffset At)> Items { get; } = [];
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Routing;

/// <summary>
/// Assigns waiting conversations to online team members with free capacity (ADR 0022). A round looks at the
/// queues its hints name (ADR 0048), and at least every <see cref="SweepInterval"/> at every queue that has a
/// waiting conversation (the partial queue index), so a lost wake-up or a change made on another node costs
/// at most one poll. One team is dispatched per transaction (up to four teams at once on PostgreSQL), holding the team's
/// row lock (PostgreSQL; SQLite's single writer otherwise), each pick also locks the agent's row and counts
/// the agent's load again, and the assignment itself is a conditional UPDATE: so no node assigns a
/// conversation twice and no agent goes over capacity, across teams and nodes.
/// </summary>
internal sealed partial class RoutingDispatcher : JobLoop
{
    private const int MaxReasonEntries = 50;

    /// <summary>How many teams one round dispatches at once on PostgreSQL.</summary>
    private const int ParallelTeams = 4;

    /// <summary>Every queue is looked at this often at least, whatever the hints: changes made on another node have no hint here.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly SqliteWriteGate gate;
    private readonly TimeProvider clock;
    private readonly ILogger<RoutingDispatcher> logger;
    private readonly RoutingSignal signal;
    private DateTimeOffset lastSweep = DateTimeOffset.MinValue;

    public RoutingDispatcher(
        IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, RoutingSignal signal, MigrationState migrations, TimeProvider clock, ILogger<RoutingDispatcher> logger)
        : base(new JobSchedule("Routing dispatcher", SweepInterval), signal.Wake, migrations, clock, logger)
    {
        this.signal = signal;
        this.dbFactory = dbFactory;
        this.gate = gate;
        this.clock = clock;
        this.logger = logger;
    }

    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        var hints = signal.Take();
        var now = clock.GetUtcNow();
        var sweep = hints.Everything || now - lastSweep >= SweepInterval;
        if (!sweep && hints.IsEmpty)
        {
            return 0;
        }

        if (sweep)
        {
            lastSweep = now;
        }

        List<(Guid TenantId, Guid TeamId)> queues;
        bool sqlite;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            sqlite = db.IsSqlite;
            queues = sweep ? await AllQueuesAsync(db, ct) : await HintedQueuesAsync(db, hints, ct);
        }

        var started = clock.GetTimestamp();
        var assigned = 0;
        // Teams in parallel on PostgreSQL: each holds its own team row, and agent rows are locked per pick (ADR 0022),
        // so one long queue no longer holds the others back for a whole round. SQLite has one writer anyway.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = sqlite ? 1 : ParallelTeams, CancellationToken = ct };
        await Parallel.ForEachAsync(queues, parallel, async (queue, token) =>
        {
            try
            {
                Interlocked.Add(ref assigned, await DispatchTeamAsync(queue.TenantId, queue.TeamId, token));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Another queue is not held up; this one is tried again in the next round (a deadlock between two
                // teams sharing an agent ends one of them here).
                LogDispatchFailed(SafeError.Describe(ex));
                if (IsLockConflict(ex))
                {
                    signal.NotifyTeam(queue.TenantId, queue.TeamId);
                }
            }
        });

        LogRound(sweep, queues.Count, assigned, clock.GetElapsedTime(started).TotalMilliseconds);
        return assigned;
    }

    /// <summary>A deadlock or lock timeout with another team's dispatch: worth trying again at once.</summary>
    private static bool IsLockConflict(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.LockNotAvailable })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every team with a waiting conversation (the partial queue index).</summary>
    private static async Task<List<(Guid TenantId, Guid TeamId)>> AllQueuesAsync(SwitchboardDbContext db, CancellationToken ct) =>
        [.. (await db.Conversations.AsNoTracking().Where(c => c.WaitingSince != null && c.TeamId != null)
            .Select(c => new { c.TenantId, TeamId = c.TeamId!.Value }).Distinct().ToListAsync(ct)).Select(q => (q.TenantId, q.TeamId))];

    /// <summary>The hinted teams, and every team of the hinted agents, that have a waiting conversation.</summary>
    private static async Task<List<(Guid TenantId, Guid TeamId)>> HintedQueuesAsync(SwitchboardDbContext db, RoutingHints hints, CancellationToken ct)
    {
        var teams = hints.Teams.ToHashSet();
        if (hints.Users.Count > 0)
        {
            var tenants = hints.Users.Select(u => u.TenantId).Distinct().ToList();
            var users = hints.Users.Select(u => u.UserId).Distinct().ToList();
            var memberships = await db.TeamMembers.AsNoTracking().Where(m => tenants.Contains(m.TenantId) && users.Contains(m.UserId))
                .Select(m => new { m.TenantId, m.UserId, m.TeamId }).ToListAsync(ct);
            teams.UnionWith(memberships.Where(m => hints.Users.Contains((m.TenantId, m.UserId))).Select(m => (m.TenantId, m.TeamId)));
        }

        if (teams.Count == 0)
        {
            return [];
        }

        var tenantIds = teams.Select(t => t.TenantId).Distinct().ToList();
        var teamIds = teams.Select(t => t.TeamId).Distinct().ToList();
        var waiting = await db.Conversations.AsNoTracking()
            .Where(c => c.WaitingSince != null && c.TeamId != null && tenantIds.Contains(c.TenantId) && teamIds.Contains(c.TeamId!.Value))
            .Select(c => new { c.TenantId, TeamId = c.TeamId!.Value }).Distinct().ToListAsync(ct);
        return [.. waiting.Select(q => (q.TenantId, q.TeamId)).Where(teams.Contains)];
    }

    /// <summary>Assigns as many of the team's waiting conversations, oldest first, as its online members have room for; returns how many.</summary>
    internal async Task<int> DispatchTeamAsync(Guid tenantId, Guid teamId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.WaitsForRealtimeNumbering = false;
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var team = db.IsSqlite
            ? await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct)
            : await LockTeamAsync(db, tenantId, teamId, ct);
        if (team is null || team.Strategy == Team.Manual)
        {
            return 0;
        }

        var members = await (
            from m in db.TeamMembers.AsNoTracking()
            join s in db.Memberships.AsNoTracking() on new { m.TenantId, m.UserId } equals new { s.TenantId, s.UserId }
            where m.TenantId == tenantId && m.TeamId == teamId && s.Status == MembershipStatus.Active
            select m.UserId).ToListAsync(ct);
        var states = await db.AgentStates.AsNoTracking().Where(a => a.TenantId == tenantId && members.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, ct);
        var online = members.Where(u => states.TryGetValue(u, out var s) && s.Status == AgentState.Online).ToList();
        var skipped = members.Except(online).Select(u => new { userId = u, why = states.TryGetValue(u, out var s) ? s.Status : AgentState.Offline }).Take(MaxReasonEntries).ToList();
        if (online.Count == 0)
        {
            return 0;
        }

        var loads = await LoadsAsync(db, tenantId, online, ct);
        var free = online.Sum(u => Math.Max(0, team.Capacity - loads[u]));
        if (free == 0)
        {
            return 0;
        }

        var sticky = await db.RoutingSettings.AsNoTracking().Where(s => s.TenantId == tenantId).Select(s => s.StickyToLastAgent).FirstOrDefaultAsync(ct);
        var waiting = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.TeamId == teamId && c.WaitingSince != null && c.AssignedUserId == null && c.Status == ConversationStatus.Open)
            .OrderBy(c => c.WaitingSince).ThenBy(c => c.Number)
            .Select(c => new { c.Id, c.ChannelId, c.ContactId, c.Sequence, WaitingSince = c.WaitingSince!.Value })
            .Take(free).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var assigned = 0;
        foreach (var conversation in waiting)
        {
            Guid? previous = sticky && conversation.Sequence > 1
                ? await db.Conversations.AsNoTracking()
                    .Where(c => c.TenantId == tenantId && c.ChannelId == conversation.ChannelId && c.ContactId == conversation.ContactId && c.Sequence == conversation.Sequence - 1)
                    .Select(c => c.AssignedUserId).FirstOrDefaultAsync(ct)
                : null;
            while (true)
            {
                var candidates = online.Where(u => loads[u] < team.Capacity).ToList();
                if (candidates.Count == 0)
                {
                    break;
                }

                var (picked, rule) = RoutingStrategy.Pick(team.Strategy, candidates, loads, u => states[u].LastAssignedAt, previous);
                if (!await ConfirmAsync(db, tenantId, picked, team.Capacity, loads, ct))
                {
                    // Gone offline, or given work by another team meanwhile: counted again, tried again.
                    continue;
                }

                if (await ConversationLedger.TryAssignWaitingAsync(db, tenantId, conversation.Id, teamId, picked, now, ct))
                {
                    db.Assignments.Add(new AssignmentEntry
                    {
                        TenantId = tenantId,
                        Id = Guid.CreateVersion7(now),
                        ConversationId = conversation.Id,
                        At = now,
                        Kind = AssignmentEntry.Auto,
                        ToUserId = picked,
                        FromTeamId = teamId,
                        ToTeamId = teamId,
                        WaitedMs = (long)Math.Max(0, (now - conversation.WaitingSince).TotalMilliseconds),
                        Reason = JsonSerializer.Serialize(new
                        {
                            strategy = team.Strategy,
                            picked = new { userId = picked, load = loads[picked], capacity = team.Capacity, lastAssignedAt = states[picked].LastAssignedAt, rule },
                            candidates = candidates.Take(MaxReasonEntries).Select(u => new { userId = u, load = loads[u], capacity = team.Capacity, lastAssignedAt = states[u].LastAssignedAt }),
                            skipped,
                        }),
                    });
                    await db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == picked).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAssignedAt, now), ct);
                    states[picked].LastAssignedAt = now;
                    loads[picked]++;
                    assigned++;
                }

                break;
            }
        }

        await db.SaveChangesAsync(ct);
        await RealtimeLog.FlushAsync(db, ct);
        await transaction.CommitAsync(ct);
        return assigned;
    }

    private static async Task<Team?> LockTeamAsync(SwitchboardDbContext db, Guid tenantId, Guid teamId, CancellationToken ct)
    {
        // Waits for another node's dispatch of this team rather than skipping it: a skipped round could miss
        // a conversation that the other node's snapshot did not see.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '5s'", ct);
        return (await db.Teams.FromSql($"SELECT * FROM \"Teams\" WHERE \"TenantId\" = {tenantId} AND \"Id\" = {teamId} FOR UPDATE").AsNoTracking().ToListAsync(ct))
            .FirstOrDefault();
    }

    /// <summary>Open conversations assigned to each of these users, in every team.</summary>
    private static async Task<Dictionary<Guid, int>> LoadsAsync(SwitchboardDbContext db, Guid tenantId, List<Guid> users, CancellationToken ct)
    {
        var counted = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.AssignedUserId != null && users.Contains(c.AssignedUserId.Value) && c.Status == ConversationStatus.Open)
            .GroupBy(c => c.AssignedUserId!.Value).Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.UserId, g => g.Count, ct);
        return users.ToDictionary(u => u, u => counted.GetValueOrDefault(u));
    }

    /// <summary>
    /// Locks the agent's row (PostgreSQL) and checks again, under that lock, that they are online and below
    /// capacity: another team's dispatch on another node may just have given them work. Updates their load.
    /// </summary>
    private static async Task<bool> ConfirmAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, int capacity, Dictionary<Guid, int> loads, CancellationToken ct)
    {
        if (db.IsSqlite)
        {
            return true;
        }

        var status = (await db.Database.SqlQuery<string>(
            $"SELECT \"Status\" AS \"Value\" FROM \"AgentStates\" WHERE \"TenantId\" = {tenantId} AND \"UserId\" = {userId} FOR UPDATE").ToListAsync(ct)).FirstOrDefault();
        loads[userId] = await db.Conversations.CountAsync(c => c.TenantId == tenantId && c.AssignedUserId == userId && c.Status == ConversationStatus.Open, ct);
        if (status != AgentState.Online)
        {
            loads[userId] = int.MaxValue;
            return false;
        }

        return loads[userId] < capacity;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routing round (sweep: {Sweep}): {Queues} queues, {Assigned} assigned in {Milliseconds:F1} ms")]
    private partial void LogRound(bool sweep, int queues, int assigned, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing dispatch of a team failed ({Error}); retried next round")]
    private partial void LogDispatchFailed(string error);
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// Runs due SLA timers through the job runner (ADR 0021, 0023): a warning, then the breach. A timer is
/// claimed by pushing its due time to the lease's end; its event and its next stage commit in one
/// transaction whose last write holds only while the lease does, so each event commits once, on one node,
/// and rows outlive restarts.
/// </summary>
internal sealed class SlaTimerSource(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, TimeProvider clock) : IJobSource<SlaJob>
{
    public JobSchedule Schedule { get; } = new("SLA timers", TimeSpan.FromSeconds(30));

    public TimeSpan Lease => TimeSpan.FromSeconds(30);

    public int BatchSize => 64;

    public RetryPolicy Retry { get; } = new(10, new Backoff(TimeSpan.FromSeconds(1), 4, TimeSpan.FromMinutes(5)));

    public async Task<IReadOnlyList<SlaJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.SlaTimers.AsNoTracking()
            .Where(t => t.Stage != SlaTimerStage.Done && t.DueAt <= now)
            .OrderBy(t => t.DueAt)
            .Take(limit)
            .ToListAsync(ct);
        return [.. due.Select(t => new SlaJob(t))];
    }

    public async Task<bool> ClaimAsync(SlaJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var t = job.Timer;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await db.SlaTimers
            .Where(r => r.TenantId == t.TenantId && r.ConversationId == t.ConversationId && r.Kind == t.Kind && r.DueAt == t.DueAt && r.Stage != SlaTimerStage.Done)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, leaseUntil).SetProperty(r => r.LeaseOwner, owner), ct);
        (job.Owner, job.LeaseUntil) = (owner, leaseUntil);
        return claimed == 1;
    }

    public int AttemptsOf(SlaJob job) => job.Timer.Attempts;

    public async Task RunAsync(SlaJob job, int attempt, CancellationToken ct)
    {
        var t = job.Timer;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == t.TenantId && c.Id == t.ConversationId, ct);
        var (stage, dueAt) = (SlaTimerStage.Done, job.LeaseUntil);
        if (conversation is not null && IsCurrent(conversation, t))
        {
            if (t.Stage == SlaTimerStage.Warn)
            {
                ConversationLedger.AppendSlaWarning(db, t.TenantId, t.ConversationId, t.Kind, now);
                (stage, dueAt) = (SlaTimerStage.Breach, t.TargetAt);
            }
            else
            {
                await ConversationLedger.MarkSlaBreachedAsync(db, t.TenantId, t.ConversationId, t.Kind, now, ct);
            }
        }

        // Only while this owner's lease holds: a lease lost (or the clock re-planned) rolls the event back.
        var moved = await db.SlaTimers
            .Where(r => r.TenantId == t.TenantId && r.ConversationId == t.ConversationId && r.Kind == t.Kind
                && r.LeaseOwner == job.Owner && r.DueAt == job.LeaseUntil && r.Stage == t.Stage)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Stage, stage).SetProperty(r => r.DueAt, dueAt).SetProperty(r => r.LeaseOwner, (Guid?)null)
                .SetProperty(r => r.Attempts, 0).SetProperty(r => r.LastError, (string?)null), ct);
        if (moved != 1)
        {
            throw new SlaLeaseLostException();
        }

        await RealtimeLog.FlushAsync(db, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Whether the timer's clock still runs and still stands for the conversation's due time.</summary>
    internal static bool IsCurrent(Conversation c, SlaTimer t)
    {
        if (c.Status == ConversationStatus.Resolved || (c.SlaBreached & (int)t.Kind) != 0)
        {
            return false;
        }

        var (running, due) = t.Kind switch
        {
            SlaKind.FirstResponse => (c.FirstResponseAt is null, c.FirstResponseDueAt),
            SlaKind.NextResponse => (c.AwaitingReplySince is not null, c.NextResponseDueAt),
            _ => (true, c.ResolutionDueAt),
        };
        return running && due == t.TargetAt;
    }

    /// <summary>The run wrote the timer's next stage itself.</summary>
    public Task CompleteAsync(SlaJob job, CancellationToken ct) => Task.CompletedTask;

    public async Task FailAsync(SlaJob job, JobFailure failure, CancellationToken ct)
    {
        var t = job.Timer;
        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stage = failure.GiveUp ? SlaTimerStage.Done : t.Stage;
        await db.SlaTimers
            .Where(r => r.TenantId == t.TenantId && r.ConversationId == t.ConversationId && r.Kind == t.Kind && r.LeaseOwner == job.Owner && r.DueAt == job.LeaseUntil && r.Stage == t.Stage)
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Stage, stage).SetProperty(r => r.DueAt, failure.NextAttemptAt)
                    .SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.Attempts, failure.Attempt).SetProperty(r => r.LastError, error),
                ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SlaTimers.Where(t => t.Stage != SlaTimerStage.Done).MinAsync(t => (DateTimeOffset?)t.DueAt, ct);
    }

    public async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        var ids = owners.Select(o => (Guid?)o).ToList();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.SlaTimers.Where(t => t.Stage != SlaTimerStage.Done && ids.Contains(t.LeaseOwner))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DueAt, now).SetProperty(t => t.LeaseOwner, (Guid?)null), ct);
    }
}

/// <summary>One due timer, as found, and this attempt's lease.</summary>
internal sealed class SlaJob(SlaTimer timer)
{
    public SlaTimer Timer { get; } = timer;

    public Guid Owner { get; set; }

    public DateTimeOffset LeaseUntil { get; set; }
}

/// <summary>The timer's lease ran out, or its clock was re-planned, while it ran: nothing of the attempt commits.</summary>
internal sealed class SlaLeaseLostException() : Exception("The SLA timer's lease was lost.");

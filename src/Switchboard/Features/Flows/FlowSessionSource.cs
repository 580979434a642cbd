using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Flows;

/// <summary>
/// Runs due bot sessions through the job runner (ADR 0021, 0029): a customer's message, a wait's end or an
/// answer's timeout. A session is claimed by pushing its due time to the lease's end; the run writes its new
/// state only while that lease holds, and its sends carry idempotency keys, so a run repeated after a crash
/// or on another node sends nothing twice.
/// </summary>
internal sealed class FlowSessionSource(IDbContextFactory<SwitchboardDbContext> dbFactory, FlowRunner runner, TimeProvider clock) : IJobSource<FlowJob>
{
    public JobSchedule Schedule { get; } = new("Flow sessions", TimeSpan.FromSeconds(30));

    public TimeSpan Lease => TimeSpan.FromSeconds(60);

    public int BatchSize => 32;

    public RetryPolicy Retry { get; } = new(6, new Backoff(TimeSpan.FromSeconds(1), 4, TimeSpan.FromMinutes(5)));

    public async Task<IReadOnlyList<FlowJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.FlowSessions.AsNoTracking().Where(s => s.DueAt != null && s.DueAt <= now).OrderBy(s => s.DueAt).Take(limit).ToListAsync(ct);
        return [.. due.Select(s => new FlowJob(s))];
    }

    public async Task<bool> ClaimAsync(FlowJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var s = job.Session;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await db.FlowSessions
            .Where(r => r.TenantId == s.TenantId && r.ConversationId == s.ConversationId && r.DueAt == s.DueAt)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.DueAt, leaseUntil).SetProperty(r => r.LeaseOwner, owner), ct);
        (job.Owner, job.LeaseUntil) = (owner, leaseUntil);
        return claimed == 1;
    }

    public int AttemptsOf(FlowJob job) => job.Session.Attempts;

    public Task RunAsync(FlowJob job, int attempt, CancellationToken ct) => runner.RunAsync(job.Session, job.Owner, job.LeaseUntil, ct);

    /// <summary>The run wrote the session's next state itself.</summary>
    public Task CompleteAsync(FlowJob job, CancellationToken ct) => Task.CompletedTask;

    public async Task FailAsync(FlowJob job, JobFailure failure, CancellationToken ct)
    {
        var s = job.Session;
        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.FlowSessions.Where(r => r.TenantId == s.TenantId && r.ConversationId == s.ConversationId && r.LeaseOwner == job.Owner && r.DueAt == job.LeaseUntil);
        if (failure.GiveUp)
        {
            // The bot gives up on this conversation; a person answers it.
            await mine.ExecuteUpdateAsync(
                u => u.SetProperty(r => r.State, FlowSessionState.Ended).SetProperty(r => r.EndReason, "failed").SetProperty(r => r.DueAt, (DateTimeOffset?)null)
                    .SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.Attempts, failure.Attempt).SetProperty(r => r.LastError, error),
                ct);
            return;
        }

        await mine.ExecuteUpdateAsync(
            u => u.SetProperty(r => r.DueAt, failure.NextAttemptAt).SetProperty(r => r.LeaseOwner, (Guid?)null)
                .SetProperty(r => r.Attempts, failure.Attempt).SetProperty(r => r.LastError, error),
            ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FlowSessions.Where(s => s.DueAt != null).MinAsync(s => s.DueAt, ct);
    }

    public async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        var ids = owners.Select(o => (Guid?)o).ToList();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.FlowSessions.Where(s => s.DueAt != null && ids.Contains(s.LeaseOwner))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.DueAt, now).SetProperty(s => s.LeaseOwner, (Guid?)null), ct);
    }
}

/// <summary>One due session, as found, and this attempt's lease.</summary>
internal sealed class FlowJob(FlowSession session)
{
    public FlowSession Session { get; } = session;

    public Guid Owner { get; set; }

    public DateTimeOffset LeaseUntil { get; set; }
}

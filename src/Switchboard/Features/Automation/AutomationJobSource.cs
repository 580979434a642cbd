using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Automation;

/// <summary>
/// The queue of <see cref="AutomationJob"/>s on the job runner (ADR 0021, 0028): claimed by pushing the due time
/// to the lease's end, deleted when done. A job's effects are idempotent per job (reply claims, run rows and
/// idempotency keys carry its id), so a retry after a lost lease does not act twice.
/// </summary>
internal sealed class AutomationJobSource(IDbContextFactory<SwitchboardDbContext> dbFactory, AutomationRunner runner, TimeProvider clock) : IJobSource<AutomationJob>
{
    public JobSchedule Schedule { get; } = new("Automation", TimeSpan.FromSeconds(10));

    public TimeSpan Lease => TimeSpan.FromSeconds(60);

    public int BatchSize => 32;

    public RetryPolicy Retry { get; } = new(6, new Backoff(TimeSpan.FromSeconds(2), 4, TimeSpan.FromMinutes(10)));

    public async Task<IReadOnlyList<AutomationJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AutomationJobs.AsNoTracking().Where(j => j.DueAt <= now).OrderBy(j => j.DueAt).ThenBy(j => j.Id).Take(limit).ToListAsync(ct);
    }

    public async Task<bool> ClaimAsync(AutomationJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await db.AutomationJobs
            .Where(j => j.TenantId == job.TenantId && j.Id == job.Id && j.DueAt == job.DueAt)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.DueAt, leaseUntil).SetProperty(j => j.LeaseOwner, owner), ct);
        (job.LeaseOwner, job.DueAt) = (owner, leaseUntil);
        return claimed == 1;
    }

    public int AttemptsOf(AutomationJob job) => job.Attempts;

    public Task RunAsync(AutomationJob job, int attempt, CancellationToken ct) => runner.RunAsync(job, ct);

    public async Task CompleteAsync(AutomationJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.AutomationJobs.Where(j => j.TenantId == job.TenantId && j.Id == job.Id && j.LeaseOwner == job.LeaseOwner).ExecuteDeleteAsync(ct);
    }

    public async Task FailAsync(AutomationJob job, JobFailure failure, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.AutomationJobs.Where(j => j.TenantId == job.TenantId && j.Id == job.Id && j.LeaseOwner == job.LeaseOwner);
        if (failure.GiveUp)
        {
            // The error is logged by the runner; an event that fails this often is dropped rather than retried for ever.
            await mine.ExecuteDeleteAsync(ct);
            return;
        }

        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        await mine.ExecuteUpdateAsync(
            s => s.SetProperty(j => j.DueAt, failure.NextAttemptAt).SetProperty(j => j.LeaseOwner, (Guid?)null)
                .SetProperty(j => j.Attempts, failure.Attempt).SetProperty(j => j.LastError, error),
            ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AutomationJobs.MinAsync(j => (DateTimeOffset?)j.DueAt, ct);
    }

    public async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        var ids = owners.Select(o => (Guid?)o).ToList();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.AutomationJobs.Where(j => ids.Contains(j.LeaseOwner)).ExecuteUpdateAsync(s => s.SetProperty(j => j.DueAt, now).SetProperty(j => j.LeaseOwner, (Guid?)null), ct);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Privacy;

/// <summary>A tenant whose retention run is due; <see cref="NextRunAt"/> is null while it has no policy row yet.</summary>
internal sealed record RetentionJob(Guid TenantId, DateTimeOffset? NextRunAt, int Attempts);

/// <summary>
/// Runs each active tenant's retention (<see cref="RetentionEnforcer"/>) every <see cref="RetentionOptions.Interval"/> on the
/// shared job runner (ADR 0021, 0032). A tenant's first run comes one interval after it was created; its policy row
/// is made by the claim when the tenant never set a schedule.
/// </summary>
internal sealed class RetentionRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory, RetentionEnforcer enforcer, IOptions<RetentionOptions> options, TimeProvider clock) : IJobSource<RetentionJob>
{
    public JobSchedule Schedule { get; } = new("Retention runner", TimeSpan.FromMinutes(5));

    public TimeSpan Lease => TimeSpan.FromHours(1);

    public int BatchSize => 16;

    public RetryPolicy Retry => new(int.MaxValue, new Backoff(TimeSpan.FromMinutes(1), 4, TimeSpan.FromHours(6)));

    public async Task<IReadOnlyList<RetentionJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = db.Tenants.Where(t => t.Status == TenantStatus.Active).Select(t => t.Id);
        var due = await db.RetentionPolicies.AsNoTracking().Where(p => p.NextRunAt <= now && active.Contains(p.TenantId))
            .OrderBy(p => p.NextRunAt).Take(limit).Select(p => new RetentionJob(p.TenantId, p.NextRunAt, p.Attempts)).ToListAsync(ct);
        var firstBy = now - options.Value.Interval;
        var policies = db.RetentionPolicies;
        var fresh = await db.Tenants.AsNoTracking().Where(t => t.Status == TenantStatus.Active && t.CreatedAt <= firstBy && !policies.Any(p => p.TenantId == t.Id))
            .OrderBy(t => t.CreatedAt).Take(limit).Select(t => t.Id).ToListAsync(ct);
        return [.. due, .. fresh.Select(id => new RetentionJob(id, null, 0))];
    }

    public async Task<bool> ClaimAsync(RetentionJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (job.NextRunAt is { } due)
        {
            return await db.RetentionPolicies.Where(p => p.TenantId == job.TenantId && p.NextRunAt == due)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextRunAt, leaseUntil), ct) == 1;
        }

        db.RetentionPolicies.Add(new RetentionPolicy { TenantId = job.TenantId, NextRunAt = leaseUntil });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // Another node, or the tenant's admin setting a schedule, made the row first.
        }
    }

    public int AttemptsOf(RetentionJob job) => job.Attempts;

    public Task RunAsync(RetentionJob job, int attempt, CancellationToken ct) => enforcer.RunAsync(job.TenantId, ct);

    public async Task CompleteAsync(RetentionJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var next = clock.GetUtcNow() + options.Value.Interval;
        await db.RetentionPolicies.Where(p => p.TenantId == job.TenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextRunAt, next).SetProperty(p => p.Attempts, 0), ct);
    }

    public async Task FailAsync(RetentionJob job, JobFailure failure, CancellationToken ct)
    {
        // Retention is never given up: the next attempt waits the backoff, capped at six hours.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.RetentionPolicies.Where(p => p.TenantId == job.TenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextRunAt, failure.NextAttemptAt).SetProperty(p => p.Attempts, failure.Attempt), ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.RetentionPolicies.MinAsync(p => (DateTimeOffset?)p.NextRunAt, ct);
    }
}

/// <summary>Wakes the retention runner (nothing signals it today: runs are daily).</summary>
internal sealed class RetentionSignal
{
    public WorkSignal Signal { get; } = new();
}

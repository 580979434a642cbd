using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Privacy;

/// <summary>A tenant whose rotation check is due; <see cref="DueAt"/> is null when it was never checked.</summary>
internal sealed record RotationCheck(Guid TenantId, DateTimeOffset? DueAt);

/// <summary>
/// Runs each active tenant's rotation check (<see cref="RotationReminders"/>) every <see cref="PrivacyOptions.RotationCheckInterval"/>
/// on the shared job runner (ADR 0021, 0051), its schedule in <c>Tenants.RotationCheckAt</c>. A tenant is first checked one interval
/// after it was created, or at once when its admin changes the policy.
/// </summary>
internal sealed class RotationCheckRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory, RotationReminders reminders, IOptions<PrivacyOptions> options, TimeProvider clock) : IJobSource<RotationCheck>
{
    public JobSchedule Schedule { get; } = new("Rotation reminders", TimeSpan.FromMinutes(5));

    public TimeSpan Lease => TimeSpan.FromMinutes(10);

    public int BatchSize => 32;

    public RetryPolicy Retry => new(int.MaxValue, new Backoff(TimeSpan.FromMinutes(1), 4, TimeSpan.FromHours(6)));

    public async Task<IReadOnlyList<RotationCheck>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firstBy = now - options.Value.RotationCheckInterval;
        return await db.Tenants.AsNoTracking()
            .Where(t => t.Status == TenantStatus.Active && (t.RotationCheckAt <= now || (t.RotationCheckAt == null && t.CreatedAt <= firstBy)))
            .OrderBy(t => t.RotationCheckAt).Take(limit).Select(t => new RotationCheck(t.Id, t.RotationCheckAt)).ToListAsync(ct);
    }

    public async Task<bool> ClaimAsync(RotationCheck job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenants = db.Tenants.Where(t => t.Id == job.TenantId);
        tenants = job.DueAt is { } due ? tenants.Where(t => t.RotationCheckAt == due) : tenants.Where(t => t.RotationCheckAt == null);
        return await tenants.ExecuteUpdateAsync(s => s.SetProperty(t => t.RotationCheckAt, leaseUntil), ct) == 1;
    }

    public int AttemptsOf(RotationCheck job) => 0;

    public Task RunAsync(RotationCheck job, int attempt, CancellationToken ct) => reminders.CheckAsync(job.TenantId, ct);

    public async Task CompleteAsync(RotationCheck job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var next = clock.GetUtcNow() + options.Value.RotationCheckInterval;
        await db.Tenants.Where(t => t.Id == job.TenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RotationCheckAt, next), ct);
    }

    public async Task FailAsync(RotationCheck job, JobFailure failure, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Tenants.Where(t => t.Id == job.TenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RotationCheckAt, failure.NextAttemptAt), ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Tenants.Where(t => t.Status == TenantStatus.Active).MinAsync(t => t.RotationCheckAt, ct);
    }
}

/// <summary>Wakes the rotation check (nothing signals it today: checks are daily).</summary>
internal sealed class RotationCheckSignal
{
    public WorkSignal Signal { get; } = new();
}

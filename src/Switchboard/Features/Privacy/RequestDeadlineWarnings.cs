using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Raises each open data-rights request's deadline warning once, when its warning time comes (job runner, ADR 0021):
/// a <c>privacy.request_due_soon</c> audit entry, and from then on the request shows <c>warning: "due_soon"</c> (ADR 0032).
/// </summary>
internal sealed class RequestDeadlineWarnings(IDbContextFactory<SwitchboardDbContext> dbFactory, TimeProvider clock) : IJobSource<DataRightsRequest>
{
    public JobSchedule Schedule { get; } = new("Data-rights deadline warnings", TimeSpan.FromMinutes(5));

    public TimeSpan Lease => TimeSpan.FromMinutes(2);

    public int BatchSize => 50;

    public RetryPolicy Retry => new(int.MaxValue, new Backoff(TimeSpan.FromSeconds(30), 4, TimeSpan.FromHours(1)));

    public async Task<IReadOnlyList<DataRightsRequest>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Open(db).AsNoTracking().Where(r => r.WarnAt <= now).OrderBy(r => r.WarnAt).Take(limit).ToListAsync(ct);
    }

    public async Task<bool> ClaimAsync(DataRightsRequest job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await Open(db).Where(r => r.TenantId == job.TenantId && r.Id == job.Id && r.WarnAt == job.WarnAt)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.WarnAt, leaseUntil), ct) == 1;
        job.WarnAt = leaseUntil;
        return claimed;
    }

    public int AttemptsOf(DataRightsRequest job) => 0;

    public async Task RunAsync(DataRightsRequest job, int attempt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await Open(db).Where(r => r.TenantId == job.TenantId && r.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.WarnedAt, now), ct) == 1)
        {
            await AuditLog.RecordAsync(db, job.TenantId, AuditActor.System, PrivacyAudit.RequestDueSoon, $"privacy_request:{job.Id}", new { job.Type, job.DueAt }, now, ct);
        }

        await transaction.CommitAsync(ct);
    }

    public Task CompleteAsync(DataRightsRequest job, CancellationToken ct) => Task.CompletedTask;

    public async Task FailAsync(DataRightsRequest job, JobFailure failure, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await Open(db).Where(r => r.TenantId == job.TenantId && r.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.WarnAt, failure.NextAttemptAt), ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Open(db).MinAsync(r => (DateTimeOffset?)r.WarnAt, ct);
    }

    /// <summary>Open requests not warned yet.</summary>
    private static IQueryable<DataRightsRequest> Open(SwitchboardDbContext db) =>
        db.DataRightsRequests.Where(r => (r.Status == DataRightsRequests.Received || r.Status == DataRightsRequests.InProgress) && r.WarnedAt == null);
}

/// <summary>Wakes the deadline warnings when a request is recorded.</summary>
internal sealed class RequestDeadlineSignal
{
    public WorkSignal Signal { get; } = new();
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Tenants;

namespace Switchboard.Features.Privacy;

/// <summary>Wakes the tenant deletion runner when a deletion is scheduled.</summary>
internal sealed class TenantDeletionSignal
{
    public WorkSignal Signal { get; } = new();
}

/// <summary>
/// Carries out tenant deletions whose waiting period is over (job runner, ADR 0021): the operator's crypto-erase
/// (<see cref="EraseTenant"/>) runs on the tenant, audited on the platform chain as done by the system.
/// A deletion cancelled before its claim is never carried out. The admins are then told by a platform mail (ADR 0047).
/// </summary>
internal sealed class TenantDeletionRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory, KeyRing keyRing, ChannelChanges channelChanges, BlobStore blobs, DeletionLedger ledger, PrivacyNotices notices, TimeProvider clock) : IJobSource<TenantDeletion>
{
    public JobSchedule Schedule { get; } = new("Tenant deletion runner", TimeSpan.FromSeconds(30));

    public TimeSpan Lease => TimeSpan.FromMinutes(10);

    public int BatchSize => 8;

    public RetryPolicy Retry => new(10, new Backoff(TimeSpan.FromSeconds(10), 4, TimeSpan.FromHours(1)));

    public async Task<IReadOnlyList<TenantDeletion>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TenantDeletions.AsNoTracking().Where(d => d.State == TenantDeletionState.Scheduled && d.DueAt <= now).OrderBy(d => d.DueAt).Take(limit).ToListAsync(ct);
    }

    public async Task<bool> ClaimAsync(TenantDeletion job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await db.TenantDeletions.Where(d => d.TenantId == job.TenantId && d.State == TenantDeletionState.Scheduled && d.DueAt == job.DueAt)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.DueAt, leaseUntil), ct) == 1;
        job.DueAt = leaseUntil;
        return claimed;
    }

    public int AttemptsOf(TenantDeletion job) => job.Attempts;

    public async Task RunAsync(TenantDeletion job, int attempt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        // The "deletion completed" mails join the erase's unit of work (EraseTenant saves it in its transaction): sent if and only if
        // the keys are gone; an erase that finds the tenant already erased saves nothing, so a retry mails nobody twice.
        var admins = notices.Enabled ? await MemberEmails.AdminsAsync(db, job.TenantId, ct) : [];
        var queued = await notices.TenantDeletedAsync(db, job.TenantId, admins, clock.GetUtcNow(), ct);
        if (await EraseTenant.EraseAsync(job.TenantId, new EraseTenant.Services(db, keyRing, channelChanges, blobs, clock, ledger), AuditActor.System, ct) is null && queued > 0)
        {
            notices.Wake();
        }
    }

    public async Task CompleteAsync(TenantDeletion job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.TenantDeletions.Where(d => d.TenantId == job.TenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, TenantDeletionState.Done).SetProperty(d => d.CompletedAt, now), ct);
    }

    public async Task FailAsync(TenantDeletion job, JobFailure failure, CancellationToken ct)
    {
        // A deletion is never given up: after the last attempt it keeps being retried at the longest backoff.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.TenantDeletions.Where(d => d.TenantId == job.TenantId && d.State == TenantDeletionState.Scheduled)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Attempts, failure.Attempt).SetProperty(d => d.DueAt, failure.NextAttemptAt), ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TenantDeletions.Where(d => d.State == TenantDeletionState.Scheduled).MinAsync(d => (DateTimeOffset?)d.DueAt, ct);
    }
}

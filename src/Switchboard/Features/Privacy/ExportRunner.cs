using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>Wakes the export runner when an export is requested.</summary>
internal sealed class ExportSignal
{
    public WorkSignal Signal { get; } = new();
}

/// <summary>
/// Builds requested exports on the shared job runner (ADR 0021): claims one by pushing its next attempt to
/// the lease's end, writes the ZIP sealed with the tenant key, then marks it ready. An export whose row was
/// deleted meanwhile (its contact erased) leaves no file behind.
/// </summary>
internal sealed partial class ExportRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    BuildExport build,
    BlobStore blobs,
    KeyRing keyRing,
    TimeProvider clock,
    PrivacyNotices notices,
    ILogger<ExportRunner> logger) : IJobSource<ExportJob>
{
    public JobSchedule Schedule { get; } = new("Export runner", TimeSpan.FromSeconds(10));

    public TimeSpan Lease => TimeSpan.FromMinutes(30);

    public int BatchSize => 4;

    public RetryPolicy Retry => new(3, new Backoff(TimeSpan.FromSeconds(5), 4, TimeSpan.FromMinutes(5)));

    public async Task<IReadOnlyList<ExportJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Exports.AsNoTracking().IgnoreQueryFilters()
            .Where(e => e.State == ExportState.Running && e.NextAttemptAt <= now)
            .OrderBy(e => e.NextAttemptAt).Take(limit).ToListAsync(ct);
        return [.. due.Select(e => new ExportJob(e))];
    }

    public async Task<bool> ClaimAsync(ExportJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var export = job.Export;
        job.Db = await dbFactory.CreateDbContextAsync(ct);
        return await job.Db.Exports.IgnoreQueryFilters()
            .Where(e => e.TenantId == export.TenantId && e.Id == export.Id && e.State == ExportState.Running && e.NextAttemptAt == export.NextAttemptAt)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.NextAttemptAt, leaseUntil), ct) == 1;
    }

    public int AttemptsOf(ExportJob job) => job.Export.Attempts;

    public async Task RunAsync(ExportJob job, int attempt, CancellationToken ct)
    {
        var (db, export) = (job.Db!, job.Export);
        job.Export.Attempts = attempt;
        var zip = await build.HandleAsync(db, export, ct);
        var key = await keyRing.CurrentDataKeyAsync(export.TenantId, ct);
        await blobs.WriteAsync(export.TenantId, export.Id, Sealer.Seal(key, export.FileContext, zip), ct);
        job.FileSize = zip.Length;
    }

    public async Task CompleteAsync(ExportJob job, CancellationToken ct)
    {
        var export = job.Export;
        var now = clock.GetUtcNow();
        var db = job.Db!;
        // Ready and its notice (ADR 0039) commit together.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Exports.IgnoreQueryFilters()
            .Where(e => e.TenantId == export.TenantId && e.Id == export.Id && e.State == ExportState.Running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.State, ExportState.Ready).SetProperty(e => e.Progress, 100).SetProperty(e => e.Attempts, export.Attempts)
                    .SetProperty(e => e.FileSize, job.FileSize).SetProperty(e => e.CompletedAt, now).SetProperty(e => e.LastError, (string?)null),
                ct);
        if (updated == 0)
        {
            await transaction.RollbackAsync(ct);
            await blobs.DeleteAsync(export.TenantId, [export.Id]);
            return;
        }

        var notified = await notices.ExportReadyAsync(db, export, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (notified)
        {
            notices.Wake();
        }
    }

    public (string Error, bool Permanent) Classify(Exception error) => error switch
    {
        KeyDestroyedException => ("erased", true),
        _ => ("error:" + SafeError.Describe(error), false),
    };

    public async Task FailAsync(ExportJob job, JobFailure failure, CancellationToken ct)
    {
        var export = job.Export;
        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        LogExportFailed(export.Id, failure.Attempt, failure.Error, failure.GiveUp);
        await job.Db!.Exports.IgnoreQueryFilters()
            .Where(e => e.TenantId == export.TenantId && e.Id == export.Id && e.State == ExportState.Running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(e => e.State, failure.GiveUp ? ExportState.Failed : ExportState.Running).SetProperty(e => e.Attempts, failure.Attempt)
                    .SetProperty(e => e.NextAttemptAt, failure.NextAttemptAt).SetProperty(e => e.LastError, error),
                ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Exports.IgnoreQueryFilters().Where(e => e.State == ExportState.Running).MinAsync(e => (DateTimeOffset?)e.NextAttemptAt, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} attempt {Attempt} failed ({Reason}); given up: {GaveUp}")]
    private partial void LogExportFailed(Guid exportId, int attempt, string reason, bool gaveUp);
}

/// <summary>One export to build, with the context that claims and records it.</summary>
internal sealed class ExportJob(Export export) : IAsyncDisposable
{
    public Export Export { get; } = export;

    public SwitchboardDbContext? Db { get; set; }

    public long FileSize { get; set; }

    public ValueTask DisposeAsync() => Db?.DisposeAsync() ?? ValueTask.CompletedTask;
}

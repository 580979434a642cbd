using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Online master-key rotation: once a new master key is configured (and the old one listed as retired),
/// every tenant key still wrapped by a retired key is re-wrapped under the current one, in small batches,
/// while the node keeps serving. Tenant data itself is never re-encrypted: only the wrapping changes.
/// </summary>
/// <summary>Records a batch of the start-up re-wrap in its transaction (the audit feature implements it; Common knows no feature).</summary>
internal interface IMasterKeyRewrapRecorder
{
    Task RecordBatchAsync(SwitchboardDbContext db, string masterKeyId, int rewrapped, CancellationToken ct);
}

internal sealed partial class MasterKeyRewrapper(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    MasterKeyRing masterKeys,
    MigrationState migrations,
    IEnumerable<IMasterKeyRewrapRecorder> recorders,
    ILogger<MasterKeyRewrapper> logger) : BackgroundService
{
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!migrations.IsCurrent)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        }

        try
        {
            var recorder = recorders.FirstOrDefault();
            await RewrapAllAsync(stoppingToken, recorder is null ? null : recorder.RecordBatchAsync);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex.GetType().Name);
        }
    }

    /// <summary>
    /// Re-wraps every tenant key not under the current master key; returns how many it changed. Each batch commits with
    /// what <paramref name="recordBatch"/> adds (its audit entry, which saves the batch), in one transaction.
    /// </summary>
    public async Task<int> RewrapAllAsync(CancellationToken ct, Func<SwitchboardDbContext, string, int, CancellationToken, Task>? recordBatch = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = masterKeys.CurrentId;
        var total = await db.TenantKeys.CountAsync(k => k.WrappedKey != null && k.MasterKeyId != current, ct);
        if (total == 0)
        {
            return 0;
        }

        LogStarting(total, current);
        var done = 0;
        while (true)
        {
            db.ChangeTracker.Clear();
            var batch = await db.TenantKeys
                .Where(k => k.WrappedKey != null && k.MasterKeyId != current)
                .OrderBy(k => k.TenantId).ThenBy(k => k.Purpose).ThenBy(k => k.Version)
                .Take(BatchSize)
                .ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var key in batch)
            {
                var plain = masterKeys.Unwrap(key.MasterKeyId!, key.WrappedKey!, key.WrapContext);
                key.WrappedKey = masterKeys.Wrap(plain, key.WrapContext);
                key.MasterKeyId = current;
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
            }

            if (recordBatch is null)
            {
                await db.SaveChangesAsync(ct);
            }
            else
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await recordBatch(db, current, batch.Count, ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }

            done += batch.Count;
            LogProgress(done, total);
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Master key rotation: re-wrapping {Total} tenant key(s) under master key {MasterKeyId}")]
    private partial void LogStarting(int total, string masterKeyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Master key rotation: {Done}/{Total} tenant keys re-wrapped")]
    private partial void LogProgress(int done, int total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Master key rotation stopped ({Error}); tenant keys under a retired master key remain readable only while that key stays configured")]
    private partial void LogFailed(string error);
}

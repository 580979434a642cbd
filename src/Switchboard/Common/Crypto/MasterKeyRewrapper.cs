using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Online master-key rotation: once a new master key is configured (and the old one listed as retired),
/// every tenant key still wrapped by a retired key is re-wrapped under the current one, in small batches,
/// while the node keeps serving. Tenant data itself is never re-encrypted: only the wrapping changes.
/// </summary>
internal sealed partial class MasterKeyRewrapper(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    MasterKeyRing masterKeys,
    MigrationState migrations,
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
            await RewrapAllAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex.GetType().Name);
        }
    }

    /// <summary>Re-wraps every tenant key not under the current master key; returns how many it changed.</summary>
    public async Task<int> RewrapAllAsync(CancellationToken ct)
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

            await db.SaveChangesAsync(ct);
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

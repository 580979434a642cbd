using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Web;

namespace Switchboard.Common.Persistence;

/// <summary>
/// Upgrades the schema in place at start-up. When the database is not reachable yet, start-up goes on
/// (readiness stays 503) and the upgrade is retried in the background until it succeeds.
/// </summary>
internal sealed partial class DatabaseMigrator(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    MigrationState state,
    IEnumerable<IStartupRepair> repairs,
    IEnumerable<IMigrationFollowUp> followUps,
    ILogger<DatabaseMigrator> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long one migration statement may run: a migration that fills rows from others (report days and months from a large
    /// tenant's rollups) takes minutes, far past the provider's default of 30 s (ADR 0058).
    /// </summary>
    public static readonly TimeSpan MigrationTimeout = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TryMigrateAsync(cancellationToken))
        {
            await base.StartAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(RetryDelay, stoppingToken);
            if (await TryMigrateAsync(stoppingToken))
            {
                return;
            }
        }
    }

    private async Task<bool> TryMigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            db.Database.SetCommandTimeout(MigrationTimeout);
            if (pending.Count > 0)
            {
                // Nodes starting together on a new database: EF Core's migration lock lets one apply them, and the others find none left.
                LogUpgrading(pending.Count, string.Join(", ", pending));
                await db.Database.MigrateAsync(cancellationToken);
            }

            foreach (var followUp in followUps.Where(f => pending.Contains(f.Migration)))
            {
                await followUp.RunAsync(db, cancellationToken);
            }

            if (db.IsSqlite)
            {
                // WAL lets readers proceed while the webhook writer commits; the mode is stored in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            // Before the node counts as current (workers and requests wait for it): the deletion ledger (ADR 0038).
            foreach (var repair in repairs)
            {
                await repair.RunAsync(cancellationToken);
            }

            state.MarkCurrent();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not StartupRefusedException)
        {
            LogUnavailable(SafeError.Describe(ex));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgrading the database schema: {Count} migration(s) to apply ({Migrations})")]
    private partial void LogUpgrading(int count, string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not ready for the schema upgrade ({Error}); retrying")]
    private partial void LogUnavailable(string error);
}

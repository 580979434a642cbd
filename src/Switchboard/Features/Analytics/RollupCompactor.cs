using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Folds <see cref="ReportDelta"/> rows into <see cref="ReportRollup"/> counters (ADR 0030): one statement
/// claims a batch of deltas (PostgreSQL: <c>DELETE … RETURNING</c> over rows locked with <c>SKIP LOCKED</c>,
/// so nodes never fold one delta twice) and adds them to the counters with an atomic
/// <c>INSERT … ON CONFLICT DO UPDATE SET "Count" = "Count" + excluded."Count"</c>, keys in one order so two
/// folds cannot deadlock. A crash rolls both back: nothing is lost or counted twice.
/// </summary>
internal sealed class RollupCompactor(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, MigrationState migrations, TimeProvider clock, ILogger<RollupCompactor> logger)
    : JobLoop(new JobSchedule("Report rollups", TimeSpan.FromSeconds(5)), new WorkSignal(), migrations, clock, logger)
{
    private const string Columns = "\"TenantId\", \"Dimension\", \"DimensionId\", \"Hour\", \"Metric\", \"Bucket\"";

    private const string Grouped = $"SELECT {Columns}, SUM(\"Count\"), SUM(\"Sum\") FROM ";

    private const string Added = $" WHERE 1 = 1 GROUP BY {Columns} ORDER BY {Columns} "
        + "ON CONFLICT (\"TenantId\", \"Dimension\", \"DimensionId\", \"Hour\", \"Metric\", \"Bucket\") DO UPDATE SET \"Count\" = \"ReportRollups\".\"Count\" + excluded.\"Count\", \"Sum\" = \"ReportRollups\".\"Sum\" + excluded.\"Sum\"";

    private const string Insert = $"INSERT INTO \"ReportRollups\" ({Columns}, \"Count\", \"Sum\") ";

    private const string PostgresFold = "WITH claimed AS (DELETE FROM \"ReportDeltas\" WHERE (\"TenantId\", \"Id\") IN (SELECT \"TenantId\", \"Id\" FROM \"ReportDeltas\" "
        + "ORDER BY \"TenantId\", \"Id\" LIMIT 5000 FOR UPDATE SKIP LOCKED) RETURNING *) " + Insert + Grouped + "claimed" + Added;

    private const string SqliteFold = Insert + Grouped + "\"ReportDeltas\"" + Added;

    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await FoldAsync(db, gate, ct);
    }

    /// <summary>Folds one batch; returns how many counters it changed (0: nothing was waiting).</summary>
    public static async Task<int> FoldAsync(SwitchboardDbContext db, SqliteWriteGate gate, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            return await db.Database.ExecuteSqlRawAsync(PostgresFold, ct);
        }

        // SQLite has one writer: the insert takes the write lock, so nothing lands between it and the delete.
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var folded = await db.Database.ExecuteSqlRawAsync(SqliteFold, ct);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM \"ReportDeltas\"", ct);
        await transaction.CommitAsync(ct);
        return folded;
    }
}

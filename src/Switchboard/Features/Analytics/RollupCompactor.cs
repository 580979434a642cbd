using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Folds <see cref="ReportDelta"/> rows into <see cref="ReportRollup"/> counters of the hour and
/// <see cref="ReportDayRollup"/> counters of the day (ADR 0030, 0049): one statement
/// claims a batch of deltas (PostgreSQL: <c>DELETE … RETURNING</c> over rows locked with <c>SKIP LOCKED</c>,
/// so nodes never fold one delta twice) and adds them to the counters with an atomic
/// <c>INSERT … ON CONFLICT DO UPDATE SET "Count" = "Count" + excluded."Count"</c>, keys in one order so two
/// folds cannot deadlock. A crash rolls both back: nothing is lost or counted twice.
/// </summary>
internal sealed class RollupCompactor(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, MigrationState migrations, TimeProvider clock, ILogger<RollupCompactor> logger)
    : JobLoop(new JobSchedule("Report rollups", TimeSpan.FromSeconds(5)), new WorkSignal(), migrations, clock, logger)
{
    private const string Keys = "\"TenantId\", \"Dimension\", \"DimensionId\", \"Metric\", \"Bucket\"";

    private const string PostgresDay = "date_trunc('day', \"Hour\", 'UTC')";

    private const string SqliteDay = "\"Hour\" - (\"Hour\" % 86400000000)";

    private const string PostgresFold = "WITH claimed AS (DELETE FROM \"ReportDeltas\" WHERE (\"TenantId\", \"Id\") IN (SELECT \"TenantId\", \"Id\" FROM \"ReportDeltas\" "
        + "ORDER BY \"TenantId\", \"Id\" LIMIT 5000 FOR UPDATE SKIP LOCKED) RETURNING *), "
        + "hours AS (" + HourInsert + "claimed" + HourAdded + " RETURNING 1) "
        + DayInsert + PostgresDay + DayFrom + "claimed" + DayAdded;

    private const string HourInsert = $"INSERT INTO \"ReportRollups\" ({Keys}, \"Hour\", \"Count\", \"Sum\") SELECT {Keys}, \"Hour\", SUM(\"Count\"), SUM(\"Sum\") FROM ";

    private const string HourAdded = $" WHERE 1 = 1 GROUP BY {Keys}, \"Hour\" ORDER BY {Keys}, \"Hour\" "
        + $"ON CONFLICT ({Keys}, \"Hour\") DO UPDATE SET \"Count\" = \"ReportRollups\".\"Count\" + excluded.\"Count\", \"Sum\" = \"ReportRollups\".\"Sum\" + excluded.\"Sum\"";

    private const string DayInsert = $"INSERT INTO \"ReportDayRollups\" ({Keys}, \"Day\", \"Count\", \"Sum\") SELECT {Keys}, ";

    private const string DayFrom = " AS \"Day\", SUM(\"Count\"), SUM(\"Sum\") FROM ";

    private const string DayAdded = $" WHERE 1 = 1 GROUP BY {Keys}, \"Day\" ORDER BY {Keys}, \"Day\" "
        + $"ON CONFLICT ({Keys}, \"Day\") DO UPDATE SET \"Count\" = \"ReportDayRollups\".\"Count\" + excluded.\"Count\", \"Sum\" = \"ReportDayRollups\".\"Sum\" + excluded.\"Sum\"";

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
        var folded = await db.Database.ExecuteSqlRawAsync(HourInsert + "\"ReportDeltas\"" + HourAdded, ct);
        await db.Database.ExecuteSqlRawAsync(DayInsert + SqliteDay + DayFrom + "\"ReportDeltas\"" + DayAdded, ct);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM \"ReportDeltas\"", ct);
        await transaction.CommitAsync(ct);
        return folded;
    }
}

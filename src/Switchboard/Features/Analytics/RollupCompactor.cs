using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Folds <see cref="ReportDelta"/> rows into <see cref="ReportRollup"/> counters of the hour and
/// <see cref="ReportDayRollup"/>, <see cref="ReportWeekRollup"/>, <see cref="ReportMonthRollup"/> and <see cref="ReportYearRollup"/> counters of the day, week, month and
/// year (ADR 0030, 0049, 0054, 0058, 0067): one statement
/// claims a batch of deltas (PostgreSQL: <c>DELETE … RETURNING</c> over rows locked with <c>SKIP LOCKED</c>,
/// so nodes never fold one delta twice) and adds them to the counters with an atomic
/// <c>INSERT … ON CONFLICT DO UPDATE SET "Count" = "Count" + excluded."Count"</c>, keys in one order so two
/// folds cannot deadlock. A crash rolls both back: nothing is lost or counted twice.
/// </summary>
internal sealed class RollupCompactor(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, MigrationState migrations, TimeProvider clock, ILogger<RollupCompactor> logger)
    : JobLoop(new JobSchedule("Report rollups", TimeSpan.FromSeconds(5)), new WorkSignal(), migrations, clock, logger)
{
    private const string Keys = "\"TenantId\", \"Dimension\", \"DimensionId\", \"Metric\", \"Bucket\"";

    private const string PostgresClaim = "WITH claimed AS (DELETE FROM \"ReportDeltas\" WHERE (\"TenantId\", \"Id\") IN (SELECT \"TenantId\", \"Id\" FROM \"ReportDeltas\" "
        + "ORDER BY \"TenantId\", \"Id\" LIMIT 5000 FOR UPDATE SKIP LOCKED) RETURNING *), ";

    /// <summary>The first instant of the UTC calendar month of a timestamp column, on PostgreSQL.</summary>
    public static string PostgresMonthOf(string column) => $"date_trunc('month', \"{column}\", 'UTC')";

    /// <summary>The same on SQLite, where timestamps are microseconds since the Unix epoch.</summary>
    public static string SqliteMonthOf(string column) => $"(CAST(strftime('%s', \"{column}\" / 1000000, 'unixepoch', 'start of month') AS INTEGER) * 1000000)";

    private static string DayOf(bool sqlite) => sqlite ? "\"Hour\" - (\"Hour\" % 86400000000)" : "date_trunc('day', \"Hour\", 'UTC')";

    private static string MonthOf(bool sqlite) => sqlite ? SqliteMonthOf("Hour") : PostgresMonthOf("Hour");

    /// <summary>1 January 00:00 UTC of the hour's year (ADR 0067).</summary>
    private static string YearOf(bool sqlite) => sqlite
        ? "(CAST(strftime('%s', \"Hour\" / 1000000, 'unixepoch', 'start of year') AS INTEGER) * 1000000)"
        : "date_trunc('year', \"Hour\", 'UTC')";

    /// <summary>Monday 00:00 UTC of the ISO week (ADR 0058); on SQLite, microseconds since 1970-01-01, a Thursday.</summary>
    private static string WeekOf(bool sqlite) => sqlite ? "\"Hour\" - ((\"Hour\" + 259200000000) % 604800000000)" : "date_trunc('week', \"Hour\", 'UTC')";

    /// <summary>Adds the hourly counters of <paramref name="source"/> to one rollup table at its grain (hours, days or months).</summary>
    private static string Add(string table, string column, string start, string source) =>
        $"INSERT INTO \"{table}\" ({Keys}, \"{column}\", \"Count\", \"Sum\") SELECT {Keys}, {start} AS \"{column}\", SUM(\"Count\"), SUM(\"Sum\") FROM {source} "
        + $"WHERE 1 = 1 GROUP BY {Keys}, \"{column}\" ORDER BY {Keys}, \"{column}\" "
        + $"ON CONFLICT ({Keys}, \"{column}\") DO UPDATE SET \"Count\" = \"{table}\".\"Count\" + excluded.\"Count\", \"Sum\" = \"{table}\".\"Sum\" + excluded.\"Sum\"";

    /// <summary>The five additions, hours, days, weeks, months and years, of the hourly counters of <paramref name="source"/> (ADR 0049, 0054, 0058, 0067).</summary>
    public static string[] AddAll(bool sqlite, string source) =>
    [
        Add(ReportRollup.Table, "Hour", "\"Hour\"", source),
        Add(ReportDayRollup.Table, "Day", DayOf(sqlite), source),
        Add(ReportWeekRollup.Table, "Week", WeekOf(sqlite), source),
        Add(ReportMonthRollup.Table, "Month", MonthOf(sqlite), source),
        Add(ReportYearRollup.Table, "Year", YearOf(sqlite), source),
    ];

    /// <summary>PostgreSQL: the five additions as data-modifying CTEs over one source, in one statement.</summary>
    public static string PostgresAddAll(string source)
    {
        var adds = AddAll(sqlite: false, source);
        return $"hours AS ({adds[0]} RETURNING 1), days AS ({adds[1]} RETURNING 1), weeks AS ({adds[2]} RETURNING 1), months AS ({adds[3]} RETURNING 1) {adds[4]}";
    }

    private static readonly string PostgresFold = PostgresClaim + PostgresAddAll("claimed");

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
        var adds = AddAll(sqlite: true, "\"ReportDeltas\"");
        var folded = await db.Database.ExecuteSqlRawAsync(adds[0], ct);
        foreach (var add in adds[1..])
        {
            await db.Database.ExecuteSqlRawAsync(add, ct);
        }

        await db.Database.ExecuteSqlRawAsync("DELETE FROM \"ReportDeltas\"", ct);
        await transaction.CommitAsync(ct);
        return folded;
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// PostgreSQL: covering indexes of the agents' month and day rows, by metric and start, so the agents report reads every agent's
/// counters index-only, one range per metric (ADR 0060). SQLite reads per agent through the primary keys, as before.
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261212000000_ReportAgentIndexes")]
internal sealed class ReportAgentIndexes : Migration
{
    /// <summary>The indexes' statements: none on SQLite. The schema test adds them to a database created from the model.</summary>
    public static IReadOnlyList<string> CreateSql(bool sqlite) => sqlite
        ? []
        :
        [
            "CREATE INDEX \"IX_ReportMonthRollups_Agents\" ON \"ReportMonthRollups\" (\"TenantId\", \"Metric\", \"Month\") "
                + "INCLUDE (\"DimensionId\", \"Bucket\", \"Count\", \"Sum\") WHERE \"Dimension\" = 'agent'",
            "CREATE INDEX \"IX_ReportDayRollups_Agents\" ON \"ReportDayRollups\" (\"TenantId\", \"Metric\", \"Day\") "
                + "INCLUDE (\"DimensionId\", \"Bucket\", \"Count\", \"Sum\") WHERE \"Dimension\" = 'agent'",
        ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var sql in CreateSql(migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider))
        {
            migrationBuilder.Sql(sql);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider)
        {
            return;
        }

        migrationBuilder.Sql("DROP INDEX \"IX_ReportDayRollups_Agents\"");
        migrationBuilder.Sql("DROP INDEX \"IX_ReportMonthRollups_Agents\"");
    }
}

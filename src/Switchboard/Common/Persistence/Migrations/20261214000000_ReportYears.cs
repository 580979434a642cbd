using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Report rollups per calendar year (1 January 00:00 UTC) beside the months, filled from the months, which nest in years exactly; on
/// PostgreSQL, covering indexes of the agents' year and week rows like those of their month and day rows (ADR 0060, 0067).
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261214000000_ReportYears")]
internal sealed class ReportYears : Migration
{
    /// <summary>The indexes' statements: none on SQLite. The schema test adds them to a database created from the model.</summary>
    public static IReadOnlyList<string> CreateSql(bool sqlite) => sqlite
        ? []
        :
        [
            "CREATE INDEX \"IX_ReportYearRollups_Agents\" ON \"ReportYearRollups\" (\"TenantId\", \"Metric\", \"Year\") "
                + "INCLUDE (\"DimensionId\", \"Bucket\", \"Count\", \"Sum\") WHERE \"Dimension\" = 'agent'",
            "CREATE INDEX \"IX_ReportWeekRollups_Agents\" ON \"ReportWeekRollups\" (\"TenantId\", \"Metric\", \"Week\") "
                + "INCLUDE (\"DimensionId\", \"Bucket\", \"Count\", \"Sum\") WHERE \"Dimension\" = 'agent'",
        ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "ReportYearRollups",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Year = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportYearRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Metric, x.Year, x.Bucket });
                table.ForeignKey("FK_ReportYearRollups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        // Written out rather than taken from the compactor (a migration stays as it was). SQLite: microseconds since the Unix epoch.
        var year = migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider
            ? "(CAST(strftime('%s', \"Month\" / 1000000, 'unixepoch', 'start of year') AS INTEGER) * 1000000)"
            : "date_trunc('year', \"Month\", 'UTC')";
        migrationBuilder.Sql("INSERT INTO \"ReportYearRollups\" (\"TenantId\", \"Dimension\", \"DimensionId\", \"Year\", \"Metric\", \"Bucket\", \"Count\", \"Sum\") "
            + $"SELECT \"TenantId\", \"Dimension\", \"DimensionId\", {year}, \"Metric\", \"Bucket\", SUM(\"Count\"), SUM(\"Sum\") FROM \"ReportMonthRollups\" "
            + $"GROUP BY \"TenantId\", \"Dimension\", \"DimensionId\", {year}, \"Metric\", \"Bucket\"");

        foreach (var sql in CreateSql(migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider))
        {
            migrationBuilder.Sql(sql);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.ActiveProvider != ColumnTypes.SqliteProvider)
        {
            migrationBuilder.Sql("DROP INDEX \"IX_ReportWeekRollups_Agents\"");
        }

        migrationBuilder.DropTable(name: "ReportYearRollups");
    }
}

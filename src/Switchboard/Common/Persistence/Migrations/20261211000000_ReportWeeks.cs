using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Report rollups per ISO week (Monday 00:00 UTC) beside the days, filled from the days (ADR 0058).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261211000000_ReportWeeks")]
internal sealed class ReportWeeks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "ReportWeekRollups",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Week = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportWeekRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Metric, x.Week, x.Bucket });
                table.ForeignKey("FK_ReportWeekRollups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        // Written out rather than taken from the compactor (a migration stays as it was). SQLite: microseconds since 1970-01-01, a Thursday.
        var week = migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider
            ? "(\"Day\" - ((\"Day\" + 259200000000) % 604800000000))"
            : "date_trunc('week', \"Day\", 'UTC')";
        migrationBuilder.Sql("INSERT INTO \"ReportWeekRollups\" (\"TenantId\", \"Dimension\", \"DimensionId\", \"Week\", \"Metric\", \"Bucket\", \"Count\", \"Sum\") "
            + $"SELECT \"TenantId\", \"Dimension\", \"DimensionId\", {week}, \"Metric\", \"Bucket\", SUM(\"Count\"), SUM(\"Sum\") FROM \"ReportDayRollups\" "
            + $"GROUP BY \"TenantId\", \"Dimension\", \"DimensionId\", {week}, \"Metric\", \"Bucket\"");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ReportWeekRollups");
    }
}

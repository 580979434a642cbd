using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Report rollups per UTC day beside the hours, filled from the hours; hour rows keyed by metric before hour (ADR 0049).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261209060000_ReportDays")]
internal sealed class ReportDays : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        Rekey(migrationBuilder, metricFirst: true);
        migrationBuilder.CreateTable(
            name: "ReportDayRollups",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Day = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportDayRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Metric, x.Day, x.Bucket });
                table.ForeignKey("FK_ReportDayRollups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        var day = migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider
            ? "\"Hour\" - (\"Hour\" % 86400000000)"
            : "date_trunc('day', \"Hour\", 'UTC')";
        migrationBuilder.Sql("INSERT INTO \"ReportDayRollups\" (\"TenantId\", \"Dimension\", \"DimensionId\", \"Day\", \"Metric\", \"Bucket\", \"Count\", \"Sum\") "
            + $"SELECT \"TenantId\", \"Dimension\", \"DimensionId\", {day}, \"Metric\", \"Bucket\", SUM(\"Count\"), SUM(\"Sum\") FROM \"ReportRollups\" "
            + $"GROUP BY \"TenantId\", \"Dimension\", \"DimensionId\", {day}, \"Metric\", \"Bucket\"");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ReportDayRollups");
        Rekey(migrationBuilder, metricFirst: false);
    }

    /// <summary>A new primary key for the hour rollups; SQLite cannot change one in place, so there the table is copied.</summary>
    private static void Rekey(MigrationBuilder migrationBuilder, bool metricFirst)
    {
        string[] key = metricFirst
            ? ["TenantId", "Dimension", "DimensionId", "Metric", "Hour", "Bucket"]
            : ["TenantId", "Dimension", "DimensionId", "Hour", "Metric", "Bucket"];
        if (migrationBuilder.ActiveProvider != ColumnTypes.SqliteProvider)
        {
            migrationBuilder.DropPrimaryKey(name: "PK_ReportRollups", table: "ReportRollups");
            migrationBuilder.AddPrimaryKey(name: "PK_ReportRollups", table: "ReportRollups", columns: key);
            return;
        }

        migrationBuilder.CreateTable(
            name: "ReportRollups_rekeyed",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Hour = table.Column<DateTimeOffset>(type: "INTEGER", nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                if (metricFirst)
                {
                    table.PrimaryKey("PK_ReportRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Metric, x.Hour, x.Bucket });
                }
                else
                {
                    table.PrimaryKey("PK_ReportRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Hour, x.Metric, x.Bucket });
                }

                table.ForeignKey("FK_ReportRollups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.Sql("INSERT INTO \"ReportRollups_rekeyed\" (\"TenantId\", \"Dimension\", \"DimensionId\", \"Hour\", \"Metric\", \"Bucket\", \"Count\", \"Sum\") SELECT \"TenantId\", \"Dimension\", \"DimensionId\", \"Hour\", \"Metric\", \"Bucket\", \"Count\", \"Sum\" FROM \"ReportRollups\"");
        migrationBuilder.DropTable(name: "ReportRollups");
        migrationBuilder.RenameTable(name: "ReportRollups_rekeyed", newName: "ReportRollups");
    }
}

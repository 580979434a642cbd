using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 19: report rollups and their not yet folded increments (ADR 0030).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208120000_Reports")]
internal sealed class Reports : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "ReportRollups",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Hour = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportRollups", x => new { x.TenantId, x.Dimension, x.DimensionId, x.Hour, x.Metric, x.Bucket });
                table.ForeignKey("FK_ReportRollups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateTable(
            name: "ReportDeltas",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
                Hour = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Metric = table.Column<string>(maxLength: 32, nullable: false),
                Bucket = table.Column<int>(nullable: false),
                Count = table.Column<long>(nullable: false),
                Sum = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportDeltas", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ReportDeltas_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ReportDeltas_TenantId_Dimension_DimensionId_Hour", table: "ReportDeltas", columns: ["TenantId", "Dimension", "DimensionId", "Hour"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ReportDeltas");
        migrationBuilder.DropTable(name: "ReportRollups");
    }
}

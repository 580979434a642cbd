using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Per-node counts of a flow version and the nodes a bot session stood on (ADR 0041).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208220000_FlowNodeStats")]
internal sealed class FlowNodeStats : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "Visited", table: "FlowSessions", nullable: true);
        migrationBuilder.CreateTable(
            name: "FlowNodeStats",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                FlowId = table.Column<Guid>(nullable: false),
                Version = table.Column<int>(nullable: false),
                NodeId = table.Column<string>(maxLength: 64, nullable: false),
                Reached = table.Column<long>(nullable: false),
                Dropped = table.Column<long>(nullable: false),
                HandedOff = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_FlowNodeStats", x => new { x.TenantId, x.FlowId, x.Version, x.NodeId });
                table.ForeignKey("FK_FlowNodeStats_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_FlowNodeStats_FlowVersions_TenantId_FlowId_Version", x => new { x.TenantId, x.FlowId, x.Version }, "FlowVersions", ["TenantId", "FlowId", "Version"], onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "FlowNodeStats");
        migrationBuilder.DropColumn(name: "Visited", table: "FlowSessions");
    }
}

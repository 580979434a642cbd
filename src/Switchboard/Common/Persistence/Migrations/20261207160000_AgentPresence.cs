using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 16: dashboard presence (open circuits per agent), where an availability came from, last activity and the auto-away setting (ADR 0022).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207160000_AgentPresence")]
internal sealed class AgentPresence : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "Source", table: "AgentStates", maxLength: 16, nullable: false, defaultValue: "api");
        migrationBuilder.AddColumn<DateTimeOffset>(name: "LastActivityAt", table: "AgentStates", type: timestamp, nullable: true);
        migrationBuilder.AddColumn<int>(name: "AutoAwayMinutes", table: "RoutingSettings", nullable: false, defaultValue: 10);
        migrationBuilder.CreateTable(
            name: "AgentPresence",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                SessionId = table.Column<string>(maxLength: 64, nullable: false),
                Node = table.Column<string>(maxLength: 64, nullable: false),
                LastSeenAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AgentPresence", x => new { x.TenantId, x.UserId, x.SessionId });
                table.ForeignKey("FK_AgentPresence_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AgentPresence_LastSeenAt", table: "AgentPresence", column: "LastSeenAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "AgentPresence");
        migrationBuilder.DropColumn(name: "AutoAwayMinutes", table: "RoutingSettings");
        migrationBuilder.DropColumn(name: "LastActivityAt", table: "AgentStates");
        migrationBuilder.DropColumn(name: "Source", table: "AgentStates");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 10: teams and their members, numbers' default teams, agents' availability, the
/// assignment history and routing settings; a conversation's team, queue entry and assignment time, with
/// the queue index and the per-agent load index (ADR 0022).
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207090000_Routing")]
internal sealed class Routing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.AddColumn<Guid>(name: "TeamId", table: "Conversations", nullable: true);
        migrationBuilder.AddColumn<DateTimeOffset>(name: "WaitingSince", table: "Conversations", type: timestamp, nullable: true);
        migrationBuilder.AddColumn<DateTimeOffset>(name: "AssignedAt", table: "Conversations", type: timestamp, nullable: true);
        migrationBuilder.DropIndex(name: "IX_Conversations_TenantId_AssignedUserId", table: "Conversations");
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_AssignedUserId_Status", table: "Conversations", columns: ["TenantId", "AssignedUserId", "Status"]);
        migrationBuilder.CreateIndex(
            name: "IX_Conversations_Waiting", table: "Conversations", columns: ["TenantId", "TeamId", "WaitingSince", "Number"], filter: "\"WaitingSince\" IS NOT NULL");

        migrationBuilder.CreateTable(
            name: "Teams",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                Strategy = table.Column<string>(maxLength: 16, nullable: false),
                Capacity = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Teams", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Teams_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Teams_TenantId_Name", table: "Teams", columns: ["TenantId", "Name"], unique: true);

        migrationBuilder.CreateTable(
            name: "TeamMembers",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                TeamId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                AddedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TeamMembers", x => new { x.TenantId, x.TeamId, x.UserId });
                table.ForeignKey("FK_TeamMembers_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TeamMembers_TenantId_UserId", table: "TeamMembers", columns: ["TenantId", "UserId"]);

        migrationBuilder.CreateTable(
            name: "ChannelTeams",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                TeamId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ChannelTeams", x => new { x.TenantId, x.ChannelId });
                table.ForeignKey("FK_ChannelTeams_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ChannelTeams_TenantId_TeamId", table: "ChannelTeams", columns: ["TenantId", "TeamId"]);

        migrationBuilder.CreateTable(
            name: "AgentStates",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                StatusAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastAssignedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AgentStates", x => new { x.TenantId, x.UserId });
                table.ForeignKey("FK_AgentStates_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "Assignments",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                At = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                FromUserId = table.Column<Guid>(nullable: true),
                ToUserId = table.Column<Guid>(nullable: true),
                FromTeamId = table.Column<Guid>(nullable: true),
                ToTeamId = table.Column<Guid>(nullable: true),
                ByUserId = table.Column<Guid>(nullable: true),
                NoteMessageId = table.Column<Guid>(nullable: true),
                WaitedMs = table.Column<long>(nullable: true),
                Reason = table.Column<string>(maxLength: 4000, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Assignments", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Assignments_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Assignments_TenantId_ConversationId_At", table: "Assignments", columns: ["TenantId", "ConversationId", "At"]);
        migrationBuilder.CreateIndex(name: "IX_Assignments_TenantId_ToTeamId_At", table: "Assignments", columns: ["TenantId", "ToTeamId", "At"]);

        migrationBuilder.CreateTable(
            name: "RoutingSettings",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                AgentsSeeOwnTeamsOnly = table.Column<bool>(nullable: false),
                StickyToLastAgent = table.Column<bool>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RoutingSettings", x => x.TenantId);
                table.ForeignKey("FK_RoutingSettings_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "RoutingSettings");
        migrationBuilder.DropTable(name: "Assignments");
        migrationBuilder.DropTable(name: "AgentStates");
        migrationBuilder.DropTable(name: "ChannelTeams");
        migrationBuilder.DropTable(name: "TeamMembers");
        migrationBuilder.DropTable(name: "Teams");
        migrationBuilder.DropIndex(name: "IX_Conversations_Waiting", table: "Conversations");
        migrationBuilder.DropIndex(name: "IX_Conversations_TenantId_AssignedUserId_Status", table: "Conversations");
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_AssignedUserId", table: "Conversations", columns: ["TenantId", "AssignedUserId"]);
        migrationBuilder.DropColumn(name: "AssignedAt", table: "Conversations");
        migrationBuilder.DropColumn(name: "WaitingSince", table: "Conversations");
        migrationBuilder.DropColumn(name: "TeamId", table: "Conversations");
    }
}

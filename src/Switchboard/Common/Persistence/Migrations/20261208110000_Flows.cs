using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 18: chatbot flows, their published versions and the bot's sessions, and who wrote a message (ADR 0029).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208110000_Flows")]
internal sealed class Flows : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "Author", table: "Messages", maxLength: 16, nullable: true);
        migrationBuilder.AddColumn<Guid>(name: "AuthorUserId", table: "Messages", nullable: true);
        migrationBuilder.CreateTable(
            name: "Flows",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                Draft = table.Column<string>(nullable: false),
                PublishedVersion = table.Column<int>(nullable: true),
                LatestVersion = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Flows", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Flows_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateTable(
            name: "FlowVersions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                FlowId = table.Column<Guid>(nullable: false),
                Version = table.Column<int>(nullable: false),
                Document = table.Column<string>(nullable: false),
                PublishedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_FlowVersions", x => new { x.TenantId, x.FlowId, x.Version });
                table.ForeignKey("FK_FlowVersions_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_FlowVersions_Flows_TenantId_FlowId", x => new { x.TenantId, x.FlowId }, "Flows", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateTable(
            name: "FlowSessions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                State = table.Column<string>(maxLength: 8, nullable: false),
                FlowId = table.Column<Guid>(nullable: true),
                Version = table.Column<int>(nullable: true),
                NodeId = table.Column<string>(maxLength: 64, nullable: true),
                InputAfter = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                WaitUntil = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                InvalidAnswers = table.Column<int>(nullable: false),
                Sends = table.Column<int>(nullable: false),
                NewConversation = table.Column<bool>(nullable: false),
                EndReason = table.Column<string>(maxLength: 32, nullable: true),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                Attempts = table.Column<int>(nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                StartedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_FlowSessions", x => new { x.TenantId, x.ConversationId });
                table.ForeignKey("FK_FlowSessions_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_FlowSessions_Due", table: "FlowSessions", column: "DueAt", filter: "\"DueAt\" IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "FlowSessions");
        migrationBuilder.DropTable(name: "FlowVersions");
        migrationBuilder.DropTable(name: "Flows");
        migrationBuilder.DropColumn(name: "AuthorUserId", table: "Messages");
        migrationBuilder.DropColumn(name: "Author", table: "Messages");
    }
}

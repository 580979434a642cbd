using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 12: canned responses (shared or personal), tenant labels and the labels on conversations (ADR 0024).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207110000_CannedResponsesAndLabels")]
internal sealed class CannedResponsesAndLabels : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "CannedResponses",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Shortcut = table.Column<string>(maxLength: 32, nullable: false),
                Text = table.Column<string>(maxLength: 4096, nullable: false),
                OwnerUserId = table.Column<Guid>(nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CannedResponses", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_CannedResponses_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_CannedResponses_TenantId_Shortcut", table: "CannedResponses", columns: ["TenantId", "Shortcut"], unique: true);

        migrationBuilder.CreateTable(
            name: "Labels",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 50, nullable: false),
                Color = table.Column<string>(maxLength: 7, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Labels", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Labels_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Labels_TenantId_Name", table: "Labels", columns: ["TenantId", "Name"], unique: true);

        migrationBuilder.CreateTable(
            name: "ConversationLabels",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                LabelId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ConversationLabels", x => new { x.TenantId, x.ConversationId, x.LabelId });
                table.ForeignKey("FK_ConversationLabels_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ConversationLabels_Conversations_TenantId_ConversationId", x => new { x.TenantId, x.ConversationId }, "Conversations", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ConversationLabels_Labels_TenantId_LabelId", x => new { x.TenantId, x.LabelId }, "Labels", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ConversationLabels_TenantId_LabelId", table: "ConversationLabels", columns: ["TenantId", "LabelId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ConversationLabels");
        migrationBuilder.DropTable(name: "Labels");
        migrationBuilder.DropTable(name: "CannedResponses");
    }
}

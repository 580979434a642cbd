using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The assistant: its settings per tenant, conversation summaries, message and conversation sentiment (ADR 0035).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208170000_Assistant")]
internal sealed class Assistant : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "AssistantSettings",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Provider = table.Column<string>(maxLength: 16, nullable: false),
                BaseUrl = table.Column<string>(maxLength: 512, nullable: true),
                Model = table.Column<string>(maxLength: 128, nullable: true),
                ApiKey = table.Column<byte[]>(nullable: true),
                ApiKeyHint = table.Column<string>(maxLength: 8, nullable: true),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AssistantSettings", x => x.TenantId);
                table.ForeignKey("FK_AssistantSettings_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ConversationSummaries",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Text = table.Column<byte[]>(nullable: false),
                Trigger = table.Column<string>(maxLength: 16, nullable: false),
                Provider = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ConversationSummaries", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ConversationSummaries_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ConversationSummaries_TenantId_ConversationId", table: "ConversationSummaries", columns: ["TenantId", "ConversationId"]);

        migrationBuilder.CreateTable(
            name: "MessageSentiments",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Label = table.Column<string>(maxLength: 16, nullable: false),
                Score = table.Column<double>(nullable: false),
                Model = table.Column<string>(maxLength: 16, nullable: false),
                At = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_MessageSentiments", x => new { x.TenantId, x.MessageId });
                table.ForeignKey("FK_MessageSentiments_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_MessageSentiments_TenantId_ConversationId", table: "MessageSentiments", columns: ["TenantId", "ConversationId"]);

        migrationBuilder.CreateTable(
            name: "ConversationSentiments",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Label = table.Column<string>(maxLength: 16, nullable: false),
                Score = table.Column<double>(nullable: false),
                Change = table.Column<double>(nullable: false),
                Messages = table.Column<int>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ConversationSentiments", x => new { x.TenantId, x.ConversationId });
                table.ForeignKey("FK_ConversationSentiments_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ConversationSentiments");
        migrationBuilder.DropTable(name: "MessageSentiments");
        migrationBuilder.DropTable(name: "ConversationSummaries");
        migrationBuilder.DropTable(name: "AssistantSettings");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 17: conversation priority, automatic replies (settings, the last reply of each kind), automation rules, their runs and the job queue (ADR 0028).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208100000_Automation")]
internal sealed class Automation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "Priority", table: "Conversations", maxLength: 16, nullable: false, defaultValue: "normal");
        migrationBuilder.CreateTable(
            name: "AutomationJobs",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Trigger = table.Column<string>(maxLength: 32, nullable: false),
                MessageId = table.Column<Guid>(nullable: true),
                LabelId = table.Column<Guid>(nullable: true),
                Detail = table.Column<string>(maxLength: 64, nullable: true),
                At = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AutomationJobs", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_AutomationJobs_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AutomationJobs_DueAt", table: "AutomationJobs", column: "DueAt");

        migrationBuilder.CreateTable(
            name: "AutomationRules",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                Position = table.Column<int>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Event = table.Column<string>(maxLength: 32, nullable: false),
                Conditions = table.Column<string>(nullable: false),
                Actions = table.Column<string>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AutomationRules", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_AutomationRules_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AutomationRules_TenantId_Event_Position", table: "AutomationRules", columns: ["TenantId", "Event", "Position"]);

        migrationBuilder.CreateTable(
            name: "AutomationRuns",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                RuleId = table.Column<Guid>(nullable: false),
                JobId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Event = table.Column<string>(maxLength: 32, nullable: false),
                At = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Actions = table.Column<string>(maxLength: 400, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AutomationRuns", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_AutomationRuns_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AutomationRuns_TenantId_JobId_RuleId", table: "AutomationRuns", columns: ["TenantId", "JobId", "RuleId"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_AutomationRuns_TenantId_RuleId_At", table: "AutomationRuns", columns: ["TenantId", "RuleId", "At"]);

        migrationBuilder.CreateTable(
            name: "AutoReplySettings",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                GreetingText = table.Column<string>(maxLength: 4096, nullable: true),
                AwayText = table.Column<string>(maxLength: 4096, nullable: true),
                OutOfHoursText = table.Column<string>(maxLength: 4096, nullable: true),
                CalendarId = table.Column<Guid>(nullable: true),
                PeriodMinutes = table.Column<int>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AutoReplySettings", x => new { x.TenantId, x.ChannelId });
                table.ForeignKey("FK_AutoReplySettings_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "AutoRepliesSent",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                SentAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                JobId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AutoRepliesSent", x => new { x.TenantId, x.ConversationId, x.Kind });
                table.ForeignKey("FK_AutoRepliesSent_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "AutoRepliesSent");
        migrationBuilder.DropTable(name: "AutoReplySettings");
        migrationBuilder.DropTable(name: "AutomationRuns");
        migrationBuilder.DropTable(name: "AutomationRules");
        migrationBuilder.DropTable(name: "AutomationJobs");
        migrationBuilder.DropColumn(name: "Priority", table: "Conversations");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 11: business-hours calendars with their weekly hours and holidays, SLA policies, SLA
/// timers (a partial index over the running ones, ADR 0021), and a conversation's SLA columns (ADR 0023).
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207100000_ServiceLevels")]
internal sealed class ServiceLevels : Migration
{
    private static readonly string[] ConversationTimes = ["AwaitingReplySince", "FirstResponseAt", "FirstResponseDueAt", "NextResponseDueAt", "ResolutionDueAt"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "Calendars",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                TimeZone = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Calendars", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Calendars_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "CalendarHours",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                CalendarId = table.Column<Guid>(nullable: false),
                Day = table.Column<int>(nullable: false),
                StartMinute = table.Column<int>(nullable: false),
                EndMinute = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CalendarHours", x => new { x.TenantId, x.CalendarId, x.Day, x.StartMinute });
                table.ForeignKey("FK_CalendarHours_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_CalendarHours_Calendars_TenantId_CalendarId", x => new { x.TenantId, x.CalendarId }, "Calendars", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "Holidays",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                CalendarId = table.Column<Guid>(nullable: false),
                Date = table.Column<DateOnly>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Holidays", x => new { x.TenantId, x.CalendarId, x.Date });
                table.ForeignKey("FK_Holidays_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Holidays_Calendars_TenantId_CalendarId", x => new { x.TenantId, x.CalendarId }, "Calendars", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "SlaPolicies",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                TeamId = table.Column<Guid>(nullable: true),
                Label = table.Column<string>(maxLength: 64, nullable: true),
                FirstResponseMinutes = table.Column<int>(nullable: true),
                NextResponseMinutes = table.Column<int>(nullable: true),
                ResolutionMinutes = table.Column<int>(nullable: true),
                WarnBeforeMinutes = table.Column<int>(nullable: false),
                BusinessHours = table.Column<bool>(nullable: false),
                CalendarId = table.Column<Guid>(nullable: true),
                Rank = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SlaPolicies", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_SlaPolicies_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_SlaPolicies_TenantId_Rank", table: "SlaPolicies", columns: ["TenantId", "Rank"]);

        foreach (var column in ConversationTimes)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(name: column, table: "Conversations", type: timestamp, nullable: true);
        }

        migrationBuilder.AddColumn<Guid>(name: "SlaPolicyId", table: "Conversations", nullable: true);
        migrationBuilder.AddColumn<int>(name: "SlaBreached", table: "Conversations", nullable: false, defaultValue: 0);

        migrationBuilder.CreateTable(
            name: "SlaTimers",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                StartedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                TargetAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Stage = table.Column<string>(maxLength: 8, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SlaTimers", x => new { x.TenantId, x.ConversationId, x.Kind });
                table.ForeignKey("FK_SlaTimers_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_SlaTimers_Due", table: "SlaTimers", column: "DueAt", filter: "\"Stage\" <> 'done'");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "SlaTimers");
        migrationBuilder.DropColumn(name: "SlaBreached", table: "Conversations");
        migrationBuilder.DropColumn(name: "SlaPolicyId", table: "Conversations");
        foreach (var column in ConversationTimes)
        {
            migrationBuilder.DropColumn(name: column, table: "Conversations");
        }

        migrationBuilder.DropTable(name: "SlaPolicies");
        migrationBuilder.DropTable(name: "Holidays");
        migrationBuilder.DropTable(name: "CalendarHours");
        migrationBuilder.DropTable(name: "Calendars");
    }
}

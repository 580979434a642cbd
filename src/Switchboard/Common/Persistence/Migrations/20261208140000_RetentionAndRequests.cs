using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 21: retention schedules and their runs, legal holds, contact privacy flags, data-rights requests, the audit chain's prune checkpoint (ADR 0032).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208140000_RetentionAndRequests")]
internal sealed class RetentionAndRequests : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<long>(name: "PrunedThroughSequence", table: "AuditChains", nullable: false, defaultValue: 0L);
        migrationBuilder.AddColumn<byte[]>(name: "PrunedThroughHash", table: "AuditChains", nullable: true);

        migrationBuilder.CreateTable(
            name: "RetentionPolicies",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                MessagesDays = table.Column<int>(nullable: true),
                MediaDays = table.Column<int>(nullable: true),
                InactiveContactsDays = table.Column<int>(nullable: true),
                RawEventsDays = table.Column<int>(nullable: true),
                AuditDays = table.Column<int>(nullable: true),
                ExportsDays = table.Column<int>(nullable: true),
                SessionsDays = table.Column<int>(nullable: true),
                MinorsDays = table.Column<int>(nullable: true),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                NextRunAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Attempts = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RetentionPolicies", x => x.TenantId);
                table.ForeignKey("FK_RetentionPolicies_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_RetentionPolicies_NextRunAt", table: "RetentionPolicies", column: "NextRunAt");

        migrationBuilder.CreateTable(
            name: "RetentionRuns",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                StartedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Messages = table.Column<int>(nullable: false),
                Media = table.Column<int>(nullable: false),
                Contacts = table.Column<int>(nullable: false),
                RawEvents = table.Column<int>(nullable: false),
                AuditEntries = table.Column<int>(nullable: false),
                Exports = table.Column<int>(nullable: false),
                Sessions = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RetentionRuns", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_RetentionRuns_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "LegalHolds",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                TargetId = table.Column<Guid>(nullable: false),
                PlacedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                PlacedBy = table.Column<string>(maxLength: 100, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_LegalHolds", x => new { x.TenantId, x.Kind, x.TargetId });
                table.ForeignKey("FK_LegalHolds_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ContactPrivacy",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Minor = table.Column<bool>(nullable: false),
                Restricted = table.Column<bool>(nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ContactPrivacy", x => new { x.TenantId, x.ContactId });
                table.ForeignKey("FK_ContactPrivacy_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "DataRightsRequests",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Type = table.Column<string>(maxLength: 16, nullable: false),
                ContactId = table.Column<Guid>(nullable: true),
                Requester = table.Column<byte[]>(nullable: false),
                ReceivedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                WarnAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                WarnedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                ExportId = table.Column<Guid>(nullable: true),
                Reason = table.Column<string>(maxLength: 32, nullable: true),
                ConfirmationQueued = table.Column<bool>(nullable: false),
                CreatedBy = table.Column<string>(maxLength: 100, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_DataRightsRequests", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_DataRightsRequests_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_DataRightsRequests_Status_WarnAt", table: "DataRightsRequests", columns: ["Status", "WarnAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "DataRightsRequests");
        migrationBuilder.DropTable(name: "ContactPrivacy");
        migrationBuilder.DropTable(name: "LegalHolds");
        migrationBuilder.DropTable(name: "RetentionRuns");
        migrationBuilder.DropTable(name: "RetentionPolicies");
        migrationBuilder.DropColumn(name: "PrunedThroughHash", table: "AuditChains");
        migrationBuilder.DropColumn(name: "PrunedThroughSequence", table: "AuditChains");
    }
}

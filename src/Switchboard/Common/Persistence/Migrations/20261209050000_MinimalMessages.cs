using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The tenant's data-minimisation settings, its credential-rotation policy and the reminders sent for it (ADR 0051).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261209050000_MinimalMessages")]
internal sealed class MinimalMessagesSetting : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<bool>(name: "MinimalMessages", table: "Tenants", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<bool>(name: "MinimalTrimPending", table: "Tenants", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<int>(name: "CredentialRotationDays", table: "Tenants", nullable: true);
        migrationBuilder.AddColumn<DateTimeOffset>(name: "RotationCheckAt", table: "Tenants", type: timestamp, nullable: true);
        migrationBuilder.CreateTable(
            name: "RotationReminders",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 32, nullable: false),
                ItemId = table.Column<Guid>(nullable: false),
                RotatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                RemindedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Reminders = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RotationReminders", x => new { x.TenantId, x.Kind, x.ItemId });
                table.ForeignKey("FK_RotationReminders_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "RotationReminders");
        migrationBuilder.DropColumn(name: "RotationCheckAt", table: "Tenants");
        migrationBuilder.DropColumn(name: "CredentialRotationDays", table: "Tenants");
        migrationBuilder.DropColumn(name: "MinimalTrimPending", table: "Tenants");
        migrationBuilder.DropColumn(name: "MinimalMessages", table: "Tenants");
    }
}

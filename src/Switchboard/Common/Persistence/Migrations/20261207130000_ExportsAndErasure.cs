using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 14: exports built in the background, and each tenant's export signing key, tenant deletions waiting their turn (ADR 0026).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207130000_ExportsAndErasure")]
internal sealed class ExportsAndErasure : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "Exports",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: true),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Progress = table.Column<int>(nullable: false),
                RequestedBy = table.Column<string>(maxLength: 100, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                FileSize = table.Column<long>(nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Exports", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Exports_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Exports_State_NextAttemptAt", table: "Exports", columns: ["State", "NextAttemptAt"]);

        migrationBuilder.CreateTable(
            name: "ExportSigningKeys",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                PublicKey = table.Column<byte[]>(nullable: false),
                PrivateKey = table.Column<byte[]>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ExportSigningKeys", x => x.TenantId);
                table.ForeignKey("FK_ExportSigningKeys_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "TenantDeletions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                RequestedBy = table.Column<Guid>(nullable: false),
                RequestedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                CancelledAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TenantDeletions", x => x.TenantId);
                table.ForeignKey("FK_TenantDeletions_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TenantDeletions_State_DueAt", table: "TenantDeletions", columns: ["State", "DueAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "TenantDeletions");
        migrationBuilder.DropTable(name: "ExportSigningKeys");
        migrationBuilder.DropTable(name: "Exports");
    }
}

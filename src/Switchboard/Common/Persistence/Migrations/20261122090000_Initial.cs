using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 1: tenants, their wrapped keys and their API tokens.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122090000_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "Tenants",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ErasedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Tenants", x => x.Id));

        migrationBuilder.CreateTable(
            name: "TenantKeys",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Purpose = table.Column<string>(maxLength: 8, nullable: false),
                Version = table.Column<int>(nullable: false),
                WrappedKey = table.Column<byte[]>(nullable: true),
                MasterKeyId = table.Column<string>(maxLength: 16, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DestroyedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TenantKeys", x => new { x.TenantId, x.Purpose, x.Version });
                table.ForeignKey("FK_TenantKeys_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_TenantKeys_MasterKeyId", table: "TenantKeys", column: "MasterKeyId");

        migrationBuilder.CreateTable(
            name: "ApiTokens",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                Scopes = table.Column<string>(maxLength: 1000, nullable: false),
                TokenHash = table.Column<byte[]>(nullable: false),
                Prefix = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                RevokedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                LastUsedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ApiTokens", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ApiTokens_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_ApiTokens_TokenHash", table: "ApiTokens", column: "TokenHash", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ApiTokens");
        migrationBuilder.DropTable(name: "TenantKeys");
        migrationBuilder.DropTable(name: "Tenants");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 2: WhatsApp business numbers with sealed credentials, and contacts with their own keys.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122090100_ChannelsAndContacts")]
internal sealed class ChannelsAndContacts : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "Channels",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                PhoneNumberId = table.Column<string>(maxLength: 32, nullable: false),
                WabaId = table.Column<string>(maxLength: 32, nullable: false),
                DisplayPhoneNumber = table.Column<string>(maxLength: 32, nullable: false),
                AppId = table.Column<string>(maxLength: 32, nullable: false),
                AppSecret = table.Column<byte[]>(nullable: false),
                AccessToken = table.Column<byte[]>(nullable: false),
                VerifyToken = table.Column<byte[]>(nullable: false),
                AppSecretRotatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                AccessTokenRotatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                VerifyTokenRotatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Status = table.Column<string>(maxLength: 32, nullable: false),
                RevokedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Channels", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Channels_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_Channels_PhoneNumberId", table: "Channels", column: "PhoneNumberId", unique: true);

        migrationBuilder.CreateTable(
            name: "Contacts",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                WaIdIndex = table.Column<byte[]>(nullable: true),
                UserIdIndex = table.Column<byte[]>(nullable: true),
                WaId = table.Column<byte[]>(nullable: true),
                UserId = table.Column<byte[]>(nullable: true),
                ProfileName = table.Column<byte[]>(nullable: true),
                DataKey = table.Column<byte[]>(nullable: true),
                DataKeyTenantVersion = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ErasedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Contacts", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Contacts_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_Contacts_TenantId_WaIdIndex", table: "Contacts", columns: ["TenantId", "WaIdIndex"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Contacts_TenantId_UserIdIndex", table: "Contacts", columns: ["TenantId", "UserIdIndex"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "Contacts");
        migrationBuilder.DropTable(name: "Channels");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Number leases: which node sends for a business number, until when (ADR 0055).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261210020000_NumberLeases")]
internal sealed class NumberLeases : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "NumberLeases",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                Holder = table.Column<Guid>(nullable: false),
                Node = table.Column<string>(maxLength: 64, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_NumberLeases", x => new { x.TenantId, x.ChannelId });
                table.ForeignKey("FK_NumberLeases_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "NumberLeases");
}

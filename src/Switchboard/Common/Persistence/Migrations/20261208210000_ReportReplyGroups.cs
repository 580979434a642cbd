using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The team, agent and labels each reply was counted in, for delivery rates by group (ADR 0030).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208210000_ReportReplyGroups")]
internal sealed class ReportReplyGroups : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "ReportReplyGroups",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
                Dimension = table.Column<string>(maxLength: 8, nullable: false),
                DimensionId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReportReplyGroups", x => new { x.TenantId, x.MessageId, x.Dimension, x.DimensionId });
                table.ForeignKey("FK_ReportReplyGroups_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ReportReplyGroups_Messages_TenantId_MessageId", x => new { x.TenantId, x.MessageId }, "Messages", ["TenantId", "Id"], onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ReportReplyGroups");
    }
}

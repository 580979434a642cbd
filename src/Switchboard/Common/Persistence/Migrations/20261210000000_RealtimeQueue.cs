using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Realtime events queue unnumbered and are numbered after their writer's commit (ADR 0053).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261210000000_RealtimeQueue")]
internal sealed class RealtimeQueue : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "RealtimeEventQueue",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                TenantId = table.Column<Guid>(nullable: false),
                Type = table.Column<string>(maxLength: 64, nullable: false),
                ConversationId = table.Column<Guid>(nullable: true),
                MessageId = table.Column<Guid>(nullable: true),
                Detail = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: ColumnTypes.Timestamp(migrationBuilder), nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RealtimeEventQueue", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_RealtimeEventQueue_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_RealtimeEventQueue_Id", table: "RealtimeEventQueue", column: "Id");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "RealtimeEventQueue");
}

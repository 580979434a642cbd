using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 23: the deletion-ledger entries this database holds the effect of (ADR 0038).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208190000_DeletionLedger")]
internal sealed class DeletionLedgerApplied : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "AppliedDeletions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Mac = table.Column<string>(maxLength: 64, nullable: false),
                AppliedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AppliedDeletions", x => new { x.TenantId, x.Sequence }));
        migrationBuilder.CreateIndex(name: "IX_AppliedDeletions_Sequence", table: "AppliedDeletions", column: "Sequence", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "AppliedDeletions");
}

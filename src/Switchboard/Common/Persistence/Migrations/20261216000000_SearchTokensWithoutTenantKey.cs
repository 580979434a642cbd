using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The search index's rows lose their per-row tenant check, the largest part of their write (ADR 0070).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261216000000_SearchTokensWithoutTenantKey")]
internal sealed class SearchTokensWithoutTenantKey : Migration
{
    private const string Table = "MessageSearchTokens";
    private const string ForeignKey = "FK_MessageSearchTokens_Tenants_TenantId";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider)
        {
            Rebuild(migrationBuilder, withForeignKey: false);
            return;
        }

        migrationBuilder.DropForeignKey(name: ForeignKey, table: Table);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider)
        {
            Rebuild(migrationBuilder, withForeignKey: true);
            return;
        }

        migrationBuilder.AddForeignKey(name: ForeignKey, table: Table, column: "TenantId", principalTable: "Tenants", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
    }

    /// <summary>SQLite cannot drop or add a constraint: the table is built again beside the old one and takes its name.</summary>
    private static void Rebuild(MigrationBuilder migrationBuilder, bool withForeignKey)
    {
        const string building = "ef_temp_" + Table;
        migrationBuilder.CreateTable(
            name: building,
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Bucket = table.Column<int>(nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
                Proof = table.Column<byte[]>(maxLength: 8, nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_" + Table, x => new { x.TenantId, x.Bucket, x.MessageId, x.Proof });
                if (withForeignKey)
                {
                    table.ForeignKey(ForeignKey, x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                }
            });
        migrationBuilder.Sql(
            $"""INSERT INTO "{building}" ("TenantId", "Bucket", "MessageId", "Proof", "ContactId") SELECT "TenantId", "Bucket", "MessageId", "Proof", "ContactId" FROM "{Table}";""");
        migrationBuilder.DropTable(name: Table);
        migrationBuilder.RenameTable(name: building, newName: Table);
        migrationBuilder.CreateIndex(name: "IX_MessageSearchTokens_TenantId_ContactId", table: Table, columns: ["TenantId", "ContactId"]);
    }
}

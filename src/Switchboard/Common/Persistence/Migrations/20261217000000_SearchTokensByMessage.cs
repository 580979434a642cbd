using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The search index's second index follows its messages instead of its contacts: appended at one edge, not spread over every contact (ADR 0073).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261217000000_SearchTokensByMessage")]
internal sealed class SearchTokensByMessage : Migration
{
    private const string Table = "MessageSearchTokens";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_MessageSearchTokens_TenantId_ContactId", table: Table);
        migrationBuilder.CreateIndex(name: "IX_MessageSearchTokens_TenantId_MessageId", table: Table, columns: ["TenantId", "MessageId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_MessageSearchTokens_TenantId_MessageId", table: Table);
        migrationBuilder.CreateIndex(name: "IX_MessageSearchTokens_TenantId_ContactId", table: Table, columns: ["TenantId", "ContactId"]);
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 13: a contact's agent-given name and attribute values (sealed), the tenant's attribute
/// definitions, private notes about contacts (sealed), and the message search index (ADR 0025).
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207120000_ContactProfileAndSearch")]
internal sealed class ContactProfileAndSearch : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.AddColumn<byte[]>(name: "DisplayName", table: "Contacts", nullable: true);
        migrationBuilder.AddColumn<byte[]>(name: "Attributes", table: "Contacts", nullable: true);

        migrationBuilder.CreateTable(
            name: "ContactAttributeDefinitions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Key = table.Column<string>(maxLength: 40, nullable: false),
                Label = table.Column<string>(maxLength: 80, nullable: false),
                Type = table.Column<string>(maxLength: 8, nullable: false),
                Options = table.Column<string>(maxLength: 4000, nullable: true),
                Position = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ContactAttributeDefinitions", x => new { x.TenantId, x.Key });
                table.ForeignKey("FK_ContactAttributeDefinitions_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ContactNotes",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                AuthorId = table.Column<Guid>(nullable: true),
                AuthorName = table.Column<string>(maxLength: 200, nullable: false),
                Body = table.Column<byte[]>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ContactNotes", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ContactNotes_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ContactNotes_TenantId_ContactId_CreatedAt", table: "ContactNotes", columns: ["TenantId", "ContactId", "CreatedAt"]);

        migrationBuilder.CreateTable(
            name: "MessageSearchTokens",
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
                table.PrimaryKey("PK_MessageSearchTokens", x => new { x.TenantId, x.Bucket, x.MessageId, x.Proof });
                table.ForeignKey("FK_MessageSearchTokens_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_MessageSearchTokens_TenantId_ContactId", table: "MessageSearchTokens", columns: ["TenantId", "ContactId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "MessageSearchTokens");
        migrationBuilder.DropTable(name: "ContactNotes");
        migrationBuilder.DropTable(name: "ContactAttributeDefinitions");
        migrationBuilder.DropColumn(name: "Attributes", table: "Contacts");
        migrationBuilder.DropColumn(name: "DisplayName", table: "Contacts");
    }
}

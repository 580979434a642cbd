using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 15: the sealed queue of e-mail waiting for the SMTP relay.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261207150000_OutgoingMail")]
internal sealed class OutgoingMailQueue : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "OutgoingMails",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 32, nullable: false),
                Recipient = table.Column<byte[]>(nullable: false),
                Subject = table.Column<byte[]>(nullable: false),
                Body = table.Column<byte[]>(nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OutgoingMails", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_OutgoingMails_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_OutgoingMails_Pending", table: "OutgoingMails", column: "NextAttemptAt", filter: "\"State\" = 'pending'");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "OutgoingMails");
}

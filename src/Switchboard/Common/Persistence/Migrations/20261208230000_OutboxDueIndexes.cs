using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Partial indexes over the outbox's pending and sending rows, so a sender round never walks sent ones (ADR 0040).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208230000_OutboxDueIndexes")]
internal sealed class OutboxDueIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_OutboxItems_Pending", table: "OutboxItems", columns: ["ChannelId", "CreatedAt"], filter: "\"State\" = 'pending'");
        migrationBuilder.CreateIndex(name: "IX_OutboxItems_Sending", table: "OutboxItems", column: "LeaseUntil", filter: "\"State\" = 'sending'");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_OutboxItems_Sending", table: "OutboxItems");
        migrationBuilder.DropIndex(name: "IX_OutboxItems_Pending", table: "OutboxItems");
    }
}

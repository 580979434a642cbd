using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 7: a partial index over the pending webhook events in arrival order, so that claiming
/// a batch reads only pending rows instead of walking past every processed event still kept.
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261128090000_InboxPendingIndex")]
internal sealed class InboxPendingIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_Pending", table: "InboxEvents", column: "Id", filter: "\"State\" = 'pending'");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex(name: "IX_InboxEvents_Pending", table: "InboxEvents");
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 7: partial indexes over the pending and the quarantined webhook events in arrival
/// order, so that claiming a batch (and listing the quarantine) reads only those rows instead of walking
/// past every processed event still kept; they replace the (State, NextAttemptAt) index, which every
/// append and every finished event had to update.
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261128090000_InboxPendingIndex")]
internal sealed class InboxPendingIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_Pending", table: "InboxEvents", column: "Id", filter: "\"State\" = 'pending'");
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_Quarantined", table: "InboxEvents", column: "Id", filter: "\"State\" = 'quarantined'");
        migrationBuilder.DropIndex(name: "IX_InboxEvents_State_NextAttemptAt", table: "InboxEvents");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_State_NextAttemptAt", table: "InboxEvents", columns: ["State", "NextAttemptAt"]);
        migrationBuilder.DropIndex(name: "IX_InboxEvents_Quarantined", table: "InboxEvents");
        migrationBuilder.DropIndex(name: "IX_InboxEvents_Pending", table: "InboxEvents");
    }
}

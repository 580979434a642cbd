using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The customer's lock bucket on inbox rows, so that processing loops take disjoint customers (ADR 0062).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261213000000_InboxSenderKey")]
internal sealed class InboxSenderKey : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<int>(name: "SenderKey", table: "InboxEvents", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "SenderKey", table: "InboxEvents");
}

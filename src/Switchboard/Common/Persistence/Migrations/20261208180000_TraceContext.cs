using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 23: the traceparent stored with a queued webhook event and outbox item, so a trace crosses the queue (ADR 0036).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208180000_TraceContext")]
internal sealed class TraceContext : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "TraceParent", table: "InboxEvents", maxLength: 64, nullable: true);
        migrationBuilder.AddColumn<string>(name: "TraceParent", table: "OutboxItems", maxLength: 64, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "TraceParent", table: "OutboxItems");
        migrationBuilder.DropColumn(name: "TraceParent", table: "InboxEvents");
    }
}

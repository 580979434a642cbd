using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>When each reply's last call to Meta started on the sending node's clock: what pacing is judged by (ADR 0068).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261215000000_OutboxCalledAt")]
internal sealed class OutboxCalledAt : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<DateTimeOffset>(name: "CalledAt", table: "OutboxItems", type: ColumnTypes.Timestamp(migrationBuilder), nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "CalledAt", table: "OutboxItems");
}

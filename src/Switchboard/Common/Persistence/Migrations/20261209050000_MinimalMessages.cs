using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>The tenant's data-minimisation setting (ADR 0047).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261209050000_MinimalMessages")]
internal sealed class MinimalMessagesSetting : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<bool>(name: "MinimalMessages", table: "Tenants", nullable: false, defaultValue: false);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "MinimalMessages", table: "Tenants");
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 6: a conversation's assigned user.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261127120000_Assignment")]
internal sealed class Assignment : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<Guid>(name: "AssignedUserId", table: "Conversations", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_AssignedUserId", table: "Conversations", columns: ["TenantId", "AssignedUserId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Conversations_TenantId_AssignedUserId", table: "Conversations");
        migrationBuilder.DropColumn(name: "AssignedUserId", table: "Conversations");
    }
}

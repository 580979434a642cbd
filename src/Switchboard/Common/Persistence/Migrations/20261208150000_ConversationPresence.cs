using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 22: the conversation each dashboard circuit shows, for the "also open" warning (ADR 0033).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208150000_ConversationPresence")]
internal sealed class ConversationPresence : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<Guid>(name: "ConversationId", table: "AgentPresence", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_AgentPresence_TenantId_ConversationId", table: "AgentPresence", columns: ["TenantId", "ConversationId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_AgentPresence_TenantId_ConversationId", table: "AgentPresence");
        migrationBuilder.DropColumn(name: "ConversationId", table: "AgentPresence");
    }
}

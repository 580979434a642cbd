using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 23: the audit chain's keyed anchor and the keyed digests of actor names and addresses (ADR 0039).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration(Id)]
internal sealed class AccessLogAndMinimisation : Migration
{
    public const string Id = "20261208200000_AccessLogAndMinimisation";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<byte[]>(name: "ActorNameDigest", table: "AuditEntries", nullable: true);
        migrationBuilder.AddColumn<byte[]>(name: "IpAddressDigest", table: "AuditEntries", nullable: true);
        migrationBuilder.AddColumn<byte[]>(name: "Anchor", table: "AuditChains", nullable: true);
        migrationBuilder.AddColumn<string>(name: "AnchorKeyId", table: "AuditChains", maxLength: 32, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "AnchorKeyId", table: "AuditChains");
        migrationBuilder.DropColumn(name: "Anchor", table: "AuditChains");
        migrationBuilder.DropColumn(name: "IpAddressDigest", table: "AuditEntries");
        migrationBuilder.DropColumn(name: "ActorNameDigest", table: "AuditEntries");
    }
}

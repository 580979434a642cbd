using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 9: what Meta answered when a channel's access token was checked against its number
/// (verified name, quality rating). Channels connected before have neither.
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261205090000_ChannelVerification")]
internal sealed class ChannelVerification : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "VerifiedName", table: "Channels", maxLength: 256, nullable: true);
        migrationBuilder.AddColumn<string>(name: "QualityRating", table: "Channels", maxLength: 32, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "QualityRating", table: "Channels");
        migrationBuilder.DropColumn(name: "VerifiedName", table: "Channels");
    }
}

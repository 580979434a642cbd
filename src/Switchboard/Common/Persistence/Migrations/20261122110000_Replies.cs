using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 4: outbox, idempotency keys, realtime event log, pacing and backoff columns.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122110000_Replies")]
internal sealed class Replies : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.AddColumn<long>(name: "EventCounter", table: "Tenants", nullable: false, defaultValue: 0L);
        migrationBuilder.AddColumn<int>(name: "MessagesPerSecond", table: "Channels", nullable: false, defaultValue: 80);
        migrationBuilder.AddColumn<DateTimeOffset>(name: "SendBackoffUntil", table: "Contacts", type: timestamp, nullable: true);
        migrationBuilder.AddColumn<int>(name: "SendBackoffLevel", table: "Contacts", nullable: false, defaultValue: 0);

        migrationBuilder.CreateTable(
            name: "OutboxItems",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                MessageId = table.Column<Guid>(nullable: true),
                ChannelId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Request = table.Column<byte[]>(nullable: false),
                Upload = table.Column<byte[]>(nullable: true),
                UploadMimeType = table.Column<string>(maxLength: 128, nullable: true),
                UploadFileName = table.Column<string>(maxLength: 256, nullable: true),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LeaseUntil = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                LastError = table.Column<string>(maxLength: 300, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OutboxItems", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_OutboxItems_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_OutboxItems_State_NextAttemptAt", table: "OutboxItems", columns: ["State", "NextAttemptAt"]);

        migrationBuilder.CreateTable(
            name: "IdempotencyKeys",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Key = table.Column<string>(maxLength: 200, nullable: false),
                RequestHash = table.Column<byte[]>(nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_IdempotencyKeys", x => new { x.TenantId, x.Key });
                table.ForeignKey("FK_IdempotencyKeys_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "RealtimeEvents",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Type = table.Column<string>(maxLength: 64, nullable: false),
                ConversationId = table.Column<Guid>(nullable: true),
                MessageId = table.Column<Guid>(nullable: true),
                Detail = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RealtimeEvents", x => new { x.TenantId, x.Sequence });
                table.ForeignKey("FK_RealtimeEvents_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_RealtimeEvents_CreatedAt", table: "RealtimeEvents", column: "CreatedAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "RealtimeEvents");
        migrationBuilder.DropTable(name: "IdempotencyKeys");
        migrationBuilder.DropTable(name: "OutboxItems");
        migrationBuilder.DropColumn(name: "SendBackoffLevel", table: "Contacts");
        migrationBuilder.DropColumn(name: "SendBackoffUntil", table: "Contacts");
        migrationBuilder.DropColumn(name: "MessagesPerSecond", table: "Channels");
        migrationBuilder.DropColumn(name: "EventCounter", table: "Tenants");
    }
}

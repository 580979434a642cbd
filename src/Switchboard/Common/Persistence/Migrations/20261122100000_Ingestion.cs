using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 3: webhook inbox, conversations, messages, statuses, reactions, media, channel events.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261122100000_Ingestion")]
internal sealed class Ingestion : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.AddColumn<long>(name: "ConversationCounter", table: "Tenants", nullable: false, defaultValue: 0L);

        migrationBuilder.CreateTable(
            name: "InboxEvents",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: true),
                ReceivedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Body = table.Column<byte[]>(nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LeaseUntil = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                ProcessedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                Reason = table.Column<string>(maxLength: 64, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_InboxEvents", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_State_NextAttemptAt", table: "InboxEvents", columns: ["State", "NextAttemptAt"]);
        migrationBuilder.CreateIndex(name: "IX_InboxEvents_ReceivedAt", table: "InboxEvents", column: "ReceivedAt");

        migrationBuilder.CreateTable(
            name: "Conversations",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<int>(nullable: false),
                Number = table.Column<long>(nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                LastMessageAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                LastInboundAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                UnreadCount = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Conversations", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Conversations_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_ChannelId_ContactId_Sequence", table: "Conversations", columns: ["TenantId", "ChannelId", "ContactId", "Sequence"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_Number", table: "Conversations", columns: ["TenantId", "Number"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Conversations_TenantId_LastMessageAt", table: "Conversations", columns: ["TenantId", "LastMessageAt"]);

        migrationBuilder.CreateTable(
            name: "Messages",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Wamid = table.Column<string>(maxLength: 256, nullable: true),
                Direction = table.Column<string>(maxLength: 8, nullable: false),
                Type = table.Column<string>(maxLength: 64, nullable: false),
                Timestamp = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                StatusAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                ErrorCode = table.Column<int>(nullable: true),
                ErrorTitle = table.Column<string>(maxLength: 200, nullable: true),
                Content = table.Column<byte[]>(nullable: false),
                Text = table.Column<byte[]>(nullable: false),
                ContextWamid = table.Column<string>(maxLength: 256, nullable: true),
                ReplyToMessageId = table.Column<Guid>(nullable: true),
                Forwarded = table.Column<string>(maxLength: 24, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Messages", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Messages_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Messages_TenantId_ChannelId_Wamid_Timestamp", table: "Messages", columns: ["TenantId", "ChannelId", "Wamid", "Timestamp"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Messages_TenantId_ConversationId_Timestamp_Id", table: "Messages", columns: ["TenantId", "ConversationId", "Timestamp", "Id"]);

        migrationBuilder.CreateTable(
            name: "StatusUpdates",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                Wamid = table.Column<string>(maxLength: 256, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                Timestamp = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ErrorCode = table.Column<int>(nullable: true),
                ErrorTitle = table.Column<string>(maxLength: 200, nullable: true),
                ErrorDetails = table.Column<string>(maxLength: 1000, nullable: true),
                PricingCategory = table.Column<string>(maxLength: 64, nullable: true),
                ReceivedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_StatusUpdates", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_StatusUpdates_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_StatusUpdates_TenantId_ChannelId_Wamid_Status", table: "StatusUpdates", columns: ["TenantId", "ChannelId", "Wamid", "Status"], unique: true);

        migrationBuilder.CreateTable(
            name: "Reactions",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                TargetWamid = table.Column<string>(maxLength: 256, nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Emoji = table.Column<byte[]>(nullable: true),
                Timestamp = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Reactions", x => new { x.TenantId, x.ChannelId, x.TargetWamid, x.ContactId });
                table.ForeignKey("FK_Reactions_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "MediaObjects",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                MessageId = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                MetaMediaId = table.Column<string>(maxLength: 128, nullable: false),
                MimeType = table.Column<string>(maxLength: 128, nullable: true),
                Sha256 = table.Column<string>(maxLength: 128, nullable: true),
                FileSize = table.Column<long>(nullable: true),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                StoredAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_MediaObjects", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_MediaObjects_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_MediaObjects_TenantId_MessageId", table: "MediaObjects", columns: ["TenantId", "MessageId"]);
        migrationBuilder.CreateIndex(name: "IX_MediaObjects_State_NextAttemptAt", table: "MediaObjects", columns: ["State", "NextAttemptAt"]);

        migrationBuilder.CreateTable(
            name: "ChannelEvents",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ChannelId = table.Column<Guid>(nullable: true),
                Field = table.Column<string>(maxLength: 64, nullable: false),
                Event = table.Column<string>(maxLength: 64, nullable: false),
                Code = table.Column<int>(nullable: true),
                Title = table.Column<string>(maxLength: 200, nullable: true),
                OccurredAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Details = table.Column<string>(maxLength: 16000, nullable: false),
                DedupeKey = table.Column<byte[]>(nullable: false),
                ReceivedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ChannelEvents", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ChannelEvents_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ChannelEvents_TenantId_DedupeKey", table: "ChannelEvents", columns: ["TenantId", "DedupeKey"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "ChannelEvents", "MediaObjects", "Reactions", "StatusUpdates", "Messages", "Conversations", "InboxEvents" })
        {
            migrationBuilder.DropTable(name: table);
        }

        migrationBuilder.DropColumn(name: "ConversationCounter", table: "Tenants");
    }
}

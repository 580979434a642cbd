using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 20: satisfaction surveys and their settings, quality reviews, transcript archives (ADR 0031).</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208130000_SatisfactionAndTranscripts")]
internal sealed class SatisfactionAndTranscripts : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "SatisfactionSettings",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Question = table.Column<string>(maxLength: 1024, nullable: false),
                Format = table.Column<string>(maxLength: 16, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SatisfactionSettings", x => x.TenantId);
                table.ForeignKey("FK_SatisfactionSettings_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "CsatSurveys",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                AgentId = table.Column<Guid>(nullable: true),
                TeamId = table.Column<Guid>(nullable: true),
                ResolvedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                DueAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                LeaseOwner = table.Column<Guid>(nullable: true),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                MessageId = table.Column<Guid>(nullable: true),
                SentAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                Score = table.Column<int>(nullable: true),
                AnsweredAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CsatSurveys", x => new { x.TenantId, x.ConversationId });
                table.ForeignKey("FK_CsatSurveys_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_CsatSurveys_Due", table: "CsatSurveys", column: "DueAt", filter: "\"State\" = 'pending'");
        migrationBuilder.CreateIndex(name: "IX_CsatSurveys_TenantId_AnsweredAt", table: "CsatSurveys", columns: ["TenantId", "AnsweredAt"]);

        migrationBuilder.CreateTable(
            name: "ConversationReviews",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                AgentId = table.Column<Guid>(nullable: true),
                ReviewerId = table.Column<string>(maxLength: 100, nullable: false),
                Score = table.Column<int>(nullable: false),
                Comments = table.Column<byte[]>(nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ConversationReviews", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_ConversationReviews_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ConversationReviews_TenantId_ConversationId", table: "ConversationReviews", columns: ["TenantId", "ConversationId"]);

        migrationBuilder.CreateTable(
            name: "TranscriptArchives",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                From = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                To = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                State = table.Column<string>(maxLength: 16, nullable: false),
                Processed = table.Column<int>(nullable: false),
                Total = table.Column<int>(nullable: false),
                RequestedBy = table.Column<string>(maxLength: 100, nullable: false),
                Attempts = table.Column<int>(nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastError = table.Column<string>(maxLength: 200, nullable: true),
                FileSize = table.Column<long>(nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                CompletedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TranscriptArchives", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_TranscriptArchives_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TranscriptArchives_State_NextAttemptAt", table: "TranscriptArchives", columns: ["State", "NextAttemptAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "TranscriptArchives");
        migrationBuilder.DropTable(name: "ConversationReviews");
        migrationBuilder.DropTable(name: "CsatSurveys");
        migrationBuilder.DropTable(name: "SatisfactionSettings");
    }
}

using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>Schema version 5: users, memberships, invites, audit chains, Data Protection keys, MFA setting, personal tokens.</summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261127090000_Identity")]
internal sealed class Identity : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);

        migrationBuilder.AddColumn<bool>(name: "MfaRequired", table: "Tenants", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<Guid>(name: "UserId", table: "ApiTokens", nullable: true);
        migrationBuilder.AddColumn<string>(name: "CreatedBy", table: "ApiTokens", maxLength: 100, nullable: true);
        migrationBuilder.CreateIndex(name: "IX_ApiTokens_UserId", table: "ApiTokens", column: "UserId");

        migrationBuilder.CreateTable(
            name: "Users",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                DisplayName = table.Column<string>(maxLength: 200, nullable: false),
                IsPlatformOperator = table.Column<bool>(nullable: false, defaultValue: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                LastLoginAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                UserName = table.Column<string>(maxLength: 256, nullable: true),
                NormalizedUserName = table.Column<string>(maxLength: 256, nullable: true),
                Email = table.Column<string>(maxLength: 256, nullable: true),
                NormalizedEmail = table.Column<string>(maxLength: 256, nullable: true),
                EmailConfirmed = table.Column<bool>(nullable: false),
                PasswordHash = table.Column<string>(maxLength: 512, nullable: true),
                SecurityStamp = table.Column<string>(maxLength: 64, nullable: true),
                ConcurrencyStamp = table.Column<string>(maxLength: 64, nullable: true),
                PhoneNumber = table.Column<string>(maxLength: 32, nullable: true),
                PhoneNumberConfirmed = table.Column<bool>(nullable: false),
                TwoFactorEnabled = table.Column<bool>(nullable: false),
                LockoutEnd = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                LockoutEnabled = table.Column<bool>(nullable: false),
                AccessFailedCount = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Users", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_Users_NormalizedEmail", table: "Users", column: "NormalizedEmail", unique: true);
        migrationBuilder.CreateIndex(name: "IX_Users_NormalizedUserName", table: "Users", column: "NormalizedUserName", unique: true);

        migrationBuilder.CreateTable(
            name: "UserClaims",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                UserId = table.Column<Guid>(nullable: false),
                ClaimType = table.Column<string>(maxLength: 256, nullable: true),
                ClaimValue = table.Column<string>(maxLength: 1024, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_UserClaims", x => x.Id);
                table.ForeignKey("FK_UserClaims_Users_UserId", x => x.UserId, "Users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_UserClaims_UserId", table: "UserClaims", column: "UserId");

        migrationBuilder.CreateTable(
            name: "UserLogins",
            columns: table => new
            {
                LoginProvider = table.Column<string>(maxLength: 128, nullable: false),
                ProviderKey = table.Column<string>(maxLength: 128, nullable: false),
                ProviderDisplayName = table.Column<string>(maxLength: 256, nullable: true),
                UserId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_UserLogins", x => new { x.LoginProvider, x.ProviderKey });
                table.ForeignKey("FK_UserLogins_Users_UserId", x => x.UserId, "Users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_UserLogins_UserId", table: "UserLogins", column: "UserId");

        migrationBuilder.CreateTable(
            name: "UserTokens",
            columns: table => new
            {
                UserId = table.Column<Guid>(nullable: false),
                LoginProvider = table.Column<string>(maxLength: 128, nullable: false),
                Name = table.Column<string>(maxLength: 128, nullable: false),
                Value = table.Column<string>(maxLength: 4096, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_UserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                table.ForeignKey("FK_UserTokens_Users_UserId", x => x.UserId, "Users", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "Memberships",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Role = table.Column<string>(maxLength: 16, nullable: false),
                Status = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Memberships", x => new { x.TenantId, x.UserId });
                table.ForeignKey("FK_Memberships_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Memberships_Users_UserId", x => x.UserId, "Users", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Memberships_UserId", table: "Memberships", column: "UserId");

        migrationBuilder.CreateTable(
            name: "Invites",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                NormalizedEmail = table.Column<string>(maxLength: 256, nullable: false),
                Role = table.Column<string>(maxLength: 16, nullable: false),
                SecretHash = table.Column<byte[]>(nullable: false),
                InvitedBy = table.Column<string>(maxLength: 100, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                ExpiresAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                AcceptedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
                AcceptedBy = table.Column<Guid>(nullable: true),
                RevokedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Invites", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_Invites_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "AuditChains",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                LastSequence = table.Column<long>(nullable: false),
                LastHash = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditChains", x => x.TenantId));

        migrationBuilder.CreateTable(
            name: "AuditEntries",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                At = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                Actor = table.Column<string>(maxLength: 100, nullable: false),
                ActorName = table.Column<string>(maxLength: 256, nullable: true),
                Action = table.Column<string>(maxLength: 64, nullable: false),
                Target = table.Column<string>(maxLength: 200, nullable: true),
                Detail = table.Column<string>(maxLength: 2000, nullable: true),
                IpAddress = table.Column<string>(maxLength: 64, nullable: true),
                PreviousHash = table.Column<byte[]>(nullable: false),
                Hash = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditEntries", x => new { x.TenantId, x.Sequence }));
        migrationBuilder.CreateIndex(name: "IX_AuditEntries_TenantId_Id", table: "AuditEntries", columns: ["TenantId", "Id"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_AuditEntries_TenantId_Action_Sequence", table: "AuditEntries", columns: ["TenantId", "Action", "Sequence"]);

        migrationBuilder.CreateTable(
            name: "DataProtectionKeys",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                FriendlyName = table.Column<string>(maxLength: 200, nullable: false),
                Xml = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_DataProtectionKeys", x => x.Id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "DataProtectionKeys");
        migrationBuilder.DropTable(name: "AuditEntries");
        migrationBuilder.DropTable(name: "AuditChains");
        migrationBuilder.DropTable(name: "Invites");
        migrationBuilder.DropTable(name: "Memberships");
        migrationBuilder.DropTable(name: "UserTokens");
        migrationBuilder.DropTable(name: "UserLogins");
        migrationBuilder.DropTable(name: "UserClaims");
        migrationBuilder.DropTable(name: "Users");
        migrationBuilder.DropIndex(name: "IX_ApiTokens_UserId", table: "ApiTokens");
        migrationBuilder.DropColumn(name: "CreatedBy", table: "ApiTokens");
        migrationBuilder.DropColumn(name: "UserId", table: "ApiTokens");
        migrationBuilder.DropColumn(name: "MfaRequired", table: "Tenants");
    }
}

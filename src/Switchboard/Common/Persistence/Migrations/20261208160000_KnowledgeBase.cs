using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence.Migrations;

/// <summary>
/// Schema version 23: the knowledge base's articles and their full-text index (ADR 0034): on PostgreSQL a GIN
/// index over the weighted <c>tsvector</c> of the search columns, on SQLite an FTS5 table that triggers keep in
/// step with the articles inside the writing transaction.
/// </summary>
[DbContext(typeof(SwitchboardDbContext))]
[Migration("20261208160000_KnowledgeBase")]
internal sealed class KnowledgeBase : Migration
{
    /// <summary>The indexed expression; the search query (KnowledgeSearch) repeats it so that PostgreSQL uses the index.</summary>
    public const string PostgresVector =
        "(setweight(to_tsvector('simple'::regconfig, \"SearchTitle\"), 'A') || setweight(to_tsvector('simple'::regconfig, \"SearchBody\"), 'B'))";

    private const string Insert =
        "INSERT INTO \"KnowledgeArticleSearch\" (\"SearchTitle\", \"SearchBody\", \"ArticleId\") VALUES (new.\"SearchTitle\", new.\"SearchBody\", new.\"Id\");";

    private const string Delete = "DELETE FROM \"KnowledgeArticleSearch\" WHERE \"ArticleId\" = old.\"Id\";";

    /// <summary>EF's model cannot describe these; a database created from the model (not migrated) needs them too.</summary>
    public static IReadOnlyList<string> SearchSql(bool sqlite) => sqlite
        ?
        [
            "CREATE VIRTUAL TABLE \"KnowledgeArticleSearch\" USING fts5(\"SearchTitle\", \"SearchBody\", \"ArticleId\" UNINDEXED, tokenize = 'unicode61');",
            $"CREATE TRIGGER \"KnowledgeArticles_SearchInsert\" AFTER INSERT ON \"KnowledgeArticles\" BEGIN {Insert} END;",
            $"CREATE TRIGGER \"KnowledgeArticles_SearchUpdate\" AFTER UPDATE OF \"SearchTitle\", \"SearchBody\" ON \"KnowledgeArticles\" BEGIN {Delete} {Insert} END;",
            $"CREATE TRIGGER \"KnowledgeArticles_SearchDelete\" AFTER DELETE ON \"KnowledgeArticles\" BEGIN {Delete} END;",
        ]
        : [$"CREATE INDEX \"IX_KnowledgeArticles_Search\" ON \"KnowledgeArticles\" USING GIN ({PostgresVector});"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var timestamp = ColumnTypes.Timestamp(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "KnowledgeArticles",
            columns: table => new
            {
                TenantId = table.Column<Guid>(nullable: false),
                Id = table.Column<Guid>(nullable: false),
                Title = table.Column<string>(maxLength: 200, nullable: false),
                Body = table.Column<string>(maxLength: 20000, nullable: false),
                Category = table.Column<string>(maxLength: 80, nullable: true),
                Published = table.Column<bool>(nullable: false),
                AuthorId = table.Column<Guid>(nullable: true),
                AuthorName = table.Column<string>(maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: timestamp, nullable: false),
                SearchTitle = table.Column<string>(maxLength: 400, nullable: false),
                SearchBody = table.Column<string>(maxLength: 40000, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_KnowledgeArticles", x => new { x.TenantId, x.Id });
                table.ForeignKey("FK_KnowledgeArticles_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_KnowledgeArticles_TenantId_Category", table: "KnowledgeArticles", columns: ["TenantId", "Category"]);

        foreach (var sql in SearchSql(migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider))
        {
            migrationBuilder.Sql(sql);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.ActiveProvider == ColumnTypes.SqliteProvider)
        {
            migrationBuilder.Sql("DROP TABLE \"KnowledgeArticleSearch\";");
        }

        migrationBuilder.DropTable(name: "KnowledgeArticles");
    }
}

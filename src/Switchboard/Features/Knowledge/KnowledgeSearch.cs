using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Knowledge;

/// <summary>A published article that answers a question: its title, the passage that matched, and the link a customer opens.</summary>
internal sealed record KnowledgeHit(Guid Id, string Title, string? Category, string Snippet, string Url, double Score);

/// <summary>
/// Finds a tenant's published articles for a question, best first (ADR 0034). The entry point for the
/// search API, the composer, suggested replies and the bot; it knows nothing of HTTP.
/// </summary>
internal sealed class KnowledgeSearch(IDbContextFactory<SwitchboardDbContext> factory, IOptions<SwitchboardOptions> options)
{
    public const int MaxLimit = 50;

    public async Task<IReadOnlyList<KnowledgeHit>> SearchAsync(Guid tenantId, string text, int limit, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await SearchAsync(db, tenantId, text, limit, BaseUrl(options.Value), ct);
    }

    /// <summary>
    /// The article that best answers a customer's question for the bot (ADR 0045): of the top three hits, the one
    /// holding the largest share of the question's terms (0–1, the same on both databases, unlike the engines'
    /// ranks); null when nothing matches.
    /// </summary>
    public async Task<(KnowledgeHit Hit, double Match)?> BestAnswerAsync(SwitchboardDbContext db, Guid tenantId, string question, CancellationToken ct)
    {
        var terms = KnowledgeText.QueryTerms(question ?? "");
        var hits = await SearchAsync(db, tenantId, question ?? "", 3, BaseUrl(options.Value), ct);
        if (hits.Count == 0 || terms.Count == 0)
        {
            return null;
        }

        var ids = hits.Select(h => h.Id).ToList();
        var indexed = await db.KnowledgeArticles.AsNoTracking().Where(a => a.TenantId == tenantId && ids.Contains(a.Id))
            .Select(a => new { a.Id, a.SearchTitle, a.SearchBody }).ToDictionaryAsync(a => a.Id, ct);
        (KnowledgeHit Hit, double Match)? best = null;
        foreach (var hit in hits.Where(h => indexed.ContainsKey(h.Id)))
        {
            var words = $"{indexed[hit.Id].SearchTitle} {indexed[hit.Id].SearchBody}".Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var match = Math.Round(terms.Count(words.Contains) / (double)terms.Count, 4);
            if (best is null || match > best.Value.Match)
            {
                best = (hit, match);
            }
        }

        return best;
    }

    /// <summary>The public base URL links start with ("" for links relative to the server).</summary>
    public static string BaseUrl(SwitchboardOptions options) => string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? "" : options.PublicBaseUrl.Trim().TrimEnd('/');

    /// <summary>Where anyone reads a published article.</summary>
    public static string UrlOf(string baseUrl, Guid tenantId, Guid articleId) => $"{baseUrl}/kb/{tenantId}/{articleId}";

    public static async Task<IReadOnlyList<KnowledgeHit>> SearchAsync(SwitchboardDbContext db, Guid tenantId, string text, int limit, string baseUrl, CancellationToken ct)
    {
        var terms = KnowledgeText.QueryTerms(text ?? "");
        if (terms.Count == 0)
        {
            return [];
        }

        limit = Math.Clamp(limit, 1, MaxLimit);
        var ranked = db.IsSqlite ? await SqliteAsync(db, tenantId, terms, limit, ct) : await PostgresAsync(db, tenantId, terms, limit, ct);
        if (ranked.Count == 0)
        {
            return [];
        }

        var ids = ranked.Select(r => r.Id).ToList();
        var articles = await db.KnowledgeArticles.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Published && ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Title, a.Category, a.Body })
            .ToDictionaryAsync(a => a.Id, ct);
        return [.. ranked.Where(r => articles.ContainsKey(r.Id)).Select(r =>
        {
            var article = articles[r.Id];
            return new KnowledgeHit(r.Id, article.Title, article.Category, KnowledgeSnippet.Of(article.Body, terms), UrlOf(baseUrl, tenantId, r.Id), Math.Round(r.Rank, 6));
        })];
    }

    /// <summary>Any term matches (customers ask in sentences); the title weighs ten times the body.</summary>
    private static Task<List<Ranked>> PostgresAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<string> terms, int limit, CancellationToken ct)
    {
        var query = string.Join(" | ", terms);
        return db.Database.SqlQuery<Ranked>($$"""
            SELECT "Id", ts_rank('{0, 0, 0.1, 1.0}'::real[], setweight(to_tsvector('simple'::regconfig, "SearchTitle"), 'A') || setweight(to_tsvector('simple'::regconfig, "SearchBody"), 'B'), to_tsquery('simple'::regconfig, {{query}}), 1)::float8 AS "Rank"
            FROM "KnowledgeArticles"
            WHERE "TenantId" = {{tenantId}} AND "Published"
              AND (setweight(to_tsvector('simple'::regconfig, "SearchTitle"), 'A') || setweight(to_tsvector('simple'::regconfig, "SearchBody"), 'B')) @@ to_tsquery('simple'::regconfig, {{query}})
            ORDER BY "Rank" DESC, "Id"
            LIMIT {{limit}}
            """).ToListAsync(ct);
    }

    private static Task<List<Ranked>> SqliteAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<string> terms, int limit, CancellationToken ct)
    {
        var match = string.Join(" OR ", terms.Select(t => $"\"{t}\""));
        return db.Database.SqlQuery<Ranked>($$"""
            SELECT a."Id" AS "Id", -bm25("KnowledgeArticleSearch", 10.0, 1.0) AS "Rank"
            FROM "KnowledgeArticleSearch" s
            JOIN "KnowledgeArticles" a ON a."TenantId" = {{tenantId}} AND a."Id" = s."ArticleId"
            WHERE "KnowledgeArticleSearch" MATCH {{match}} AND a."Published"
            ORDER BY "Rank" DESC, a."Id"
            LIMIT {{limit}}
            """).ToListAsync(ct);
    }

    private sealed record Ranked(Guid Id, double Rank);
}

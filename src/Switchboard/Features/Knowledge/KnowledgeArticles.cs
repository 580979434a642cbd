using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Knowledge.KnowledgeApi;

namespace Switchboard.Features.Knowledge;

/// <summary>List, read, search, create, change and delete articles; the same calls serve the API and the dashboard.</summary>
internal static class KnowledgeArticles
{
    public static async Task<Results<Ok<Page<ArticleItem>>, ValidationProblem>> ListAsync(
        Guid tenantId, string? category, string? cursor, int? limit, SwitchboardDbContext db, IOptions<SwitchboardOptions> options, HttpContext http, CancellationToken ct)
    {
        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = Paging.DecodeGuid(cursor);
            if (after is null)
            {
                return Problems.Validation("cursor", "Not a cursor this list gave.");
            }
        }

        var take = Paging.Limit(limit);
        var query = VisibleTo(db, tenantId, http.User).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(category))
        {
            var wanted = category.Trim();
            query = query.Where(a => a.Category == wanted);
        }

        if (after is { } last)
        {
            query = query.Where(a => a.Id.CompareTo(last) > 0);
        }

        var baseUrl = KnowledgeSearch.BaseUrl(options.Value);
        var fetched = (await query.OrderBy(a => a.Id).Take(take + 1).ToListAsync(ct)).Select(a => ToItem(a, baseUrl)).ToList();
        return TypedResults.Ok(Paging.PageOf(fetched, take, a => a.Id));
    }

    /// <summary>Every article the caller sees (newest change first), for the dashboard's list.</summary>
    public static async Task<IReadOnlyList<KnowledgeArticle>> AllOfAsync(SwitchboardDbContext db, Guid tenantId, ClaimsPrincipal caller, CancellationToken ct) =>
        await VisibleTo(db, tenantId, caller).AsNoTracking().OrderByDescending(a => a.UpdatedAt).Take(MaxPerTenant).ToListAsync(ct);

    public static async Task<Results<Ok<ArticleItem>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid articleId, SwitchboardDbContext db, IOptions<SwitchboardOptions> options, HttpContext http, CancellationToken ct) =>
        await VisibleTo(db, tenantId, http.User).AsNoTracking().FirstOrDefaultAsync(a => a.Id == articleId, ct) is { } found
            ? TypedResults.Ok(ToItem(found, KnowledgeSearch.BaseUrl(options.Value)))
            : Problems.NotFound();

    /// <summary>Published articles only, best first: what a customer may be sent.</summary>
    public static async Task<Results<Ok<Page<KnowledgeHit>>, ValidationProblem>> SearchAsync(
        Guid tenantId, string? q, int? limit, SwitchboardDbContext db, IOptions<SwitchboardOptions> options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return Problems.Validation("q", "Say what to search for.");
        }

        if (q.Length > 500)
        {
            return Problems.Validation("q", "At most 500 characters.");
        }

        var hits = await KnowledgeSearch.SearchAsync(db, tenantId, q, Math.Min(Paging.Limit(limit ?? 10), KnowledgeSearch.MaxLimit), KnowledgeSearch.BaseUrl(options.Value), ct);
        return TypedResults.Ok(new Page<KnowledgeHit>(hits, null));
    }

    public static async Task<Results<Created<ArticleItem>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, ArticleRequest request, SwitchboardDbContext db, TimeProvider clock, IOptions<SwitchboardOptions> options, HttpContext http, CancellationToken ct) =>
        OutcomeResults.Created(
            await CreateOfAsync(db, tenantId, request, http.User, AuditActor.From(http), clock.GetUtcNow(), ct),
            created => $"/api/v1/tenants/{tenantId}/kb/articles/{created.Id}",
            created => ToItem(created, KnowledgeSearch.BaseUrl(options.Value)));

    public static async Task<Outcome<KnowledgeArticle>> CreateOfAsync(
        SwitchboardDbContext db, Guid tenantId, ArticleRequest request, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        if (MayChange(caller) is { } forbidden)
        {
            return forbidden;
        }

        if (Check(request, out var title, out var body, out var category) is { } invalid)
        {
            return invalid;
        }

        if (await db.KnowledgeArticles.CountAsync(a => a.TenantId == tenantId, ct) >= MaxPerTenant)
        {
            return Failure.Conflict($"A tenant has at most {MaxPerTenant} articles.");
        }

        var article = new KnowledgeArticle
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            Title = title,
            Body = body,
            Category = category,
            Published = request.Published is true,
            AuthorId = caller.UserIdOf(),
            AuthorName = actor.Name ?? actor.Id,
            CreatedAt = now,
            UpdatedAt = now,
        };
        article.Index();
        db.KnowledgeArticles.Add(article);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.KnowledgeArticleCreated, $"kb_article:{article.Id}", new { title, published = article.Published }, now, ct);
        return article;
    }

    public static async Task<Results<Ok<ArticleItem>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid articleId, ArticleRequest request, SwitchboardDbContext db, TimeProvider clock, IOptions<SwitchboardOptions> options, HttpContext http, CancellationToken ct) =>
        OutcomeResults.Ok(
            await UpdateOfAsync(db, tenantId, articleId, request, http.User, AuditActor.From(http), clock.GetUtcNow(), ct),
            updated => ToItem(updated, KnowledgeSearch.BaseUrl(options.Value)));

    /// <summary>Replaces title, body, category and published state.</summary>
    public static async Task<Outcome<KnowledgeArticle>> UpdateOfAsync(
        SwitchboardDbContext db, Guid tenantId, Guid id, ArticleRequest request, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var found = await VisibleTo(db, tenantId, caller).FindChangeableAsync(a => a.Id == id, _ => MayChange(caller), ct);
        if (found.Value is not { } article)
        {
            return found;
        }

        if (Check(request, out var title, out var body, out var category) is { } invalid)
        {
            return invalid;
        }

        var wasPublished = article.Published;
        article.Title = title;
        article.Body = body;
        article.Category = category;
        article.Published = request.Published ?? article.Published;
        article.UpdatedAt = now;
        article.Index();
        var action = (wasPublished, article.Published) switch
        {
            (false, true) => AuditActions.KnowledgeArticlePublished,
            (true, false) => AuditActions.KnowledgeArticleUnpublished,
            _ => AuditActions.KnowledgeArticleUpdated,
        };
        await AuditLog.RecordAsync(db, tenantId, actor, action, $"kb_article:{article.Id}", new { title, published = article.Published }, now, ct);
        return article;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid articleId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        OutcomeResults.NoContent(await DeleteOfAsync(db, tenantId, articleId, http.User, AuditActor.From(http), clock.GetUtcNow(), ct));

    public static async Task<Failure?> DeleteOfAsync(SwitchboardDbContext db, Guid tenantId, Guid id, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var found = await VisibleTo(db, tenantId, caller).FindChangeableAsync(a => a.Id == id, _ => MayChange(caller), ct);
        if (found.Value is not { } article)
        {
            return found.Failure;
        }

        db.KnowledgeArticles.Remove(article);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.KnowledgeArticleDeleted, $"kb_article:{article.Id}", new { title = article.Title, published = article.Published }, now, ct);
        return null;
    }

    private static Failure? MayChange(ClaimsPrincipal caller) =>
        caller.HasScope(Permissions.KbManage) ? null : Failure.Forbidden("Changing the knowledge base needs kb:manage.", [Permissions.KbManage]);
}

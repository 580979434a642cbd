using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Features.Knowledge;

/// <summary>
/// Articles as the API shows them, and who sees which: every member reads and searches published articles;
/// drafts exist only for <c>kb:manage</c> (to anyone else a draft's id answers 404). Changes need <c>kb:manage</c>.
/// </summary>
internal static class KnowledgeApi
{
    public const int MaxPerTenant = 5000;

    public sealed record ArticleRequest(
        [property: Required, StringLength(KnowledgeArticle.TitleMax, MinimumLength = 1)] string? Title,
        [property: Required, StringLength(KnowledgeArticle.BodyMax, MinimumLength = 1)] string? Body,
        [property: StringLength(KnowledgeArticle.CategoryMax)] string? Category,
        bool? Published);

    public sealed record ArticleItem(
        Guid Id, string Title, string Body, string? Category, bool Published, Guid? AuthorId, string AuthorName,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Url);

    public static ArticleItem ToItem(KnowledgeArticle a, string baseUrl) => new(
        a.Id, a.Title, a.Body, a.Category, a.Published, a.AuthorId, a.AuthorName, a.CreatedAt, a.UpdatedAt,
        a.Published ? KnowledgeSearch.UrlOf(baseUrl, a.TenantId, a.Id) : null);

    /// <summary>The articles <paramref name="caller"/> may read.</summary>
    public static IQueryable<KnowledgeArticle> VisibleTo(SwitchboardDbContext db, Guid tenantId, ClaimsPrincipal caller)
    {
        var drafts = caller.HasScope(Permissions.KbManage);
        return db.KnowledgeArticles.Where(a => a.TenantId == tenantId && (drafts || a.Published));
    }

    /// <summary>The checked fields, or the field errors (all of them at once).</summary>
    public static Failure? Check(ArticleRequest request, out string title, out string body, out string? category)
    {
        title = (request.Title ?? "").Trim();
        body = (request.Body ?? "").Trim();
        category = string.IsNullOrWhiteSpace(request.Category) ? null : request.Category.Trim();
        var errors = new Dictionary<string, string[]>();
        if (title.Length == 0)
        {
            errors["title"] = ["Must not be blank."];
        }
        else if (title.Length > KnowledgeArticle.TitleMax)
        {
            errors["title"] = [$"At most {KnowledgeArticle.TitleMax} characters."];
        }

        if (body.Length == 0)
        {
            errors["body"] = ["Must not be blank."];
        }
        else if (body.Length > KnowledgeArticle.BodyMax)
        {
            errors["body"] = [$"At most {KnowledgeArticle.BodyMax} characters."];
        }

        if (category is { Length: > KnowledgeArticle.CategoryMax })
        {
            errors["category"] = [$"At most {KnowledgeArticle.CategoryMax} characters."];
        }

        return errors.Count > 0 ? Failure.Invalid(errors) : null;
    }
}

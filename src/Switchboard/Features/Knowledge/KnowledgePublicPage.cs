using System.Net;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Knowledge;

/// <summary>
/// <c>GET /kb/{tenantId}/{articleId}</c>: a published article as a page anyone opens from a link an agent or the
/// bot sent. Drafts, deleted articles and ids of another tenant all answer the same 404.
/// </summary>
internal static class KnowledgePublicPage
{
    public static async Task<IResult> ShowAsync(Guid tenantId, Guid articleId, SwitchboardDbContext db, CancellationToken ct)
    {
        var article = await db.KnowledgeArticles.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Id == articleId && a.Published)
            .Select(a => new { a.Title, a.Body, a.Category, a.UpdatedAt })
            .FirstOrDefaultAsync(ct);
        if (article is null)
        {
            return Results.Content(Html("Not found", "<p>This article does not exist or is not published.</p>", null), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        var updated = $"<p class=\"updated\">Updated {article.UpdatedAt.UtcDateTime:yyyy-MM-dd}</p>";
        return Results.Content(Html(article.Title, KnowledgeMarkdown.ToHtml(article.Body) + updated, article.Category), "text/html; charset=utf-8");
    }

    private static string Html(string title, string body, string? category)
    {
        var heading = WebUtility.HtmlEncode(title);
        var kicker = category is null ? "" : $"<p class=\"category\">{WebUtility.HtmlEncode(category)}</p>";
        return $$"""
            <!DOCTYPE html>
            <html>
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{{heading}}</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; color: #1f2328; }
            h1 { font-size: 1.6rem; line-height: 1.3; } .category, .updated { color: #59636e; font-size: .9rem; }
            table { border-collapse: collapse; } td, th { border: 1px solid #d1d9e0; padding: .3rem .6rem; }
            code, pre { background: #f6f8fa; } pre { padding: .8rem; overflow-x: auto; }
            </style>
            </head>
            <body>
            <article>
            {{kicker}}
            <h1>{{heading}}</h1>
            {{body}}
            </article>
            </body>
            </html>
            """;
    }
}

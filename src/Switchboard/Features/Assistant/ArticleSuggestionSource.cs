using Switchboard.Common.Persistence;
using Switchboard.Features.Knowledge;

namespace Switchboard.Features.Assistant;

/// <summary>
/// The tenant's published knowledge-base articles that answer the customer's last words (ADR 0034, 0035): each is
/// offered as a short pointer to the article's public page, found by its title and snippet.
/// </summary>
internal sealed class ArticleSuggestionSource(KnowledgeSearch knowledge) : ISuggestionSource
{
    private const int Articles = 3;

    public async Task<IReadOnlyList<SuggestionCandidate>> CandidatesAsync(SwitchboardDbContext db, SuggestionContext context, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(context.Query))
        {
            return [];
        }

        var hits = await knowledge.SearchAsync(context.TenantId, context.Query, Articles, ct);
        return [.. hits.Select(h => new SuggestionCandidate($"{h.Title}: {h.Url}", "article", $"{h.Title} {h.Title} {h.Snippet}"))];
    }
}

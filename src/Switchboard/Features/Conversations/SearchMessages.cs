using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary><c>GET …/search?q=</c>: messages of the tenant holding every word of the query, newest first (ADR 0025).</summary>
internal static class SearchMessages
{
    public const int MaxQueryLength = 200;

    public sealed record SearchItem(Guid ConversationId, Guid MessageId, Guid ContactId, string Snippet, DateTimeOffset Timestamp, string Direction);

    public sealed record SearchPage(IReadOnlyList<SearchItem> Items, string? NextCursor);

    public static async Task<Results<Ok<SearchPage>, ValidationProblem>> HandleAsync(
        Guid tenantId, string? q, string? cursor, int? limit, SwitchboardDbContext db, MessageSearchIndex index, IConversationScope scope, HttpContext http, CancellationToken ct) =>
        await SearchAsync(tenantId, q, cursor, limit, db, index, await scope.ForAsync(http.User, tenantId, ct), ct) switch
        {
            { Value: { } results } => TypedResults.Ok(new SearchPage([.. results.Items.Select(h => new SearchItem(h.ConversationId, h.MessageId, h.ContactId, h.Snippet, h.Timestamp, h.Direction))], results.NextCursor)),
            var outcome => outcome.Failure!.ToValidationProblem(),
        };

    public static async Task<Outcome<SearchResults>> SearchAsync(
        Guid tenantId, string? q, string? cursor, int? limit, SwitchboardDbContext db, MessageSearchIndex index, ConversationVisibility? visible, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > MaxQueryLength)
        {
            return Failure.Invalid("q", $"Give from 1 to {MaxQueryLength} characters to search for.");
        }

        if (SearchText.Tokenize(q).Count == 0)
        {
            return Failure.Invalid("q", $"Search for words of at least {SearchText.MinTokenLength} letters or digits.");
        }

        Guid? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!Guid.TryParseExact(cursor, "N", out var parsed))
            {
                return Failure.Invalid("cursor", "Not a cursor this search gave.");
            }

            before = parsed;
        }

        return await index.SearchAsync(db, tenantId, q, before, Math.Clamp(limit ?? 20, 1, 50), visible, ct);
    }
}

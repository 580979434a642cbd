using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Workspace;

namespace Switchboard.Features.Assistant;

/// <summary>One suggested reply and where it came from: <c>canned</c>, <c>past_answer</c>, <c>article</c> or <c>model</c>.</summary>
internal sealed record Suggestion(string Text, string Source);

/// <summary>A reply a source offers, and the words it is found by (<see cref="Bm25Index"/>).</summary>
internal sealed record SuggestionCandidate(string Text, string Source, string SearchText);

/// <summary>What a source may look at: the conversation, the agent asking, the contact's name, the customer's last words.</summary>
internal sealed record SuggestionContext(Guid TenantId, Guid ConversationId, Guid? AgentUserId, string? ContactName, string Query = "");

/// <summary>
/// Where suggested replies come from (ADR 0035). Register more in DI (a knowledge base's articles, source
/// <c>article</c>) and the local ranking picks from all of them.
/// </summary>
internal interface ISuggestionSource
{
    Task<IReadOnlyList<SuggestionCandidate>> CandidatesAsync(SwitchboardDbContext db, SuggestionContext context, CancellationToken ct);
}

/// <summary>The tenant's shared canned responses and the asking agent's own, found by shortcut and text.</summary>
internal sealed class CannedSuggestionSource : ISuggestionSource
{
    public async Task<IReadOnlyList<SuggestionCandidate>> CandidatesAsync(SwitchboardDbContext db, SuggestionContext context, CancellationToken ct)
    {
        var canned = await db.CannedResponses.AsNoTracking()
            .Where(c => c.TenantId == context.TenantId && (c.OwnerUserId == null || c.OwnerUserId == context.AgentUserId))
            .OrderBy(c => c.Shortcut).Take(500)
            .Select(c => new { c.Shortcut, c.Text })
            .ToListAsync(ct);
        return [.. canned.Select(c => new SuggestionCandidate(
            CannedText.Render(c.Text, context.ContactName, null), "canned", $"{c.Shortcut.Replace('-', ' ').Replace('_', ' ')} {c.Text}"))];
    }
}

/// <summary>
/// The tenant's recent agent answers in other conversations, each found by the customer message it answered.
/// An answer holding personal data (a phone number, an e-mail, an id) is never offered to another customer.
/// </summary>
internal sealed class PastAnswerSuggestionSource(ContactKeys contactKeys) : ISuggestionSource
{
    public const int Window = 400;

    public async Task<IReadOnlyList<SuggestionCandidate>> CandidatesAsync(SwitchboardDbContext db, SuggestionContext context, CancellationToken ct)
    {
        var recent = await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == context.TenantId && m.ConversationId != context.ConversationId && m.Type == "text"
                && (m.Direction == MessageDirection.Inbound || (m.Direction == MessageDirection.Outbound && (m.Author == MessageAuthor.Agent || m.Author == MessageAuthor.Api))))
            .OrderByDescending(m => m.Timestamp).Take(Window)
            .ToListAsync(ct);
        var contactIds = recent.Select(m => m.ContactId).Distinct().ToList();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.TenantId == context.TenantId && contactIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);

        var candidates = new List<SuggestionCandidate>();
        foreach (var thread in recent.GroupBy(m => m.ConversationId))
        {
            string? question = null;
            foreach (var message in thread.OrderBy(m => m.Timestamp))
            {
                var text = await OpenAsync(contacts.GetValueOrDefault(message.ContactId), message, ct);
                if (text is null)
                {
                    continue;
                }

                if (message.Direction == MessageDirection.Inbound)
                {
                    question = text;
                }
                else if (question is not null && text.Length <= 1000 && PiiDetector.Find(text).Count == 0)
                {
                    candidates.Add(new SuggestionCandidate(text, "past_answer", $"{question} {question} {text}"));
                    question = null;
                }
            }
        }

        return candidates;
    }

    private async Task<string?> OpenAsync(Contact? contact, Message message, CancellationToken ct)
    {
        if (contact?.DataKey is null)
        {
            return null;
        }

        try
        {
            return Sealer.OpenString(await contactKeys.KeyOfAsync(contact, ct), message.SealContext(nameof(Message.Text)), message.Text);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>The local ranking: BM25 of every source's candidates against the customer's last messages; up to three, no repeats.</summary>
internal static class SuggestionRanking
{
    public const int Max = 3;

    public static IReadOnlyList<Suggestion> Rank(string query, IReadOnlyList<SuggestionCandidate> candidates, int max = Max)
    {
        var index = new Bm25Index();
        foreach (var candidate in candidates)
        {
            index.Add(candidate.SearchText);
        }

        var scores = index.Score(query);
        var chosen = new List<Suggestion>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var i in Enumerable.Range(0, candidates.Count).Where(i => scores[i] > 0).OrderByDescending(i => scores[i]).ThenBy(i => i))
        {
            if (chosen.Count >= max)
            {
                break;
            }

            if (seen.Add(candidates[i].Text.Trim()))
            {
                chosen.Add(new Suggestion(candidates[i].Text, candidates[i].Source));
            }
        }

        return chosen;
    }

    /// <summary>Below this cosine similarity a candidate is not offered by <see cref="NearestAsync"/>.</summary>
    public const float MinSimilarity = 0.2f;

    /// <summary>
    /// For a question that shares no search word with any candidate (a misspelling, another form of the word): the
    /// candidates most similar by the embedding, at least <see cref="MinSimilarity"/>, up to three, no repeats (ADR 0046).
    /// </summary>
    public static async Task<IReadOnlyList<Suggestion>> NearestAsync(
        IEmbeddingGenerator<string, Embedding<float>> embeddings, string query, IReadOnlyList<SuggestionCandidate> candidates, CancellationToken ct, int max = Max)
    {
        if (candidates.Count == 0 || string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        var vectors = await embeddings.GenerateAsync([query, .. candidates.Select(c => c.SearchText)], cancellationToken: ct);
        var question = vectors[0].Vector.ToArray();
        var similar = Enumerable.Range(0, candidates.Count)
            .Select(i => (Index: i, Similarity: HashedNgramEmbeddingGenerator.Similarity(question, vectors[i + 1].Vector.Span)))
            .Where(c => c.Similarity >= MinSimilarity)
            .OrderByDescending(c => c.Similarity).ThenBy(c => c.Index);
        var chosen = new List<Suggestion>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (i, _) in similar)
        {
            if (chosen.Count >= max)
            {
                break;
            }

            if (seen.Add(candidates[i].Text.Trim()))
            {
                chosen.Add(new Suggestion(candidates[i].Text, candidates[i].Source));
            }
        }

        return chosen;
    }
}

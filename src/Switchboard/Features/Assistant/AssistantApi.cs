using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Assistant;

/// <summary>The assistant on one conversation (CONTRACT: <c>POST …/suggestions</c>, <c>POST …/summary</c>), its latest summary and sentiment.</summary>
internal static class AssistantApi
{
    public sealed record SentimentItem(Guid MessageId, string Label, double Score, DateTimeOffset At);

    public sealed record SentimentResponse(string Label, double Score, double Change, int Messages, IReadOnlyList<SentimentItem> Items);

    public static async Task<Results<Ok<AssistantRunner.SuggestionsResponse>, ProblemHttpResult>> SuggestAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, AssistantRunner assistant, HttpContext http, CancellationToken ct)
    {
        var outcome = await assistant.SuggestAsync(db, tenantId, conversationId, http.User.UserIdOf(), AuditActor.From(http), ct);
        return outcome.Value is { } value ? TypedResults.Ok(value) : outcome.Failure!.ToProblem();
    }

    public static async Task<Results<Ok<AssistantRunner.SummaryResponse>, ProblemHttpResult>> SummarizeAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, AssistantRunner assistant, HttpContext http, CancellationToken ct)
    {
        var outcome = await assistant.SummarizeAsync(db, tenantId, conversationId, SummaryTrigger.Requested, AuditActor.From(http), ct);
        return outcome.Value is { } value ? TypedResults.Ok(value) : outcome.Failure!.ToProblem();
    }

    /// <summary>The newest stored summary (written on demand, on resolve or on transfer); 404 when there is none.</summary>
    public static async Task<Results<Ok<AssistantRunner.SummaryResponse>, ProblemHttpResult>> LatestSummaryAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, AssistantRunner assistant, CancellationToken ct)
    {
        if (!await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct))
        {
            return Problems.NotFound();
        }

        return await assistant.LatestSummaryAsync(db, tenantId, conversationId, ct) is { } summary ? TypedResults.Ok(summary) : Problems.NotFound("No summary yet.");
    }

    /// <summary>The conversation's trend and its customer messages' sentiment, newest first (at most 100).</summary>
    public static async Task<Results<Ok<SentimentResponse>, ProblemHttpResult>> SentimentAsync(Guid tenantId, Guid conversationId, SwitchboardDbContext db, CancellationToken ct)
    {
        if (!await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct))
        {
            return Problems.NotFound();
        }

        var trend = await db.ConversationSentiments.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.ConversationId == conversationId, ct);
        var items = await db.MessageSentiments.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.ConversationId == conversationId)
            .OrderByDescending(s => s.At).Take(100)
            .ToListAsync(ct);
        return TypedResults.Ok(new SentimentResponse(
            Name(trend?.Label ?? SentimentLabel.Neutral),
            trend?.Score ?? 0,
            trend?.Change ?? 0,
            trend?.Messages ?? 0,
            [.. items.Select(i => new SentimentItem(i.MessageId, Name(i.Label), i.Score, i.At))]));
    }

    public static string Name(SentimentLabel label) => label.ToString().ToLowerInvariant();
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Assistant;

/// <summary>One scored customer message as analytics counts it: no text, no contact.</summary>
internal sealed record ScoredMessage(Guid ConversationId, string Label, DateTimeOffset At);

/// <summary>
/// What other features read of sentiment (ADR 0046): automation's conditions, analytics' counts. Labels are the API's
/// names (negative, neutral, positive); nothing is there for a tenant whose assistant was off when the message came.
/// </summary>
internal static class SentimentReadings
{
    /// <summary>The label of one customer message; null when it was not scored.</summary>
    public static async Task<string?> MessageLabelAsync(SwitchboardDbContext db, Guid tenantId, Guid messageId, CancellationToken ct) =>
        await db.MessageSentiments.AsNoTracking().Where(s => s.TenantId == tenantId && s.MessageId == messageId)
            .Select(s => (SentimentLabel?)s.Label).FirstOrDefaultAsync(ct) is { } label ? AssistantApi.Name(label) : null;

    /// <summary>The conversation's trend score (-1 to 1); null when none of its messages was scored.</summary>
    public static Task<double?> TrendScoreAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct) =>
        db.ConversationSentiments.AsNoTracking().Where(s => s.TenantId == tenantId && s.ConversationId == conversationId)
            .Select(s => (double?)s.Score).FirstOrDefaultAsync(ct);

    /// <summary>The customer messages scored in [from, to).</summary>
    public static async Task<List<ScoredMessage>> MessagesAsync(SwitchboardDbContext db, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        [.. (await db.MessageSentiments.AsNoTracking().Where(s => s.TenantId == tenantId && s.At >= from && s.At < to)
            .Select(s => new { s.ConversationId, s.Label, s.At }).ToListAsync(ct))
            .Select(s => new ScoredMessage(s.ConversationId, AssistantApi.Name(s.Label), s.At))];

    /// <summary>The trend label of each of these conversations that has one.</summary>
    public static async Task<Dictionary<Guid, string>> TrendLabelsAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<Guid> conversationIds, CancellationToken ct)
    {
        var ids = conversationIds.ToList();
        return (await db.ConversationSentiments.AsNoTracking().Where(s => s.TenantId == tenantId && ids.Contains(s.ConversationId))
            .Select(s => new { s.ConversationId, s.Label }).ToListAsync(ct))
            .ToDictionary(s => s.ConversationId, s => AssistantApi.Name(s.Label));
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Assistant;
using Switchboard.Features.Conversations;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Analytics;

/// <summary>Conversations by their sentiment trend now.</summary>
internal sealed record SentimentTrendCounts(long Negative, long Neutral, long Positive);

/// <summary>The sentiment report: no text, no contact, tenant totals only (ADR 0046).</summary>
internal sealed record SentimentReportResult(DateTimeOffset From, DateTimeOffset To, SentimentTrendCounts Conversations, IReadOnlyList<SeriesPoint> NegativeMessagesPerDay);

/// <summary>
/// Sentiment in analytics (ADR 0046), read from the assistant's scores rather than the rollups (a trend is a state,
/// not an event): the conversations with a customer message scored in the range, by their trend now, and the
/// negative customer messages per day from the range's start. A restricted contact counts up to its restriction only
/// (ADR 0032); sentiment exists only while the tenant's assistant is on.
/// </summary>
internal static class SentimentReport
{
    public static async Task<SentimentReportResult> ReadAsync(SwitchboardDbContext db, Guid tenantId, ReportRange range, CancellationToken ct)
    {
        var scored = await SentimentReadings.MessagesAsync(db, tenantId, range.From, range.To, ct);
        var conversationIds = scored.Select(s => s.ConversationId).Distinct().ToList();
        var contactOf = await db.Set<Conversation>().AsNoTracking()
            .Where(c => c.TenantId == tenantId && conversationIds.Contains(c.Id))
            .Select(c => new { c.Id, c.ContactId }).ToDictionaryAsync(c => c.Id, c => c.ContactId, ct);
        var restricted = await ContactRestrictions.RestrictedSinceAsync(db, tenantId, [.. contactOf.Values.Distinct()], ct);
        var counted = scored
            .Where(s => contactOf.TryGetValue(s.ConversationId, out var contact) && !(restricted.TryGetValue(contact, out var since) && s.At >= since))
            .ToList();

        var trends = await SentimentReadings.TrendLabelsAsync(db, tenantId, [.. counted.Select(s => s.ConversationId).Distinct()], ct);
        var conversations = new SentimentTrendCounts(
            trends.Values.LongCount(l => l == "negative"), trends.Values.LongCount(l => l == "neutral"), trends.Values.LongCount(l => l == "positive"));

        var negative = counted.Where(s => s.Label == "negative").ToLookup(s => (long)Math.Floor((s.At - range.From) / TimeSpan.FromDays(1)));
        var days = new List<SeriesPoint>();
        for (var (at, i) = (range.From, 0L); at < range.To; at = at.AddDays(1), i++)
        {
            days.Add(new SeriesPoint(at, negative[i].LongCount()));
        }

        return new SentimentReportResult(range.From, range.To, conversations, days);
    }
}

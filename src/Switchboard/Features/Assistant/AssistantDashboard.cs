using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Assistant;

/// <summary>What the conversation view and the composer show of the assistant: whether it is on, the newest summary, the trend, suggestions.</summary>
internal sealed class AssistantDashboard(IDbContextFactory<SwitchboardDbContext> dbFactory, AssistantRunner assistant)
{
    public sealed record View(bool On, AssistantRunner.SummaryResponse? Summary, string? Sentiment, double Score, IReadOnlyDictionary<Guid, string> Messages);

    public async Task<View> ViewAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var on = await OnAsync(db, tenantId, ct);
        var summary = await assistant.LatestSummaryAsync(db, tenantId, conversationId, ct);
        if (!on)
        {
            // Readings from while it was on stay stored (analytics), but the dashboard shows none while it is off.
            return new View(false, summary, null, 0, new Dictionary<Guid, string>());
        }

        var trend = await db.ConversationSentiments.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.ConversationId == conversationId, ct);
        var messages = (await db.MessageSentiments.AsNoTracking().Where(s => s.TenantId == tenantId && s.ConversationId == conversationId)
            .Select(s => new { s.MessageId, s.Label }).ToListAsync(ct)).ToDictionary(s => s.MessageId, s => AssistantApi.Name(s.Label));
        return new View(on, summary, trend is null ? null : AssistantApi.Name(trend.Label), trend?.Score ?? 0, messages);
    }

    /// <summary>The conversation's trend per id, for the list; none while the tenant's assistant is off.</summary>
    public async Task<Dictionary<Guid, string>> SentimentsAsync(Guid tenantId, IReadOnlyCollection<Guid> conversationIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await OnAsync(db, tenantId, ct) ? await SentimentReadings.TrendLabelsAsync(db, tenantId, conversationIds, ct) : [];
    }

    private static Task<bool> OnAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        db.AssistantSettings.AsNoTracking().AnyAsync(s => s.TenantId == tenantId && s.Enabled, ct);

    /// <summary>Up to three suggestions for the signed-in agent, or the reason there are none; never sends anything.</summary>
    public async Task<(IReadOnlyList<Suggestion> Items, string? Error)> SuggestAsync(ClaimsPrincipal user, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        if (!user.HasScope(Permissions.ConversationsWrite))
        {
            return ([], "You may not write in this conversation.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await assistant.SuggestAsync(db, tenantId, conversationId, user.UserIdOf(), AuditActor.From(user, null), ct);
        return outcome.Value is { } value ? (value.Items, value.Items.Count == 0 ? "No suggestion for this conversation." : null) : ([], outcome.Failure!.Title);
    }
}

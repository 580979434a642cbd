using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;

namespace Switchboard.Features.Conversations;

internal static class RealtimeEventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageQueued = "message.queued";
    public const string MessageStatus = "message.status";
    public const string ConversationChanged = "conversation.changed";
    public const string MediaChanged = "message.media";
    public const string SlaWarning = "sla.warning";
    public const string SlaBreached = "sla.breached";
    public const string ContactChanged = "contact.changed";
}

/// <summary>
/// Appends realtime events inside the caller's transaction. The per-tenant sequence comes from the
/// tenant row (UPDATE … then read), whose lock is held until commit, so sequence order is commit order.
/// On PostgreSQL a NOTIFY in the same transaction tells every node once it commits. Events can be
/// collected with <see cref="Append"/> and written together by <see cref="FlushAsync"/> (one counter
/// update per tenant for a whole batch of webhooks).
/// </summary>
internal static class RealtimeLog
{
    /// <summary>Appends one event now (for single writes: a reply, a resolve).</summary>
    public static async Task AppendAsync(SwitchboardDbContext db, Guid tenantId, string type, Guid? conversationId, Guid? messageId, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        Append(db, tenantId, type, conversationId, messageId, detail, now);
        await FlushAsync(db, ct);
    }

    /// <summary>Collects an event; it is written by the next <see cref="FlushAsync"/> before the commit.</summary>
    public static void Append(SwitchboardDbContext db, Guid tenantId, string type, Guid? conversationId, Guid? messageId, string? detail, DateTimeOffset now) =>
        db.PendingRealtimeEvents.Add(new RealtimeEvent { TenantId = tenantId, Type = type, ConversationId = conversationId, MessageId = messageId, Detail = detail, CreatedAt = now });

    /// <summary>
    /// Writes the collected events, and gives <paramref name="openedConversations"/> (not yet added to the
    /// context) their per-tenant running numbers in the order they were opened, and adds them. Both counters live on the tenant row, so each tenant
    /// costs one UPDATE (whose row lock serialises sequence and numbering until commit) and one read, and
    /// tenants are always locked in the same order.
    /// </summary>
    public static async Task FlushAsync(SwitchboardDbContext db, CancellationToken ct, IReadOnlyList<Conversation>? openedConversations = null)
    {
        openedConversations ??= [];
        if (db.PendingRealtimeEvents.Count == 0 && openedConversations.Count == 0)
        {
            return;
        }

        var events = db.PendingRealtimeEvents.ToLookup(e => e.TenantId);
        var opened = openedConversations.ToLookup(c => c.TenantId);

        // Tenants in a fixed order, so that two batches touching the same tenants never wait on each other crosswise.
        foreach (var tenantId in events.Select(g => g.Key).Union(opened.Select(g => g.Key)).Order())
        {
            var eventCount = events[tenantId].Count();
            var conversationCount = opened[tenantId].Count();
            var counters = await TakeAsync(db, tenantId, eventCount, conversationCount, ct);
            var number = counters.ConversationCounter - conversationCount;
            foreach (var conversation in opened[tenantId])
            {
                conversation.Number = ++number;
                db.Conversations.Add(conversation);
            }

            if (eventCount == 0)
            {
                continue;
            }

            var sequence = counters.EventCounter - eventCount;
            foreach (var e in events[tenantId])
            {
                e.Sequence = ++sequence;
            }

            if (db.Database.CurrentTransaction is null)
            {
                db.RealtimeEvents.AddRange(events[tenantId]);
            }
            else
            {
                await BulkInsert.InsertAsync(db, events[tenantId].ToList(), ct);
            }

            db.RealtimeTenants.Add(tenantId);
            if (!db.IsSqlite)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({RealtimeHub.NotifyChannel}, {tenantId.ToString()})", ct);
            }
        }

        db.PendingRealtimeEvents.Clear();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Moves both counters of the tenant on and returns them, in one <c>UPDATE … RETURNING</c> round trip:
    /// the row lock it takes is held until the commit and serialises every writer of the tenant's events.
    /// </summary>
    private static async Task<TenantCounters> TakeAsync(SwitchboardDbContext db, Guid tenantId, int eventCount, int conversationCount, CancellationToken ct)
    {
        var taken = await db.Database.SqlQuery<TenantCounters>(
            $"UPDATE \"Tenants\" SET \"EventCounter\" = \"EventCounter\" + {(long)eventCount}, \"ConversationCounter\" = \"ConversationCounter\" + {(long)conversationCount} WHERE \"Id\" = {tenantId} RETURNING \"EventCounter\", \"ConversationCounter\"")
            .ToListAsync(ct);
        return taken.Single();
    }

    private sealed class TenantCounters
    {
        public long EventCounter { get; init; }

        public long ConversationCounter { get; init; }
    }
}

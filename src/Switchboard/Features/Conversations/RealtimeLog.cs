using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
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
/// tenant row (UPDATE … then read), whose lock is held until commit, so sequence order is commit order;
/// on PostgreSQL the update, the rows and the NOTIFY go in one round trip, taken last (ADR 0040).
/// A NOTIFY in the same transaction tells every node once it commits. Events can be
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
            var tenantEvents = events[tenantId].ToList();
            var conversationCount = opened[tenantId].Count();
            var counters = !db.IsSqlite && db.Database.CurrentTransaction is not null
                ? await TakeAndInsertAsync(db, tenantId, tenantEvents, conversationCount, ct)
                : await TakeAsync(db, tenantId, tenantEvents.Count, conversationCount, ct);
            var number = counters.ConversationCounter - conversationCount;
            foreach (var conversation in opened[tenantId])
            {
                conversation.Number = ++number;
                db.Conversations.Add(conversation);
            }

            if (tenantEvents.Count == 0)
            {
                continue;
            }

            var sequence = counters.EventCounter - tenantEvents.Count;
            foreach (var e in tenantEvents)
            {
                e.Sequence = ++sequence;
            }

            db.RealtimeTenants.Add(tenantId);
            if (db.Database.CurrentTransaction is null)
            {
                db.RealtimeEvents.AddRange(tenantEvents);
            }
            else if (db.IsSqlite)
            {
                await BulkInsert.InsertAsync(db, tenantEvents, ct);
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

    /// <summary>
    /// PostgreSQL, inside a transaction: moves both counters, inserts the numbered events and queues the NOTIFY in one
    /// statement, so the tenant row's lock is held from this round trip to the commit and no longer (ADR 0040).
    /// </summary>
    private static async Task<TenantCounters> TakeAndInsertAsync(
        SwitchboardDbContext db, Guid tenantId, List<RealtimeEvent> tenantEvents, int conversationCount, CancellationToken ct)
    {
        var types = new string[tenantEvents.Count];
        var conversations = new Guid?[tenantEvents.Count];
        var messages = new Guid?[tenantEvents.Count];
        var details = new string?[tenantEvents.Count];
        var times = new DateTimeOffset[tenantEvents.Count];
        for (var i = 0; i < tenantEvents.Count; i++)
        {
            var e = tenantEvents[i];
            (types[i], conversations[i], messages[i], details[i], times[i]) = (e.Type, e.ConversationId, e.MessageId, e.Detail, e.CreatedAt.ToUniversalTime());
        }

        var taken = await db.Database.SqlQueryRaw<TenantCounters>(
            """
            WITH counters AS (
                UPDATE "Tenants" SET "EventCounter" = "EventCounter" + @events, "ConversationCounter" = "ConversationCounter" + @conversations
                WHERE "Id" = @tenant RETURNING "EventCounter", "ConversationCounter"),
            appended AS (
                INSERT INTO "RealtimeEvents" ("TenantId", "Sequence", "Type", "ConversationId", "MessageId", "Detail", "CreatedAt")
                SELECT @tenant, c."EventCounter" - @events + e.n, e.type, e.conversation, e.message, e.detail, e.at
                FROM counters c, unnest(@types, @conversationIds, @messageIds, @details, @times) WITH ORDINALITY AS e(type, conversation, message, detail, at, n))
            SELECT c."EventCounter", c."ConversationCounter" FROM counters c;
            SELECT pg_notify(@channel, @tenantText) WHERE @events > 0
            """,
            new NpgsqlParameter<Guid>("tenant", tenantId),
            new NpgsqlParameter<long>("events", tenantEvents.Count),
            new NpgsqlParameter<long>("conversations", conversationCount),
            new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = types },
            new NpgsqlParameter("conversationIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = conversations },
            new NpgsqlParameter("messageIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = messages },
            new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = details },
            new NpgsqlParameter("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = times },
            new NpgsqlParameter<string>("channel", RealtimeHub.NotifyChannel),
            new NpgsqlParameter<string>("tenantText", tenantId.ToString())).ToListAsync(ct);
        return taken.Single();
    }

    private sealed class TenantCounters
    {
        public long EventCounter { get; init; }

        public long ConversationCounter { get; init; }
    }
}

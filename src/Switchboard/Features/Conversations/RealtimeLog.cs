using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Switchboard.Common.Persistence;

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
/// Appends realtime events inside the caller's transaction. On PostgreSQL the events go to a queue and are
/// numbered after the commit by <see cref="RealtimeSequencer"/>, and a new conversation's number is taken in
/// a transaction of its own, so no writer holds the tenant row until its commit (ADR 0053). On SQLite, where
/// writers are serialised anyway, the sequence is taken from the tenant row in the same transaction.
/// Events can be collected with <see cref="Append"/> and written together by <see cref="FlushAsync"/>.
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
    /// context) their per-tenant running numbers in the order they were opened, and adds them. Tenants are
    /// always taken in the same order.
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
            if (!db.IsSqlite)
            {
                await QueueAsync(db, tenantId, tenantEvents, conversationCount == 0 ? null : opened[tenantId], ct);
                continue;
            }

            var counters = await TakeAsync(db, tenantId, tenantEvents.Count, conversationCount, ct);
            Number(db, opened[tenantId], counters.ConversationCounter - conversationCount);
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
            else
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

    private static void Number(SwitchboardDbContext db, IEnumerable<Conversation> opened, long last)
    {
        foreach (var conversation in opened)
        {
            conversation.Number = ++last;
            db.Conversations.Add(conversation);
        }
    }

    /// <summary>
    /// PostgreSQL: numbers the opened conversations from a counter moved in its own short transaction (a number
    /// whose conversation is rolled back is skipped, as a sequence would) and queues the events for
    /// <see cref="RealtimeSequencer"/>: in the caller's transaction in one statement, or with its SaveChanges.
    /// </summary>
    private static async Task QueueAsync(
        SwitchboardDbContext db, Guid tenantId, List<RealtimeEvent> tenantEvents, IEnumerable<Conversation>? opened, CancellationToken ct)
    {
        if (opened is not null)
        {
            var conversations = opened.ToList();
            Number(db, conversations, await TakeNumbersAsync(db, tenantId, conversations.Count, ct) - conversations.Count);
        }

        if (tenantEvents.Count == 0)
        {
            return;
        }

        db.RealtimeTenants.Add(tenantId);
        if (db.Database.CurrentTransaction is null)
        {
            db.QueuedRealtimeEvents.AddRange(tenantEvents.Select(e => new QueuedRealtimeEvent
            {
                TenantId = e.TenantId,
                Type = e.Type,
                ConversationId = e.ConversationId,
                MessageId = e.MessageId,
                Detail = e.Detail,
                CreatedAt = e.CreatedAt,
            }));
            return;
        }

        var types = new string[tenantEvents.Count];
        var conversationIds = new Guid?[tenantEvents.Count];
        var messages = new Guid?[tenantEvents.Count];
        var details = new string?[tenantEvents.Count];
        var times = new DateTimeOffset[tenantEvents.Count];
        for (var i = 0; i < tenantEvents.Count; i++)
        {
            var e = tenantEvents[i];
            (types[i], conversationIds[i], messages[i], details[i], times[i]) = (e.Type, e.ConversationId, e.MessageId, e.Detail, e.CreatedAt.ToUniversalTime());
        }

        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO "RealtimeEventQueue" ("TenantId", "Type", "ConversationId", "MessageId", "Detail", "CreatedAt")
            SELECT @tenant, e.type, e.conversation, e.message, e.detail, e.at
            FROM unnest(@types, @conversationIds, @messageIds, @details, @times) WITH ORDINALITY AS e(type, conversation, message, detail, at, n)
            ORDER BY e.n
            """,
            [
                new NpgsqlParameter<Guid>("tenant", tenantId),
                new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = types },
                new NpgsqlParameter("conversationIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = conversationIds },
                new NpgsqlParameter("messageIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = messages },
                new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = details },
                new NpgsqlParameter("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = times },
            ],
            ct);
    }

    /// <summary>
    /// Moves the tenant's conversation counter by <paramref name="count"/> and returns it. Inside a caller's
    /// transaction this runs on a connection of its own, committed at once without waiting for the disk: the
    /// caller's commit comes later in the log, so a durable conversation always has a durable number. Where
    /// the caller's own transaction created or changed the tenant, the numbers are taken in that transaction.
    /// </summary>
    private static async Task<long> TakeNumbersAsync(SwitchboardDbContext db, Guid tenantId, int count, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            return (await TakeAsync(db, tenantId, 0, count, ct)).ConversationCounter;
        }

        try
        {
            await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var command = new NpgsqlCommand(
                """
                WITH settings AS (SELECT set_config('synchronous_commit', 'off', true), set_config('lock_timeout', '2s', true))
                UPDATE "Tenants" SET "ConversationCounter" = "ConversationCounter" + @count FROM settings WHERE "Id" = @tenant RETURNING "ConversationCounter"
                """,
                connection,
                transaction);
            command.Parameters.Add(new NpgsqlParameter<long>("count", count));
            command.Parameters.Add(new NpgsqlParameter<Guid>("tenant", tenantId));
            if (await command.ExecuteScalarAsync(ct) is long taken)
            {
                await transaction.CommitAsync(ct);
                return taken;
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // The caller's own transaction holds the tenant row (it changed the tenant): take the numbers there.
        }

        // The tenant row is not visible outside the caller's transaction (it created the tenant) or is locked by it.
        return (await TakeAsync(db, tenantId, 0, count, ct)).ConversationCounter;
    }

    private sealed class TenantCounters
    {
        public long EventCounter { get; init; }

        public long ConversationCounter { get; init; }
    }
}

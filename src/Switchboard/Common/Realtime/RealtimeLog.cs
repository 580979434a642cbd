using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Realtime;

internal static class RealtimeEventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageQueued = "message.queued";
    public const string MessageStatus = "message.status";
    public const string ConversationChanged = "conversation.changed";
    public const string MediaChanged = "message.media";
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
    public const string NotifyChannel = "switchboard_events";

    /// <summary>Appends one event now (for single writes: a reply, a resolve).</summary>
    public static async Task AppendAsync(SwitchboardDbContext db, Guid tenantId, string type, Guid? conversationId, Guid? messageId, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        Append(db, tenantId, type, conversationId, messageId, detail, now);
        await FlushAsync(db, ct);
    }

    /// <summary>Collects an event; it is written by the next <see cref="FlushAsync"/> before the commit.</summary>
    public static void Append(SwitchboardDbContext db, Guid tenantId, string type, Guid? conversationId, Guid? messageId, string? detail, DateTimeOffset now) =>
        db.PendingRealtimeEvents.Add(new RealtimeEvent { TenantId = tenantId, Type = type, ConversationId = conversationId, MessageId = messageId, Detail = detail, CreatedAt = now });

    public static async Task FlushAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        if (db.PendingRealtimeEvents.Count == 0)
        {
            return;
        }

        // Tenants in a fixed order, so that two batches touching the same tenants never wait on each other crosswise.
        foreach (var tenant in db.PendingRealtimeEvents.GroupBy(e => e.TenantId).OrderBy(g => g.Key).ToList())
        {
            var count = tenant.Count();
            await db.Tenants.Where(t => t.Id == tenant.Key)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.EventCounter, t => t.EventCounter + count), ct);
            var last = await db.Tenants.Where(t => t.Id == tenant.Key).Select(t => t.EventCounter).SingleAsync(ct);
            var sequence = last - count;
            foreach (var e in tenant)
            {
                e.Sequence = ++sequence;
                db.RealtimeEvents.Add(e);
            }

            db.RealtimeTenants.Add(tenant.Key);
            if (!db.IsSqlite)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({NotifyChannel}, {tenant.Key.ToString()})", ct);
            }
        }

        db.PendingRealtimeEvents.Clear();
        await db.SaveChangesAsync(ct);
    }
}

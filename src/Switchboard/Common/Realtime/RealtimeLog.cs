using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Realtime;

internal static class RealtimeEventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageQueued = "message.queued";
    public const string MessageStatus = "message.status";
    public const string ConversationChanged = "conversation.changed";
}

/// <summary>
/// Appends realtime events inside the caller's transaction. The per-tenant sequence comes from the
/// tenant row (UPDATE … then read), whose lock is held until commit, so sequence order is commit order.
/// On PostgreSQL a NOTIFY in the same transaction tells every node once it commits.
/// </summary>
internal static class RealtimeLog
{
    public const string NotifyChannel = "switchboard_events";

    public static async Task AppendAsync(SwitchboardDbContext db, Guid tenantId, string type, Guid? conversationId, Guid? messageId, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.EventCounter, t => t.EventCounter + 1), ct);
        var sequence = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.EventCounter).SingleAsync(ct);
        db.RealtimeEvents.Add(new RealtimeEvent
        {
            TenantId = tenantId,
            Sequence = sequence,
            Type = type,
            ConversationId = conversationId,
            MessageId = messageId,
            Detail = detail,
            CreatedAt = now,
        });
        db.RealtimeTenants.Add(tenantId);
        if (!db.IsSqlite)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({NotifyChannel}, {tenantId.ToString()})", ct);
        }
    }
}

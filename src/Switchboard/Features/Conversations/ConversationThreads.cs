using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>Finds the current conversation of a contact on a number, opening one when there is none.</summary>
internal sealed class ConversationThreads(IOptions<ConversationOptions> options, TimeProvider clock)
{
    /// <summary>
    /// The conversation a customer message at <paramref name="timestamp"/> (Meta's time) belongs to: the
    /// <paramref name="current"/> one, or a new one when there is none or it was resolved longer ago than
    /// the gap. A new one is not yet in the context: it is numbered and added when the batch's realtime
    /// events are flushed (<see cref="RealtimeLog.FlushAsync"/>).
    /// </summary>
    public Conversation CurrentOrNew(Conversation? current, Guid tenantId, Guid channelId, Guid contactId, DateTimeOffset timestamp, out bool opened)
    {
        var startsNew = current is { Status: ConversationStatus.Resolved, LastMessageAt: { } last } && timestamp - last > options.Value.NewConversationAfter;
        opened = current is null || startsNew;
        if (!opened)
        {
            return current!;
        }

        var now = clock.GetUtcNow();
        var conversation = new Conversation
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ChannelId = channelId,
            ContactId = contactId,
            Sequence = (current?.Sequence ?? 0) + 1,
            Status = ConversationStatus.Open,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return conversation;
    }

    /// <summary>A customer message arrived (Meta's time): the window renews, unread grows, a resolved conversation reopens (unless <paramref name="reopens"/> is false: a survey answer).</summary>
    public void RecordInbound(Conversation conversation, DateTimeOffset timestamp, bool countsAsUnread, bool opensWindow, bool reopens = true)
    {
        if (opensWindow && (conversation.LastInboundAt is null || timestamp > conversation.LastInboundAt))
        {
            conversation.LastInboundAt = timestamp;
        }

        if (conversation.LastMessageAt is null || timestamp > conversation.LastMessageAt)
        {
            conversation.LastMessageAt = timestamp;
        }

        if (countsAsUnread)
        {
            conversation.UnreadCount++;
        }

        if (reopens && conversation.Status == ConversationStatus.Resolved)
        {
            conversation.Status = ConversationStatus.Open;
        }

        conversation.UpdatedAt = clock.GetUtcNow();
    }

    /// <summary>
    /// On PostgreSQL, writes every tracked conversation changed by <see cref="RecordInbound"/> with one <c>UPDATE … FROM unnest(…)</c>
    /// instead of a statement each, and marks them saved. Safe to write whole values: the batch read them
    /// <c>FOR UPDATE</c>, so nobody changed them since. On SQLite it leaves them to <c>SaveChanges</c>.
    /// </summary>
    public static async Task WriteChangedAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        if (db.IsSqlite)
        {
            return;
        }

        string[] written = [nameof(Conversation.UnreadCount), nameof(Conversation.LastInboundAt), nameof(Conversation.LastMessageAt), nameof(Conversation.Status), nameof(Conversation.UpdatedAt)];
        var changed = db.DetectedEntries<Conversation>()
            .Where(e => e.State == EntityState.Modified && e.Properties.Where(p => p.IsModified).All(p => written.Contains(p.Metadata.Name)))
            .ToList();
        if (changed.Count == 0)
        {
            return;
        }

        var status = db.Model.FindEntityType(typeof(Conversation))!.FindProperty(nameof(Conversation.Status))!.GetTypeMapping().Converter!;
        var rows = changed.Select(e => e.Entity).ToList();
        var tenants = rows.Select(c => c.TenantId).ToArray();
        var ids = rows.Select(c => c.Id).ToArray();
        var unread = rows.Select(c => c.UnreadCount).ToArray();
        var lastInbound = rows.Select(c => c.LastInboundAt?.ToUniversalTime()).ToArray();
        var lastMessage = rows.Select(c => c.LastMessageAt?.ToUniversalTime()).ToArray();
        var statuses = rows.Select(c => (string)status.ConvertToProvider(c.Status)!).ToArray();
        var updated = rows.Select(c => c.UpdatedAt.ToUniversalTime()).ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE "Conversations" AS c
            SET "UnreadCount" = v.unread, "LastInboundAt" = v.last_inbound, "LastMessageAt" = v.last_message, "Status" = v.status, "UpdatedAt" = v.updated
            FROM unnest({tenants}, {ids}, {unread}, {lastInbound}, {lastMessage}, {statuses}, {updated})
                AS v(tenant_id, id, unread, last_inbound, last_message, status, updated)
            WHERE c."TenantId" = v.tenant_id AND c."Id" = v.id
            """,
            ct);
        foreach (var entry in changed)
        {
            entry.State = EntityState.Unchanged;
        }
    }
}

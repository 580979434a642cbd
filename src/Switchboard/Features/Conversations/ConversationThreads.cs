using Microsoft.Extensions.Options;

namespace Switchboard.Features.Conversations;

/// <summary>Finds the current conversation of a contact on a number, opening one when there is none.</summary>
internal sealed class ConversationThreads(IOptions<ConversationOptions> options, TimeProvider clock)
{
    /// <summary>
    /// The conversation a customer message at <paramref name="timestamp"/> (Meta's time) belongs to: the
    /// <paramref name="current"/> one, or a new one when there is none or it was resolved longer ago than
    /// the gap. A new one is not yet in the context: it is numbered and added when the batch's realtime
    /// events are flushed (<see cref="Common.Realtime.RealtimeLog.FlushAsync"/>).
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

    /// <summary>A customer message arrived (Meta's time): the window renews, unread grows, a resolved conversation reopens.</summary>
    public void RecordInbound(Conversation conversation, DateTimeOffset timestamp, bool countsAsUnread, bool opensWindow)
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

        if (conversation.Status == ConversationStatus.Resolved)
        {
            conversation.Status = ConversationStatus.Open;
        }

        conversation.UpdatedAt = clock.GetUtcNow();
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>Finds the current conversation of a contact on a number, opening one when there is none.</summary>
internal sealed class ConversationThreads(IOptions<ConversationOptions> options, TimeProvider clock)
{
    /// <summary>
    /// The conversation a customer message at <paramref name="timestamp"/> (Meta's time) belongs to: the
    /// current one, or a new one when there is none or the current one was resolved longer ago than the gap.
    /// </summary>
    public async Task<Conversation> CurrentOrNewAsync(SwitchboardDbContext db, Guid tenantId, Guid channelId, Guid contactId, DateTimeOffset timestamp, CancellationToken ct)
    {
        var current = await db.Conversations
            .Where(c => c.TenantId == tenantId && c.ChannelId == channelId && c.ContactId == contactId)
            .OrderByDescending(c => c.Sequence)
            .FirstOrDefaultAsync(ct);
        var startsNew = current is { Status: ConversationStatus.Resolved, LastMessageAt: { } last } && timestamp - last > options.Value.NewConversationAfter;
        if (current is not null && !startsNew)
        {
            return current;
        }

        var now = clock.GetUtcNow();
        var conversation = new Conversation
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ChannelId = channelId,
            ContactId = contactId,
            Sequence = (current?.Sequence ?? 0) + 1,
            Number = await NextNumberAsync(db, tenantId, ct),
            Status = ConversationStatus.Open,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Conversations.Add(conversation);
        return conversation;
    }

    /// <summary>The next per-tenant conversation number; the row lock serialises it within the transaction.</summary>
    private static async Task<long> NextNumberAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        await db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConversationCounter, t => t.ConversationCounter + 1), ct);
        return await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.ConversationCounter).SingleAsync(ct);
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

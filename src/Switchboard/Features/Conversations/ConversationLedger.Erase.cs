using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>What an erase removed, in counts only (the audit entry's detail).</summary>
internal sealed record ErasedCounts(int Conversations, int Messages, int Statuses, int Reactions);

/// <summary>
/// Deletions of conversation data (ADR 0019: the ledger stays the one writer; ADR 0026: the erase order).
/// Each runs in the caller's transaction and leaves the save and commit to it; the registered
/// <see cref="IContactEraseStep"/>s remove the other features' rows in the same unit of work.
/// </summary>
internal sealed partial class ConversationLedger
{
    /// <summary>
    /// Crypto-erases a contact: reads the identifiers the steps need, destroys the contact's key (so every
    /// value sealed with it, here and in backups, is gone), then purges its statuses, reactions, messages,
    /// conversations, realtime events, the other features' rows, and the contact row itself.
    /// </summary>
    public static async Task<(ErasedCounts Counts, ContactErasure Erasure)> EraseContactAsync(
        SwitchboardDbContext db, ContactDirectory directory, IEnumerable<IContactEraseStep> steps, Contact contact, CancellationToken ct)
    {
        var (tenantId, contactId) = (contact.TenantId, contact.Id);
        ContactProfile? profile = null;
        if (contact.DataKey is not null)
        {
            profile = await directory.ReadAsync(contact, ct);
        }

        var erasure = new ContactErasure(tenantId, contactId, profile?.WaId, profile?.UserId);
        directory.Erase(contact);
        await db.SaveChangesAsync(ct);

        var theirs = db.Set<Message>().Where(m => m.TenantId == tenantId && m.ContactId == contactId);
        var statuses = await db.StatusUpdates
            .Where(s => s.TenantId == tenantId && db.Set<Message>().Any(m => m.TenantId == tenantId && m.ContactId == contactId && m.ChannelId == s.ChannelId && m.Wamid == s.Wamid))
            .ExecuteDeleteAsync(ct);
        var reactions = await db.Reactions.Where(r => r.TenantId == tenantId && r.ContactId == contactId).ExecuteDeleteAsync(ct);
        foreach (var step in steps)
        {
            await step.EraseContactAsync(db, erasure, ct);
        }

        await db.RealtimeEvents
            .Where(e => e.TenantId == tenantId && db.Set<Conversation>().Any(c => c.TenantId == tenantId && c.ContactId == contactId && c.Id == e.ConversationId))
            .ExecuteDeleteAsync(ct);
        await db.QueuedRealtimeEvents
            .Where(e => e.TenantId == tenantId && db.Set<Conversation>().Any(c => c.TenantId == tenantId && c.ContactId == contactId && c.Id == e.ConversationId))
            .ExecuteDeleteAsync(ct);
        var messages = await theirs.ExecuteDeleteAsync(ct);
        var conversations = await db.Conversations.Where(c => c.TenantId == tenantId && c.ContactId == contactId).ExecuteDeleteAsync(ct);
        await db.Contacts.Where(c => c.TenantId == tenantId && c.Id == contactId).ExecuteDeleteAsync(ct);
        db.Entry(contact).State = EntityState.Detached;
        return (new ErasedCounts(conversations, messages, statuses, reactions), erasure);
    }

    /// <summary>Deletes one message for the tenant's records: its statuses, the reactions to it, its media and queued sends; the conversation stays.</summary>
    public static async Task<MessageErasure> DeleteMessageAsync(
        SwitchboardDbContext db, IEnumerable<IContactEraseStep> steps, Message message, DateTimeOffset now, CancellationToken ct)
    {
        var erasure = await DeleteMessagesAsync(db, steps, message.TenantId, db.Set<Message>().Where(m => m.TenantId == message.TenantId && m.Id == message.Id), ct);
        RealtimeLog.Append(db, message.TenantId, RealtimeEventTypes.ConversationChanged, message.ConversationId, message.Id, "message-deleted", now);
        await RealtimeLog.FlushAsync(db, ct);
        await db.SaveChangesAsync(ct);
        return erasure;
    }

    /// <summary>Deletes a conversation with all its messages; the contact and their other conversations stay.</summary>
    public static async Task<(int Messages, MessageErasure Erasure)> DeleteConversationAsync(
        SwitchboardDbContext db, IEnumerable<IContactEraseStep> steps, Conversation conversation, DateTimeOffset now, CancellationToken ct)
    {
        var (tenantId, conversationId) = (conversation.TenantId, conversation.Id);
        var erasure = await DeleteMessagesAsync(db, steps, tenantId, db.Set<Message>().Where(m => m.TenantId == tenantId && m.ConversationId == conversationId), ct);
        await db.RealtimeEvents.Where(e => e.TenantId == tenantId && e.ConversationId == conversationId).ExecuteDeleteAsync(ct);
        await db.QueuedRealtimeEvents.Where(e => e.TenantId == tenantId && e.ConversationId == conversationId).ExecuteDeleteAsync(ct);
        await db.Conversations.Where(c => c.TenantId == tenantId && c.Id == conversationId).ExecuteDeleteAsync(ct);
        db.Entry(conversation).State = EntityState.Detached;
        RealtimeLog.Append(db, tenantId, RealtimeEventTypes.ConversationChanged, conversationId, null, "deleted", now);
        await RealtimeLog.FlushAsync(db, ct);
        await db.SaveChangesAsync(ct);
        return (erasure.MessageIds.Count, erasure);
    }

    /// <summary>Deletes messages past their retention (ADR 0032) by the same path as one message; the caller saves and commits.</summary>
    public static async Task<MessageErasure> DeleteExpiredMessagesAsync(
        SwitchboardDbContext db, IEnumerable<IContactEraseStep> steps, Guid tenantId, IReadOnlyList<Guid> messageIds, CancellationToken ct)
    {
        var ids = messageIds.ToList();
        return await DeleteMessagesAsync(db, steps, tenantId, db.Set<Message>().Where(m => m.TenantId == tenantId && EF.Parameter(ids).Contains(m.Id)), ct);
    }

    private static async Task<MessageErasure> DeleteMessagesAsync(
        SwitchboardDbContext db, IEnumerable<IContactEraseStep> steps, Guid tenantId, IQueryable<Message> messages, CancellationToken ct)
    {
        var rows = await messages.AsNoTracking().Select(m => new { m.Id, m.ChannelId, m.Wamid, m.ContactId }).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var erasure = new MessageErasure(tenantId, ids);
        if (ids.Count == 0)
        {
            return erasure;
        }

        foreach (var step in steps)
        {
            await step.EraseMessagesAsync(db, erasure, ct);
        }

        foreach (var channel in rows.Where(r => r.Wamid is not null).GroupBy(r => r.ChannelId))
        {
            var wamids = channel.Select(r => r.Wamid!).ToList();
            await db.StatusUpdates.Where(s => s.TenantId == tenantId && s.ChannelId == channel.Key && EF.Parameter(wamids).Contains(s.Wamid)).ExecuteDeleteAsync(ct);
            await db.Reactions.Where(r => r.TenantId == tenantId && r.ChannelId == channel.Key && EF.Parameter(wamids).Contains(r.TargetWamid)).ExecuteDeleteAsync(ct);
        }

        await db.Reactions.Where(r => r.TenantId == tenantId && EF.Parameter(ids).Contains(r.MessageId)).ExecuteDeleteAsync(ct);
        await db.Messages.Where(m => m.TenantId == tenantId && EF.Parameter(ids).Contains(m.Id)).ExecuteDeleteAsync(ct);
        return erasure;
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Assistant;

/// <summary>An erased contact's summaries and sentiment go with their conversations; deleted messages take their scores and their conversations' summaries.</summary>
internal sealed class AssistantErase : IContactEraseStep
{
    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var (tenantId, contactId) = (erasure.TenantId, erasure.ContactId);
        var theirs = db.Conversations.Where(c => c.TenantId == tenantId && c.ContactId == contactId).Select(c => c.Id);
        await db.ConversationSummaries.Where(s => s.TenantId == tenantId && theirs.Contains(s.ConversationId)).ExecuteDeleteAsync(ct);
        await db.MessageSentiments.Where(s => s.TenantId == tenantId && theirs.Contains(s.ConversationId)).ExecuteDeleteAsync(ct);
        await db.ConversationSentiments.Where(s => s.TenantId == tenantId && theirs.Contains(s.ConversationId)).ExecuteDeleteAsync(ct);
    }

    public async Task EraseMessagesAsync(SwitchboardDbContext db, MessageErasure erasure, CancellationToken ct)
    {
        var (tenantId, ids) = (erasure.TenantId, erasure.MessageIds.ToList());
        var conversations = await db.Messages.Where(m => m.TenantId == tenantId && EF.Parameter(ids).Contains(m.Id)).Select(m => m.ConversationId).Distinct().ToListAsync(ct);
        await db.MessageSentiments.Where(s => s.TenantId == tenantId && EF.Parameter(ids).Contains(s.MessageId)).ExecuteDeleteAsync(ct);
        await db.ConversationSummaries.Where(s => s.TenantId == tenantId && EF.Parameter(conversations).Contains(s.ConversationId)).ExecuteDeleteAsync(ct);
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>What the conversation use cases share (GetConversation, SetConversationStatus, AssignConversation): the assign body and loading a conversation with its contact.</summary>
internal static class ConversationActions
{
    public sealed record AssignRequest(Guid? UserId);

    internal static async Task<(Conversation Conversation, Contact Contact)?> LoadAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        var row = await (
            from c in db.Conversations
            join k in db.Contacts on new { c.TenantId, Id = c.ContactId } equals new { k.TenantId, k.Id }
            where c.TenantId == tenantId && c.Id == conversationId
            select new { c, k }).FirstOrDefaultAsync(ct);
        return row is null ? null : (row.c, row.k);
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>An erased contact's or deleted message's queued and finished sends, and the idempotency keys that name those messages.</summary>
internal sealed class OutboxContactErase : IContactEraseStep
{
    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var (tenantId, contactId) = (erasure.TenantId, erasure.ContactId);
        await db.IdempotencyKeys
            .Where(k => k.TenantId == tenantId && db.Set<Message>().Any(m => m.TenantId == tenantId && m.ContactId == contactId && m.Id == k.MessageId))
            .ExecuteDeleteAsync(ct);
        await db.OutboxItems.Where(o => o.TenantId == tenantId && o.ContactId == contactId).ExecuteDeleteAsync(ct);
    }

    public async Task EraseMessagesAsync(SwitchboardDbContext db, MessageErasure erasure, CancellationToken ct)
    {
        var (tenantId, ids) = (erasure.TenantId, erasure.MessageIds.ToList());
        await db.IdempotencyKeys.Where(k => k.TenantId == tenantId && EF.Parameter(ids).Contains(k.MessageId)).ExecuteDeleteAsync(ct);
        await db.OutboxItems.Where(o => o.TenantId == tenantId && o.MessageId != null && EF.Parameter(ids).Contains(o.MessageId.Value)).ExecuteDeleteAsync(ct);
    }
}

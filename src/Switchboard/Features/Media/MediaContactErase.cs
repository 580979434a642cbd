using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>An erased contact's or deleted message's attachments: rows go in the erase's transaction, files once it commits.</summary>
internal sealed class MediaContactErase(BlobStore blobs) : IContactEraseStep
{
    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var (tenantId, contactId) = (erasure.TenantId, erasure.ContactId);
        var ids = await db.MediaObjects.Where(m => m.TenantId == tenantId && m.ContactId == contactId).Select(m => m.Id).ToListAsync(ct);
        await db.MediaObjects.Where(m => m.TenantId == tenantId && m.ContactId == contactId).ExecuteDeleteAsync(ct);
        await blobs.DeleteWithAsync(db, tenantId, ids, ct);
        erasure.AfterCommit.Add(() => blobs.DeleteAsync(tenantId, ids));
    }

    public async Task EraseMessagesAsync(SwitchboardDbContext db, MessageErasure erasure, CancellationToken ct)
    {
        var (tenantId, messageIds) = (erasure.TenantId, erasure.MessageIds.ToList());
        var ids = await db.MediaObjects.Where(m => m.TenantId == tenantId && EF.Parameter(messageIds).Contains(m.MessageId)).Select(m => m.Id).ToListAsync(ct);
        await db.MediaObjects.Where(m => m.TenantId == tenantId && EF.Parameter(messageIds).Contains(m.MessageId)).ExecuteDeleteAsync(ct);
        await blobs.DeleteWithAsync(db, tenantId, ids, ct);
        erasure.AfterCommit.Add(() => blobs.DeleteAsync(tenantId, ids));
    }
}

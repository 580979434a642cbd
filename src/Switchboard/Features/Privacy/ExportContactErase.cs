using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Exports that hold an erased contact (theirs, and every tenant-wide one) are deleted with them, files
/// included, so an erased customer is in no export; a deleted message's exports are left as they were made.
/// </summary>
internal sealed class ExportContactErase(BlobStore blobs) : IContactEraseStep
{
    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var (tenantId, contactId) = (erasure.TenantId, erasure.ContactId);
        var holding = db.Exports.Where(e => e.TenantId == tenantId && (e.ContactId == contactId || e.ContactId == null));
        var ids = await holding.Select(e => e.Id).ToListAsync(ct);
        await holding.ExecuteDeleteAsync(ct);
        erasure.AfterCommit.Add(() => blobs.DeleteAsync(tenantId, ids));
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>An erased contact's privacy flags go with them; data-rights requests naming them stay as evidence (ids only).</summary>
internal sealed class FlagsContactErase : IContactEraseStep
{
    public Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct) =>
        db.ContactPrivacy.Where(p => p.TenantId == erasure.TenantId && p.ContactId == erasure.ContactId).ExecuteDeleteAsync(ct);
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>A merged contact's queued replies and read receipts move to the survivor, re-sealed.</summary>
internal sealed class OutboxContactMerge : IContactMergeStep
{
    public async Task MoveAsync(SwitchboardDbContext db, ContactMerge merge, CancellationToken ct)
    {
        foreach (var item in await db.OutboxItems.Where(o => o.TenantId == merge.TenantId && o.ContactId == merge.From).ToListAsync(ct))
        {
            item.Request = merge.Reseal(item.SealContext(nameof(OutboxItem.Request)), item.Request);
            item.Upload = item.Upload is null ? null : merge.Reseal(item.SealContext(nameof(OutboxItem.Upload)), item.Upload);
            item.ContactId = merge.To;
        }
    }
}

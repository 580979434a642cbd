using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>A merged contact's media, including rows this batch has not written yet and their stored files, move to the survivor.</summary>
internal sealed class MediaContactMerge(BlobStore blobs) : IContactMergeStep
{
    public async Task MoveAsync(SwitchboardDbContext db, ContactMerge merge, CancellationToken ct)
    {
        var (tenantId, from, to) = (merge.TenantId, merge.From, merge.To);
        var media = await db.MediaObjects.Where(o => o.TenantId == tenantId && o.ContactId == from).ToListAsync(ct);
        foreach (var item in media.Union(db.MediaObjects.Local.Where(o => o.TenantId == tenantId && o.ContactId == from)).ToList())
        {
            if (item.State == MediaState.Stored && await blobs.ReadAsync(tenantId, item.Id, ct) is { } blob)
            {
                var context = FetchMedia.BlobContext(item);
                try
                {
                    await blobs.WriteAsync(tenantId, item.Id, Sealer.Seal(merge.NewKey, context, Sealer.Open(merge.OldKey, context, blob)), ct);
                }
                catch (CryptographicException)
                {
                    // Re-sealed already by an earlier try of this merge that did not commit.
                }
            }

            item.ContactId = to;
        }
    }
}

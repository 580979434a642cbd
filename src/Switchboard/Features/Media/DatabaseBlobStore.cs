using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// The <c>database</c> store: rows of <see cref="MediaBlob"/> that every node reads (ADR 0056). An erase deletes them in its
/// own transaction (<see cref="DeleteWithAsync"/>), so the later <see cref="DeleteAsync"/> finds nothing left.
/// </summary>
internal sealed class DatabaseBlobStore(IDbContextFactory<SwitchboardDbContext> dbFactory) : BlobStore
{
    public override async Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.MediaBlobs.FirstOrDefaultAsync(b => b.TenantId == tenantId && b.Id == id, ct);
        if (row is null)
        {
            db.MediaBlobs.Add(new MediaBlob { TenantId = tenantId, Id = id, Data = sealedBytes });
        }
        else
        {
            row.Data = sealedBytes;
        }

        await db.SaveChangesAsync(ct);
    }

    public override async Task<byte[]?> ReadAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.MediaBlobs.AsNoTracking().Where(b => b.TenantId == tenantId && b.Id == id).Select(b => b.Data).FirstOrDefaultAsync(ct);
    }

    public override async Task DeleteWithAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count > 0)
        {
            await db.MediaBlobs.Where(b => b.TenantId == tenantId && EF.Parameter(ids).Contains(b.Id)).ExecuteDeleteAsync(ct);
        }
    }

    public override async Task DeleteAsync(Guid tenantId, IReadOnlyCollection<Guid> ids)
    {
        if (ids.Count > 0)
        {
            var list = ids.ToList();
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.MediaBlobs.Where(b => b.TenantId == tenantId && EF.Parameter(list).Contains(b.Id)).ExecuteDeleteAsync();
        }
    }

    public override async Task DeleteTenantAsync(Guid tenantId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.MediaBlobs.Where(b => b.TenantId == tenantId).ExecuteDeleteAsync();
    }
}

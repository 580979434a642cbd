using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// Sealed files (media, exports), already sealed with their contact's or tenant's key, in the store that
/// <see cref="MediaOptions.Store"/> names (ADR 0056): <c>files</c> under the data directory (media/{tenant}/{id}; one node, or a folder
/// that every node mounts), or <c>database</c>, rows of <see cref="MediaBlob"/> that every node reads. File writes go to a temporary
/// file first, so a crash never leaves half a file behind; folders are created 0700 and files 0600 (<see cref="OwnerOnlyFiles"/>).
/// </summary>
internal sealed class BlobStore(IOptions<SwitchboardOptions> options, IOptions<MediaOptions> media, IDbContextFactory<SwitchboardDbContext> dbFactory)
{
    private string Root => RootOf(options.Value);

    private bool InDatabase => media.Value.StoreKind == MediaStoreKind.Database;

    /// <summary>The folder of every sealed file (media, exports) of the <c>files</c> store, which backups copy.</summary>
    public static string RootOf(SwitchboardOptions options) => Path.Combine(Path.GetFullPath(options.DataDirectory), "media");

    public async Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct)
    {
        if (InDatabase)
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
            return;
        }

        var path = PathOf(tenantId, id);
        OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        await using (var file = new FileStream(temporary, OwnerOnlyFiles.NewFile(FileOptions.Asynchronous)))
        {
            await file.WriteAsync(sealedBytes, ct);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public async Task<byte[]?> ReadAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        if (InDatabase)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await db.MediaBlobs.AsNoTracking().Where(b => b.TenantId == tenantId && b.Id == id).Select(b => b.Data).FirstOrDefaultAsync(ct);
        }

        var path = PathOf(tenantId, id);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    /// <summary>Where an attachment's file is sealed (with its contact's key), for features that open it (exports).</summary>
    public static SealContext ContextOf(MediaObject media) => FetchMedia.BlobContext(media);

    /// <summary>
    /// Removes these files inside the caller's unit of work, so that they go with the rows that name them (the database store);
    /// the files store removes them only once that commits (<see cref="Delete"/>).
    /// </summary>
    public async Task DeleteWithAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (InDatabase && ids.Count > 0)
        {
            await db.MediaBlobs.Where(b => b.TenantId == tenantId && EF.Parameter(ids).Contains(b.Id)).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>Removes one file (a no-op when it is not there).</summary>
    public void Delete(Guid tenantId, Guid id)
    {
        if (InDatabase)
        {
            using var db = dbFactory.CreateDbContext();
            db.MediaBlobs.Where(b => b.TenantId == tenantId && b.Id == id).ExecuteDelete();
            return;
        }

        File.Delete(PathOf(tenantId, id));
    }

    public void DeleteTenant(Guid tenantId)
    {
        if (InDatabase)
        {
            using var db = dbFactory.CreateDbContext();
            db.MediaBlobs.Where(b => b.TenantId == tenantId).ExecuteDelete();
            return;
        }

        var folder = Path.Combine(Root, tenantId.ToString("N"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string PathOf(Guid tenantId, Guid id) => Path.Combine(Root, tenantId.ToString("N"), id.ToString("N") + ".bin");
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// Sealed files (media, exports), already sealed with their contact's or tenant's key, in the store that
/// <see cref="MediaOptions.Store"/> names (ADR 0056, 0061): <see cref="FileBlobStore"/>, <see cref="DatabaseBlobStore"/>
/// or <see cref="S3BlobStore"/>. Removals follow the rows that name the files: inside the caller's unit of work where the
/// store is the database (<see cref="DeleteWithAsync"/>), once it commits everywhere else (<see cref="DeleteAsync"/>).
/// </summary>
internal abstract class BlobStore
{
    /// <summary>The folder of every sealed file (media, exports) of the <c>files</c> store, which backups copy.</summary>
    public static string RootOf(SwitchboardOptions options) => Path.Combine(Path.GetFullPath(options.DataDirectory), "media");

    /// <summary>Where an attachment's file is sealed (with its contact's key), for features that open it (exports).</summary>
    public static SealContext ContextOf(MediaObject media) => FetchMedia.BlobContext(media);

    public static BlobStore Create(IServiceProvider services) =>
        services.GetRequiredService<IOptions<MediaOptions>>().Value.StoreKind switch
        {
            MediaStoreKind.Database => new DatabaseBlobStore(services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>()),
            MediaStoreKind.S3 => new S3BlobStore(services.GetRequiredService<IOptions<MediaOptions>>().Value.S3),
            _ => new FileBlobStore(RootOf(services.GetRequiredService<IOptions<SwitchboardOptions>>().Value)),
        };

    /// <summary>Stores a file whole, replacing one of the same id; a reader never sees part of it.</summary>
    public abstract Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct);

    /// <summary>The sealed bytes, or null when there is no such file.</summary>
    public abstract Task<byte[]?> ReadAsync(Guid tenantId, Guid id, CancellationToken ct);

    /// <summary>Removes these files inside the caller's unit of work, so that they go with the rows that name them; only the database store can.</summary>
    public virtual Task DeleteWithAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<Guid> ids, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Removes these files (those not there are skipped). Called once the rows that named them are gone for good, so it
    /// takes no cancellation: a request that went away meanwhile still frees the space.
    /// </summary>
    public abstract Task DeleteAsync(Guid tenantId, IReadOnlyCollection<Guid> ids);

    /// <summary>Removes every file of an erased tenant; they are unreadable already (its keys are gone), this frees the space.</summary>
    public abstract Task DeleteTenantAsync(Guid tenantId);
}

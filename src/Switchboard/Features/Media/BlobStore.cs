using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// Sealed media files under the data directory (media/{tenant}/{id}). Several nodes need this folder on
/// shared storage. Writes go to a temporary file first, so a crash never leaves half a file behind.
/// Folders are created 0700 and files 0600 (<see cref="OwnerOnlyFiles"/>).
/// </summary>
internal sealed class BlobStore(IOptions<SwitchboardOptions> options)
{
    private string Root => RootOf(options.Value);

    /// <summary>The folder of every sealed file (media, exports), which backups copy.</summary>
    public static string RootOf(SwitchboardOptions options) => Path.Combine(Path.GetFullPath(options.DataDirectory), "media");

    public async Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct)
    {
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
        var path = PathOf(tenantId, id);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    /// <summary>Where an attachment's file is sealed (with its contact's key), for features that open it (exports).</summary>
    public static SealContext ContextOf(MediaObject media) => FetchMedia.BlobContext(media);

    /// <summary>Removes one file (a no-op when it is not there).</summary>
    public void Delete(Guid tenantId, Guid id) => File.Delete(PathOf(tenantId, id));

    public void DeleteTenant(Guid tenantId)
    {
        var folder = Path.Combine(Root, tenantId.ToString("N"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string PathOf(Guid tenantId, Guid id) => Path.Combine(Root, tenantId.ToString("N"), id.ToString("N") + ".bin");
}

using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// The <c>files</c> store: media/{tenant}/{id}.bin under the data directory (one node, or a folder that every node mounts).
/// Writes go to a temporary file first, so a crash never leaves half a file behind; folders are created 0700 and files 0600
/// (<see cref="OwnerOnlyFiles"/>).
/// </summary>
internal sealed class FileBlobStore(string root) : BlobStore
{
    public override async Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct)
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

    public override async Task<byte[]?> ReadAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        var path = PathOf(tenantId, id);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    public override Task DeleteAsync(Guid tenantId, IReadOnlyCollection<Guid> ids)
    {
        foreach (var id in ids)
        {
            File.Delete(PathOf(tenantId, id));
        }

        return Task.CompletedTask;
    }

    public override Task DeleteTenantAsync(Guid tenantId)
    {
        var folder = Path.Combine(root, tenantId.ToString("N"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    private string PathOf(Guid tenantId, Guid id) => Path.Combine(root, tenantId.ToString("N"), id.ToString("N") + ".bin");
}

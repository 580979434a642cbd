using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;

namespace Switchboard.Common.Persistence;

/// <summary>
/// While a node runs it holds a shared advisory lock on <c>switchboard.lock</c> in the data directory (shared by every
/// node), so that <c>restore</c>, which needs it exclusively, refuses to run under a live server (ADR 0038).
/// </summary>
internal sealed class ServerLock(IOptions<SwitchboardOptions> options) : IHostedService, IDisposable
{
    public const string FileName = "switchboard.lock";
    private FileStream? held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = PathOf(options.Value);
        OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        // Read access with sharing: .NET takes flock(LOCK_SH) on Unix, which other nodes share and LOCK_EX is refused.
        held = new FileStream(path, Options(FileAccess.Read, FileShare.ReadWrite));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }

    /// <summary>The lock when no server holds it; null while one runs.</summary>
    public static FileStream? TryTakeExclusive(SwitchboardOptions options)
    {
        var path = PathOf(options);
        OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, Options(FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static FileStreamOptions Options(FileAccess access, FileShare share)
    {
        var file = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = OwnerOnlyFiles.FileMode;
        }

        return file;
    }

    private static string PathOf(SwitchboardOptions options) => Path.Combine(Path.GetFullPath(options.DataDirectory), FileName);
}

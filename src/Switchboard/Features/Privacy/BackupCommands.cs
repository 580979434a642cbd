using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>
/// <c>switchboard backup --output PATH</c> and <c>switchboard restore --input PATH [--force]</c> (ADR 0038): a folder
/// with the database (pg_dump or SQLite's online backup), the sealed media files and a manifest of every file's
/// SHA-256. Neither the master key nor the deletion ledger goes in: the ledger outlives restores and re-applies
/// every erase the backup predates when the server next starts.
/// </summary>
public static class BackupCommands
{
    public const string Backup = "backup";
    public const string Restore = "restore";
    private const string ManifestFile = "manifest.json";
    private const string Format = "switchboard-backup/1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> BackUpAsync(IConfiguration configuration, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args is not ["--output", var folder])
        {
            await error.WriteLineAsync("usage: backup --output PATH (a new or empty folder)");
            return 2;
        }

        var (options, database) = Resolve(configuration);
        folder = Path.GetFullPath(folder);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            await error.WriteLineAsync($"backup: {folder} is not empty");
            return 1;
        }

        OwnerOnlyFiles.CreateDirectory(folder);
        await output.WriteLineAsync($"backup: copying the {options.Database.Provider.ToString().ToLowerInvariant()} database");
        await database.BackUpAsync(folder, output, CancellationToken.None);
        var media = CopyTree(BlobStore.RootOf(options), Path.Combine(folder, "media"), output);
        await output.WriteLineAsync($"backup: {media} media file(s) copied; hashing");

        var manifest = new BackupManifest(Format, options.Database.Provider.ToString().ToLowerInvariant(), DateTimeOffset.UtcNow, database.FileName,
            [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => Describe(folder, f))]);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        await output.WriteLineAsync($"backup: done, {manifest.Files.Count} file(s) in {folder}");
        return 0;
    }

    public static async Task<int> RestoreAsync(IConfiguration configuration, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var force = args.Contains("--force");
        var rest = args.Where(a => a != "--force").ToList();
        if (rest is not ["--input", var folder])
        {
            await error.WriteLineAsync("usage: restore --input PATH [--force] (the server is stopped)");
            return 2;
        }

        var (options, database) = Resolve(configuration);
        folder = Path.GetFullPath(folder);
        if (await ReadManifestAsync(folder, options, error) is not { } manifest)
        {
            return 1;
        }

        using var running = ServerLock.TryTakeExclusive(options);
        if (running is null)
        {
            await error.WriteLineAsync($"restore: a Switchboard server is running on {Path.GetFullPath(options.DataDirectory)}; stop every node first");
            return 1;
        }

        if (await database.OtherSessionsAsync(CancellationToken.None) is > 0 and var sessions && !force)
        {
            await error.WriteLineAsync($"restore: {sessions} other session(s) are connected to the database (a node still running?); stop them, or run again with --force");
            return 1;
        }

        await output.WriteLineAsync($"restore: restoring the database from the backup of {manifest.CreatedAt:O}");
        await database.RestoreAsync(folder, output, CancellationToken.None);
        var mediaRoot = BlobStore.RootOf(options);
        var aside = mediaRoot + ".before-restore";
        if (Directory.Exists(aside))
        {
            Directory.Delete(aside, recursive: true);
        }

        if (Directory.Exists(mediaRoot))
        {
            Directory.Move(mediaRoot, aside);
        }

        var media = CopyTree(Path.Combine(folder, "media"), mediaRoot, output);
        if (Directory.Exists(aside))
        {
            Directory.Delete(aside, recursive: true);
        }

        await output.WriteLineAsync($"restore: done ({media} media file(s)). At its next start the server re-applies every erase in the deletion ledger ({DeletionLedger.PathOf(options)}) that this backup predates, before it serves any request.");
        return 0;
    }

    private static (SwitchboardOptions Options, DatabaseBackup Database) Resolve(IConfiguration configuration)
    {
        var options = configuration.GetSection(SwitchboardOptions.Section).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
        var connectionString = PersistenceSetup.ResolveConnectionString(configuration, options);
        return (options, new DatabaseBackup(options.Database.Provider, connectionString, configuration["Switchboard:Backup:PostgresBinDirectory"]));
    }

    private static async Task<BackupManifest?> ReadManifestAsync(string folder, SwitchboardOptions options, TextWriter error)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"restore: {folder} holds no {ManifestFile}");
            return null;
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(path), Json);
        var provider = options.Database.Provider.ToString().ToLowerInvariant();
        if (manifest is null || manifest.Format != Format || manifest.Provider != provider)
        {
            await error.WriteLineAsync($"restore: the backup is not a {Format} backup of a {provider} database");
            return null;
        }

        var listed = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f != ManifestFile).ToHashSet(StringComparer.Ordinal);
        var changed = manifest.Files.Where(f => !present.Contains(f.Path) || Describe(folder, Path.Combine(folder, f.Path)) != f).Select(f => f.Path)
            .Concat(present.Where(p => !listed.Contains(p))).ToList();
        if (changed.Count > 0)
        {
            await error.WriteLineAsync($"restore: the backup was changed since it was made ({string.Join(", ", changed.Take(5))}); nothing restored");
            return null;
        }

        return manifest;
    }

    private static BackupFile Describe(string folder, string file)
    {
        using var stream = File.OpenRead(file);
        return new BackupFile(Path.GetRelativePath(folder, file).Replace('\\', '/'), stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static int CopyTree(string from, string to, TextWriter output)
    {
        if (!Directory.Exists(from))
        {
            return 0;
        }

        var count = 0;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            // Half-written files (a blob store write in progress) are left out; their rows are not committed yet.
            if (Path.GetFileName(file).Contains(".tmp-", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            if (++count % 1000 == 0)
            {
                output.WriteLine($"  {count} media file(s)…");
            }
        }

        return count;
    }

    private sealed record BackupManifest(string Format, string Provider, DateTimeOffset CreatedAt, string Database, IReadOnlyList<BackupFile> Files);

    private sealed record BackupFile(string Path, long Size, string Sha256);
}

namespace Switchboard.Common.Persistence;

/// <summary>
/// Files and folders Switchboard creates under its data directory (the SQLite database, media blobs,
/// generated keys) are readable by the service's own user only: 0700 folders, 0600 files, whatever the
/// process's umask. Existing ones are left as the operator set them.
/// </summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parents as 0700 (.NET gives missing parents the default mode).</summary>
    public static DirectoryInfo CreateDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows() || Directory.Exists(full))
        {
            return Directory.CreateDirectory(full);
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectory(parent);
        }

        return Directory.CreateDirectory(full, FolderMode);
    }

    /// <summary>Options for a new 0600 file (fails when it exists).</summary>
    public static FileStreamOptions NewFile(FileOptions options = FileOptions.None)
    {
        var file = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = options };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = FileMode;
        }

        return file;
    }

    /// <summary>
    /// Creates an empty SQLite database file as 0600 before SQLite does (an empty file is a valid empty
    /// database). SQLite gives its -wal, -shm and -journal files the database file's permissions.
    /// </summary>
    public static void CreateSqliteFile(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            using var file = new FileStream(path, NewFile());
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node or process created it first.
        }
    }
}

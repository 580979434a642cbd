namespace Switchboard.Common.Configuration;

/// <summary>
/// Finds a folder of the repository (an evaluation set) for an operator command. <c>dotnet run --project src/Switchboard</c>
/// runs in the project's folder (the web SDK's run directory), not where the operator typed it, so a relative path is
/// looked for in the current folder and then in each folder above it.
/// </summary>
internal static class RepositoryFolder
{
    public static string Resolve(string path, string? start = null)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return path;
    }
}

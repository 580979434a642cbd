using System.Text;

namespace Switchboard.Tests.Infrastructure;

/// <summary>The real webhook bodies in tests/fixtures/payloads (copied from Meta's docs and MIT-licensed SDK fixtures; see INDEX.md there).</summary>
public static class Payloads
{
    public const string Phone = "106540352242922";

    public static string Directory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                dir = dir.Parent;
            }

            var repo = dir ?? throw new InvalidOperationException("Cannot find the repository root (Switchboard.slnx).");
            return Path.Combine(repo.FullName, "tests", "fixtures", "payloads");
        }
    }

    public static IEnumerable<string> Files => System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileName).Order()!;

    public static string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    /// <summary>
    /// The file's bytes with every <c>phone_number_id</c> and WABA id replaced, so the payload routes to a
    /// channel the test created. The replacement is textual: the rest of the bytes stay as Meta sent them.
    /// </summary>
    public static byte[] ForChannel(string file, string phoneNumberId, string? wabaId = null)
    {
        var json = Read(file);
        json = System.Text.RegularExpressions.Regex.Replace(json, "\"phone_number_id\": \"[^\"]*\"", $"\"phone_number_id\": \"{phoneNumberId}\"");
        if (wabaId is not null)
        {
            json = System.Text.RegularExpressions.Regex.Replace(json, "(\"entry\": \\[\\s*\\{\\s*\"id\": )\"[^\"]*\"", $"$1\"{wabaId}\"");
        }

        return Encoding.UTF8.GetBytes(json);
    }
}

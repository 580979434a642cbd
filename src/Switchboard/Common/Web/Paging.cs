using System.Text;

namespace Switchboard.Common.Web;

internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Keyset paging: the cursor is the opaque encoding of the last key seen.</summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static int Limit(int? requested) => Math.Clamp(requested ?? DefaultLimit, 1, MaxLimit);

    public static Page<T> PageOf<T>(List<T> fetched, int limit, Func<T, Guid> key)
    {
        if (fetched.Count <= limit)
        {
            return new Page<T>(fetched, null);
        }

        fetched.RemoveAt(fetched.Count - 1);
        return new Page<T>(fetched, Encode(key(fetched[^1]).ToString()));
    }

    public static string Encode(string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var padded = cursor.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static Guid? DecodeGuid(string? cursor) => Guid.TryParse(Decode(cursor), out var id) ? id : null;
}

using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Common.Web;

/// <summary>
/// Describes an exception for a log line without its message: messages of database and parser errors
/// can carry values a customer sent. Type names and error codes are enough to diagnose.
/// </summary>
internal static class SafeError
{
    public static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add(e switch
            {
                PostgresException pg => $"{e.GetType().Name}[{pg.SqlState}]",
                SqliteException sqlite => $"{e.GetType().Name}[{sqlite.SqliteExtendedErrorCode}]",
                _ => e.GetType().Name,
            });
        }

        return string.Join(" <- ", parts);
    }
}

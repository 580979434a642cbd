using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Switchboard.Common.Persistence;

internal static class DbErrors
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>True when a save failed because a unique index or primary key already holds the value.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        _ => false,
    };

    /// <summary>
    /// True when the database could not be reached (a refused, broken or timed-out connection, a server shutting down,
    /// starting up or out of connections): the moment's fault, not the request's or the data's. Deadlocks, serialization
    /// failures and statement timeouts are not: they belong to what was being done.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                            or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException { InnerException: System.IO.IOException or System.Net.Sockets.SocketException or TimeoutException }:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }

        return false;
    }
}

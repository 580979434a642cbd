using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Switchboard.Common.Persistence;

/// <summary>
/// SQLite lets one writer in at a time. Without a busy timeout, Microsoft.Data.Sqlite retries a writer
/// that finds the database locked by sleeping 150 ms between attempts, so any two writers that meet
/// (the webhook inbox, the processor, the sender, an API call) stall each other in 150 ms steps. With
/// SQLite's own busy timeout the waiting writer gets in within a millisecond or so of the lock being free.
/// The bound stays the connection's default command timeout.
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        if (connection is not Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            return;
        }

        using var command = sqlite.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {Math.Max(1, sqlite.DefaultTimeout) * 1000};";
        command.ExecuteNonQuery();
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Bench;

/// <summary>
/// Read-only access to Switchboard's database with plain ADO.NET. Table and column names are quoted
/// PascalCase (<c>"Messages"."CreatedAt"</c>). On SQLite, Guids are upper-case TEXT and DateTimeOffsets are
/// INTEGER microseconds since the Unix epoch (UTC); on PostgreSQL they are <c>uuid</c> and <c>timestamptz</c>.
/// </summary>
internal sealed class BenchDatabase(DbProvider provider, string connectionString)
{
    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = provider == DbProvider.Sqlite
            // Read only: a wrong path fails here instead of creating an empty database that never fills.
            ? new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString())
            : new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command whose SQL refers to the tenant as <c>@tenant</c>.</summary>
    public DbCommand TenantCommand(DbConnection connection, string sql, Guid tenantId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "tenant";
        parameter.Value = provider == DbProvider.Sqlite ? tenantId.ToString("D").ToUpperInvariant() : tenantId;
        command.Parameters.Add(parameter);
        return command;
    }

    public Guid GetGuid(DbDataReader reader, int ordinal) =>
        provider == DbProvider.Sqlite ? Guid.Parse(reader.GetString(ordinal)) : reader.GetGuid(ordinal);

    public DateTimeOffset GetTimestamp(DbDataReader reader, int ordinal) =>
        provider == DbProvider.Sqlite
            ? DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(ordinal) * TimeSpan.TicksPerMicrosecond)
            : reader.GetFieldValue<DateTimeOffset>(ordinal);
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.LoadTest;

/// <summary>
/// Processing lag: from the moment a webhook was acknowledged to the moment its message row was stored
/// (Messages.CreatedAt, written by the server on this same machine's clock), read from the database.
/// </summary>
internal static class Lag
{
    public static async Task<(Percentiles Lag, int Missing)> MeasureAsync(Options options, Guid tenantId, IReadOnlyList<(string Wamid, DateTimeOffset AckedAt)> acked)
    {
        // Counting is cheap; the rows (with their CreatedAt) are read once, when everything is in, so the
        // measurement does not slow down the server it measures.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(300);
        long stored = 0;
        while (DateTime.UtcNow < deadline)
        {
            stored = Convert.ToInt64(await ScalarAsync(options, tenantId, "SELECT COUNT(*) FROM \"Messages\" WHERE \"TenantId\" = @tenant"), System.Globalization.CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"  [lag] {stored} messages stored, {acked.Count} acknowledged in the measured period");
            if (stored >= acked.Count)
            {
                break;
            }

            await Task.Delay(2000);
        }

        var createdAt = new Dictionary<string, DateTimeOffset>();
        await using (var connection = Connect(options))
        {
            await connection.OpenAsync();
            await using var command = Command(connection, options, tenantId, "SELECT \"Wamid\", \"CreatedAt\" FROM \"Messages\" WHERE \"TenantId\" = @tenant");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                createdAt[reader.GetString(0)] = options.DbProvider == "sqlite"
                    ? DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(1) * 10)
                    : reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        var lags = acked.Where(a => createdAt.ContainsKey(a.Wamid)).Select(a => Math.Max(0, (createdAt[a.Wamid] - a.AckedAt).TotalMilliseconds)).ToList();
        return (Percentiles.Of(lags), acked.Count - lags.Count);
    }

    private static async Task<object?> ScalarAsync(Options options, Guid tenantId, string sql)
    {
        await using var connection = Connect(options);
        await connection.OpenAsync();
        await using var command = Command(connection, options, tenantId, sql);
        return await command.ExecuteScalarAsync();
    }

    private static DbCommand Command(DbConnection connection, Options options, Guid tenantId, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "tenant";
        parameter.Value = options.DbProvider == "sqlite" ? tenantId.ToString().ToUpperInvariant() : tenantId;
        command.Parameters.Add(parameter);
        return command;
    }

    public static DbConnection Connect(Options options) => options.DbProvider == "sqlite"
        ? new SqliteConnection(options.Db)
        : new NpgsqlConnection(options.Db);
}

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
    /// <returns>The lag, how many never arrived, and the processing rate: messages stored per second between the first and the last acknowledged one.</returns>
    public static async Task<(Percentiles Lag, int Missing, double ProcessingRate)> MeasureAsync(Options options, Guid tenantId, IReadOnlyList<(string Wamid, DateTimeOffset AckedAt)> acked)
    {
        // Counting is cheap; the rows (with their CreatedAt) are read once, when everything is in, so the
        // measurement does not slow down the server it measures.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(300);
        long stored = 0;
        long previous = -1;
        while (DateTime.UtcNow < deadline)
        {
            stored = Convert.ToInt64(await ScalarAsync(options, tenantId, "SELECT COUNT(*) FROM \"Messages\" WHERE \"TenantId\" = @tenant"), System.Globalization.CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"  [lag] {stored} messages stored, {acked.Count} acknowledged in the measured period");
            // The tenant's count includes the warm-up's messages: wait until it has caught up and stopped growing.
            if (stored >= acked.Count && stored == previous)
            {
                break;
            }

            previous = stored;

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
        var storedAt = acked.Where(a => createdAt.ContainsKey(a.Wamid)).Select(a => createdAt[a.Wamid]).Order().ToList();
        var rate = storedAt.Count > 1 ? storedAt.Count / Math.Max(0.001, (storedAt[^1] - storedAt[0]).TotalSeconds) : 0;
        return (Percentiles.Of(lags), acked.Count - lags.Count, rate);
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

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
        var wanted = acked.ToDictionary(a => a.Wamid, a => a.AckedAt);
        var stored = new Dictionary<string, DateTimeOffset>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (stored.Count < wanted.Count && DateTime.UtcNow < deadline)
        {
            await using var connection = Connect(options);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"Wamid\", \"CreatedAt\" FROM \"Messages\" WHERE \"TenantId\" = @tenant";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "tenant";
            parameter.Value = options.DbProvider == "sqlite" ? tenantId.ToString().ToUpperInvariant() : tenantId;
            command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var createdAt = options.DbProvider == "sqlite"
                    ? DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(1) * 10)
                    : reader.GetFieldValue<DateTimeOffset>(1);
                stored[reader.GetString(0)] = createdAt;
            }

            Console.Error.WriteLine($"  [lag] {stored.Count(s => wanted.ContainsKey(s.Key))}/{wanted.Count} acknowledged messages stored");
            if (stored.Count(s => wanted.ContainsKey(s.Key)) < wanted.Count)
            {
                await Task.Delay(1000);
            }
            else
            {
                break;
            }
        }

        var lags = wanted.Where(w => stored.ContainsKey(w.Key)).Select(w => Math.Max(0, (stored[w.Key] - w.Value).TotalMilliseconds)).ToList();
        return (Percentiles.Of(lags), wanted.Count - lags.Count);
    }

    public static DbConnection Connect(Options options) => options.DbProvider == "sqlite"
        ? new SqliteConnection(options.Db)
        : new NpgsqlConnection(options.Db);
}

using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Bench;

/// <summary>Lag (ms) from a webhook's 200 to its message row, for the messages acknowledged in the measured period.</summary>
internal sealed record LagResult(int Acknowledged, int Missing, Percentiles LagMs, TimeSpan Timeout);

/// <summary>
/// Processing lag: from the moment the load generator got a webhook's 200 (its wall clock) to the moment
/// the background processor stored the message (<c>"Messages"."CreatedAt"</c>, written by the server's
/// wall clock — the same machine's). Both are wall-clock readings, so a lag of a millisecond or two below
/// zero is possible when processing starts before the 200 reaches the client.
/// </summary>
internal static class ProcessingLag
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private const string CountSql = """SELECT COUNT(*) FROM "Messages" WHERE "TenantId" = @tenant AND "Direction" = 'inbound'""";
    private const string RowsSql = """SELECT "Wamid", "CreatedAt" FROM "Messages" WHERE "TenantId" = @tenant AND "Direction" = 'inbound'""";

    public static async Task<LagResult> MeasureAsync(BenchDatabase db, Guid tenantId, LoadResult run, CancellationToken ct)
    {
        var acked = run.MeasuredAcks.ToDictionary(a => a.Wamid, a => a.AckedAt, StringComparer.Ordinal);
        Progress.Line($"Processing lag: waiting for {acked.Count:N0} acknowledged messages of the measured period ({run.AckedEventsInAll:N0} in all) to be stored (at most {Timeout.TotalSeconds:F0} s)");
        var clock = Stopwatch.StartNew();
        await using var connection = await db.OpenAsync(ct);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var stored = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var complete = false;
        for (var poll = 0; !complete && clock.Elapsed < Timeout; poll++)
        {
            // Counting is cheap and barely disturbs the server being measured; the rows are read when the
            // count says everything is there (and every 10 s in case it never quite is).
            await using var count = db.TenantCommand(connection, CountSql, tenantId);
            var rows = Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            Progress.Line($"  [lag] {clock.Elapsed.TotalSeconds,5:F1} s  {rows,9:N0} of {run.AckedEventsInAll:N0} acknowledged messages stored");
            if (rows >= run.AckedEventsInAll || poll % 10 == 9)
            {
                stored = await ReadStoredAsync(db, connection, tenantId, ct);
                complete = acked.Keys.All(stored.ContainsKey);
            }

            if (!complete)
            {
                await timer.WaitForNextTickAsync(ct);
            }
        }

        if (!complete)
        {
            stored = await ReadStoredAsync(db, connection, tenantId, ct);
        }

        var lags = acked.Where(a => stored.ContainsKey(a.Key)).Select(a => (stored[a.Key] - a.Value).TotalMilliseconds).ToList();
        return new LagResult(acked.Count, acked.Count - lags.Count, Percentiles.Of(lags), Timeout);
    }

    private static async Task<Dictionary<string, DateTimeOffset>> ReadStoredAsync(BenchDatabase db, System.Data.Common.DbConnection connection, Guid tenantId, CancellationToken ct)
    {
        var stored = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var command = db.TenantCommand(connection, RowsSql, tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stored[reader.GetString(0)] = db.GetTimestamp(reader, 1);
        }

        return stored;
    }
}

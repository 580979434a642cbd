using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Bench;

/// <summary>Replies of one number at one moment: accepted by Meta (they have a wamid), and ended without one (failed, or unknown).</summary>
internal sealed record ChannelProgress(int Accepted, int FailedOrUnknown);

internal sealed record SendSample(TimeSpan At, IReadOnlyDictionary<Guid, ChannelProgress> Channels)
{
    public int Accepted => Channels.Values.Sum(c => c.Accepted);

    public int FailedOrUnknown => Channels.Values.Sum(c => c.FailedOrUnknown);
}

/// <summary>One number's result: its replies, how many Meta accepted, and the rate between 10 % and 90 % of them.</summary>
internal sealed record NumberRate(ChannelInfo Channel, int Accepted, int FailedOrUnknown, double RatePerSecond, TimeSpan? DoneAfter);

/// <summary>
/// The database has no "accepted at" column, so the send rate is watched from outside: every 100 ms, how
/// many outbound replies of each number have a wamid (Meta accepted them) and how many ended without one
/// (<c>failed</c>, or <c>unknown</c> — which the sender never retries on its own).
/// </summary>
internal sealed class SendSampler : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private const string Sql = """
        SELECT "ChannelId",
               COUNT("Wamid"),
               SUM(CASE WHEN "Wamid" IS NULL AND "Status" IN ('failed', 'unknown') THEN 1 ELSE 0 END)
        FROM "Messages"
        WHERE "TenantId" = @tenant AND "Direction" = 'outbound'
        GROUP BY "ChannelId"
        """;

    private readonly BenchDatabase db;
    private readonly DbConnection connection;
    private readonly Guid tenantId;

    private SendSampler(BenchDatabase db, DbConnection connection, Guid tenantId)
    {
        this.db = db;
        this.connection = connection;
        this.tenantId = tenantId;
    }

    /// <summary>Opens the database and reads once, so that a wrong connection string fails before any reply is posted.</summary>
    public static async Task<SendSampler> OpenAsync(BenchDatabase db, Guid tenantId, CancellationToken ct)
    {
        var sampler = new SendSampler(db, await db.OpenAsync(ct), tenantId);
        await sampler.ReadAsync(ct);
        return sampler;
    }

    /// <summary>
    /// Samples until every queued reply has finished (accepted or ended without a wamid), or until
    /// <paramref name="timeout"/> after the last reply was queued. Prints progress once a second.
    /// </summary>
    public async Task<List<SendSample>> RecordAsync(Stopwatch clock, Func<int> queuedSoFar, Task<int> allQueued, TimeSpan timeout, CancellationToken ct)
    {
        var samples = new List<SendSample>();
        using var timer = new PeriodicTimer(Interval);
        TimeSpan? deadline = null;
        do
        {
            var at = clock.Elapsed;
            var sample = new SendSample(at, await ReadAsync(ct));
            samples.Add(sample);
            if (samples.Count % 10 == 0)
            {
                Progress.Line($"  [send] {at.TotalSeconds,5:F1} s  queued {queuedSoFar(),6:N0}  accepted {sample.Accepted,6:N0}  failed/unknown {sample.FailedOrUnknown,4:N0}");
            }

            if (allQueued.IsCompletedSuccessfully)
            {
                deadline ??= at + timeout;
                if (sample.Accepted + sample.FailedOrUnknown >= allQueued.Result || at >= deadline)
                {
                    break;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(ct));

        return samples;
    }

    /// <summary>The rate of one number between 10 % and 90 % of its accepted replies, interpolated between samples.</summary>
    public static NumberRate RateOf(ChannelInfo channel, IReadOnlyList<SendSample> samples)
    {
        var series = samples.Select(s => (Seconds: s.At.TotalSeconds, Count: s.Channels.GetValueOrDefault(channel.Id)?.Accepted ?? 0)).ToList();
        var last = samples[^1].Channels.GetValueOrDefault(channel.Id) ?? new ChannelProgress(0, 0);
        var rate = double.NaN;
        if (last.Accepted >= 2)
        {
            var span = TimeWhen(series, 0.9 * last.Accepted) - TimeWhen(series, 0.1 * last.Accepted);
            rate = span > 0 ? 0.8 * last.Accepted / span : double.NaN;
        }

        var total = last.Accepted + last.FailedOrUnknown;
        var done = samples.FirstOrDefault(s => s.Channels.GetValueOrDefault(channel.Id) is { } p && p.Accepted + p.FailedOrUnknown >= total && total > 0);
        return new NumberRate(channel, last.Accepted, last.FailedOrUnknown, rate, done?.At);
    }

    /// <summary>Final state of the tenant's replies: status → count, and error code → count of failed ones.</summary>
    public async Task<(Dictionary<string, int> Statuses, Dictionary<string, int> FailureCodes)> OutcomeAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT "Status", "ErrorCode", COUNT(*)
            FROM "Messages"
            WHERE "TenantId" = @tenant AND "Direction" = 'outbound'
            GROUP BY "Status", "ErrorCode"
            """;
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var command = db.TenantCommand(connection, sql, tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var status = reader.GetString(0);
            var count = Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture);
            statuses[status] = statuses.GetValueOrDefault(status) + count;
            if (status == "failed")
            {
                var code = reader.IsDBNull(1) ? "none" : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                failures[code] = failures.GetValueOrDefault(code) + count;
            }
        }

        return (statuses, failures);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    /// <summary>When the count first reached <paramref name="target"/>, interpolated linearly between the samples around it.</summary>
    private static double TimeWhen(List<(double Seconds, int Count)> series, double target)
    {
        var i = series.FindIndex(s => s.Count >= target);
        if (i <= 0)
        {
            return i == 0 ? series[0].Seconds : double.NaN;
        }

        var (t0, c0) = series[i - 1];
        var (t1, c1) = series[i];
        return t0 + ((target - c0) / (c1 - c0) * (t1 - t0));
    }

    private async Task<Dictionary<Guid, ChannelProgress>> ReadAsync(CancellationToken ct)
    {
        var channels = new Dictionary<Guid, ChannelProgress>();
        await using var command = db.TenantCommand(connection, Sql, tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            channels[db.GetGuid(reader, 0)] = new ChannelProgress(
                Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture));
        }

        return channels;
    }
}

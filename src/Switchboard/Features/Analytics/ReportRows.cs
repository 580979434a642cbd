using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>Hours <c>[From, To)</c> of a report, whole UTC hours.</summary>
internal readonly record struct ReportRange(DateTimeOffset From, DateTimeOffset To)
{
    public int Hours => (int)((To - From).Ticks / TimeSpan.TicksPerHour);
}

/// <summary>The group a report is about: the whole tenant (<see cref="ReportDimension.All"/>) or one channel, team, agent or label.</summary>
internal readonly record struct ReportGroup(string Dimension, Guid Id)
{
    public static readonly ReportGroup Tenant = new(ReportDimension.All, Guid.Empty);

    public bool IsTenant => Dimension == ReportDimension.All;
}

/// <summary>Summed counters of a report: per metric and bucket, and per hour when asked.</summary>
internal sealed record RollupRow(DateTimeOffset Hour, string Dimension, Guid DimensionId, string Metric, int Bucket, long Count, long Sum);

/// <summary>
/// Reads rollups (ADR 0030): the folded counters plus the deltas not folded yet, so a report is exact the
/// moment the event's transaction commits. One indexed range per table, never a scan of messages.
/// </summary>
internal static class ReportRows
{
    /// <summary>Counters of one group of one tenant, summed per (hour when <paramref name="byHour"/>, metric, bucket).</summary>
    public static async Task<List<RollupRow>> ReadAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, ReportRange range, bool byHour, CancellationToken ct)
    {
        var rollups = db.ReportRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.Hour, r.Metric, r.Bucket, r.Count, r.Sum });
        var deltas = db.ReportDeltas.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.Hour, r.Metric, r.Bucket, r.Count, r.Sum });
        var rows = new List<RollupRow>();
        foreach (var source in new[] { rollups, deltas })
        {
            if (byHour)
            {
                rows.AddRange((await source.GroupBy(r => new { r.Hour, r.Metric, r.Bucket })
                        .Select(g => new { g.Key.Hour, g.Key.Metric, g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) })
                        .ToListAsync(ct))
                    .Select(r => new RollupRow(r.Hour, group.Dimension, group.Id, r.Metric, r.Bucket, r.Count, r.Sum)));
            }
            else
            {
                rows.AddRange((await source.GroupBy(r => new { r.Metric, r.Bucket })
                        .Select(g => new { g.Key.Metric, g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) })
                        .ToListAsync(ct))
                    .Select(r => new RollupRow(range.From, group.Dimension, group.Id, r.Metric, r.Bucket, r.Count, r.Sum)));
            }
        }

        return rows;
    }

    /// <summary>The sum of a level metric's counts (+1 in, -1 out) of one group before <paramref name="before"/>: the level at that instant.</summary>
    public static async Task<long> LevelAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, string metric, DateTimeOffset? before, CancellationToken ct)
    {
        var rollups = db.ReportRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Metric == metric);
        var deltas = db.ReportDeltas.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Metric == metric);
        if (before is { } end)
        {
            rollups = rollups.Where(r => r.Hour < end);
            deltas = deltas.Where(r => r.Hour < end);
        }

        return await rollups.SumAsync(r => r.Count, ct) + await deltas.SumAsync(r => r.Count, ct);
    }

    /// <summary>
    /// Each agent's seconds online in <c>[From, min(To, now))</c>: the level before the range times the
    /// time until the first change, then each hour's changes (count and signed seconds left in the hour,
    /// less what falls after <paramref name="now"/>), and so on (ADR 0030).
    /// </summary>
    public static async Task<Dictionary<Guid, long>> OnlineSecondsAsync(SwitchboardDbContext db, Guid tenantId, ReportRange range, DateTimeOffset now, CancellationToken ct)
    {
        var end = range.To < now ? range.To : new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var rows = new List<(Guid Agent, DateTimeOffset Hour, long Count, long Sum)>();
        foreach (var source in new[]
        {
            db.ReportRollups.AsNoTracking().Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && r.Metric == ReportMetric.Online && r.Hour < range.To)
                .Select(r => new { r.DimensionId, r.Hour, r.Count, r.Sum }),
            db.ReportDeltas.AsNoTracking().Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && r.Metric == ReportMetric.Online && r.Hour < range.To)
                .Select(r => new { r.DimensionId, r.Hour, r.Count, r.Sum }),
        })
        {
            rows.AddRange((await source.ToListAsync(ct)).Select(r => (r.DimensionId, r.Hour, r.Count, r.Sum)));
        }

        var seconds = new Dictionary<Guid, long>();
        foreach (var agent in rows.GroupBy(r => r.Agent))
        {
            var level = agent.Where(r => r.Hour < range.From).Sum(r => r.Count);
            long total = 0;
            var at = range.From;
            foreach (var hour in agent.Where(r => r.Hour >= range.From).GroupBy(r => r.Hour).OrderBy(h => h.Key))
            {
                if (hour.Key >= end)
                {
                    break;
                }

                var length = (long)((end < hour.Key.AddHours(1) ? end : hour.Key.AddHours(1)) - hour.Key).TotalSeconds;
                var (count, sum) = (hour.Sum(r => r.Count), hour.Sum(r => r.Sum));
                total += (level * (long)(hour.Key - at).TotalSeconds) + (level * length) + sum - (count * (3600 - length));
                level += count;
                at = hour.Key.AddHours(1);
            }

            if (end > at)
            {
                total += level * (long)(end - at).TotalSeconds;
            }

            seconds[agent.Key] = Math.Max(0, total);
        }

        return seconds;
    }

    /// <summary>Counters of every agent of one tenant, summed per (agent, metric, bucket).</summary>
    public static async Task<List<RollupRow>> ReadAgentsAsync(SwitchboardDbContext db, Guid tenantId, ReportRange range, CancellationToken ct)
    {
        var rollups = db.ReportRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.DimensionId, r.Metric, r.Bucket, r.Count, r.Sum });
        var deltas = db.ReportDeltas.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.DimensionId, r.Metric, r.Bucket, r.Count, r.Sum });
        var rows = new List<RollupRow>();
        foreach (var source in new[] { rollups, deltas })
        {
            rows.AddRange((await source.GroupBy(r => new { r.DimensionId, r.Metric, r.Bucket })
                    .Select(g => new { g.Key.DimensionId, g.Key.Metric, g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) })
                    .ToListAsync(ct))
                .Select(r => new RollupRow(range.From, ReportDimension.Agent, r.DimensionId, r.Metric, r.Bucket, r.Count, r.Sum)));
        }

        return rows;
    }

    /// <summary>Every tenant's whole-tenant counters, summed per metric and bucket: the operator's platform totals.</summary>
    public static async Task<(List<RollupRow> Rows, int Tenants)> ReadPlatformAsync(SwitchboardDbContext db, ReportRange range, CancellationToken ct)
    {
        var rollups = db.ReportRollups.AsNoTracking().Where(r => r.Dimension == ReportDimension.All && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.TenantId, r.Metric, r.Bucket, r.Count, r.Sum });
        var deltas = db.ReportDeltas.AsNoTracking().Where(r => r.Dimension == ReportDimension.All && r.Hour >= range.From && r.Hour < range.To)
            .Select(r => new { r.TenantId, r.Metric, r.Bucket, r.Count, r.Sum });
        var rows = new List<RollupRow>();
        var tenants = new HashSet<Guid>();
        foreach (var source in new[] { rollups, deltas })
        {
            tenants.UnionWith(await source.Select(r => r.TenantId).Distinct().ToListAsync(ct));
            rows.AddRange((await source.GroupBy(r => new { r.Metric, r.Bucket })
                    .Select(g => new { g.Key.Metric, g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) })
                    .ToListAsync(ct))
                .Select(r => new RollupRow(range.From, ReportDimension.All, Guid.Empty, r.Metric, r.Bucket, r.Count, r.Sum)));
        }

        return (rows, tenants.Count);
    }
}

/// <summary>Counters and histograms of a set of rollup rows.</summary>
internal sealed class Tally(IEnumerable<RollupRow> rows)
{
    private readonly List<RollupRow> rows = [.. rows];

    public long Count(string metric) => rows.Where(r => r.Metric == metric).Sum(r => r.Count);

    public Dictionary<int, long> Histogram(string metric) => rows.Where(r => r.Metric == metric)
        .GroupBy(r => r.Bucket)
        .ToDictionary(g => g.Key, g => g.Sum(r => r.Count));

    public long? Percentile(string metric, double p) => DurationBuckets.Percentile(Histogram(metric), p);

    public Dictionary<string, long> ByBucket(string metric, Func<int, string> name) => Histogram(metric)
        .Where(h => h.Value != 0)
        .GroupBy(h => name(h.Key))
        .ToDictionary(g => g.Key, g => g.Sum(h => h.Value), StringComparer.Ordinal);
}

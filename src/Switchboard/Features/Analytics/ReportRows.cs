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

/// <summary>Which rollup rows a read takes: one tenant (or several, for the operator), one dimension, one or several groups of it, some metrics.</summary>
internal sealed record RollupFilter(IReadOnlyCollection<Guid> TenantIds, string Dimension, IReadOnlyCollection<Guid>? DimensionIds, IReadOnlyCollection<string> Metrics)
{
    /// <summary>
    /// Whether <see cref="DimensionIds"/> names every group of the dimension that has counters: then month and day rows of agents may be read
    /// without the list, through PostgreSQL's covering index of agent rows (ADR 0060).
    /// </summary>
    public bool EveryGroup { get; init; }

    public static RollupFilter Of(Guid tenantId, ReportGroup group, IReadOnlyCollection<string> metrics) => new([tenantId], group.Dimension, [group.Id], metrics);
}

/// <summary>A rollup row in a read, whatever its grain.</summary>
internal sealed class RollupCell
{
    public Guid TenantId { get; init; }

    public Guid DimensionId { get; init; }

    public DateTimeOffset At { get; init; }

    public string Metric { get; init; } = "";

    public int Bucket { get; init; }

    public long Count { get; init; }

    public long Sum { get; init; }
}

/// <summary>
/// Reads rollups (ADR 0030, 0049): the folded counters plus the deltas not folded yet, so a report is exact the
/// moment the event's transaction commits. Whole days come from day rows, the edges from hour rows; one
/// indexed range per table and metric, never a scan of messages.
/// </summary>
internal static class ReportRows
{
    /// <summary>Counters of one group of one tenant, summed per (hour when <paramref name="byHour"/>, metric, bucket).</summary>
    public static Task<List<RollupRow>> ReadAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, ReportRange range, bool byHour, CancellationToken ct) =>
        ReadAsync(db, tenantId, group, ReportMetric.All, range, byHour ? ReportGrain.Hour : ReportGrain.None, ct);

    /// <summary>
    /// Counters of one group of one tenant, summed per metric and bucket, and per row start when <paramref name="grain"/> asks:
    /// <see cref="ReportGrain.Hour"/> gives hour rows only, <see cref="ReportGrain.Day"/> day rows for whole days and hours at the edges.
    /// </summary>
    public static async Task<List<RollupRow>> ReadAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, IReadOnlyCollection<string> metrics, ReportRange range, ReportGrain grain, CancellationToken ct) =>
        [.. (await CellsAsync(db, RollupFilter.Of(tenantId, group, metrics), range, grain, byId: false, ct))
            .Select(r => new RollupRow(grain == ReportGrain.None ? range.From : r.At, group.Dimension, group.Id, r.Metric, r.Bucket, r.Count, r.Sum))];

    /// <summary>The sum of a level metric's counts (+1 in, -1 out) of one group before <paramref name="before"/>: the level at that instant.</summary>
    public static async Task<long> LevelAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, string metric, DateTimeOffset? before, CancellationToken ct)
    {
        var end = before ?? DateTimeOffset.MaxValue;
        var days = db.ReportDayRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Metric == metric && r.Day < ReportDays.DayOf(end));
        var hours = db.ReportRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Metric == metric && r.Hour >= ReportDays.DayOf(end) && r.Hour < end);
        var deltas = db.ReportDeltas.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == group.Dimension && r.DimensionId == group.Id && r.Metric == metric && r.Hour < end);
        return await days.SumAsync(r => r.Count, ct) + await hours.SumAsync(r => r.Count, ct) + await deltas.SumAsync(r => r.Count, ct);
    }

    /// <summary>
    /// Each agent's seconds online in <c>[From, min(To, now))</c>: the level before the range times the
    /// time until the first change, then each hour's changes (count and signed seconds left in the hour,
    /// less what falls after <paramref name="now"/>), and so on (ADR 0030). The level before the range's day comes from day rows.
    /// </summary>
    public static async Task<Dictionary<Guid, long>> OnlineSecondsAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<Guid> agents, ReportRange range, DateTimeOffset now, CancellationToken ct)
    {
        var end = range.To < now ? range.To : new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var day = ReportDays.DayOf(range.From);
        var rows = new List<(Guid Agent, DateTimeOffset Hour, long Count, long Sum)>();
        var before = db.ReportDayRollups.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && agents.Contains(r.DimensionId) && r.Metric == ReportMetric.Online && r.Day < day)
            .GroupBy(r => r.DimensionId)
            .Select(g => new { DimensionId = g.Key, Count = g.Sum(r => r.Count) });
        rows.AddRange((await before.ToListAsync(ct)).Select(r => (r.DimensionId, DateTimeOffset.MinValue, r.Count, 0L)));
        foreach (var source in new[]
        {
            db.ReportRollups.AsNoTracking().Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Agent && agents.Contains(r.DimensionId) && r.Metric == ReportMetric.Online
                    && r.Hour >= day && r.Hour < range.To)
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

    /// <summary>
    /// The agents with any counter of the tenant: one index probe per agent (the next agent id after the last one), since
    /// PostgreSQL 15 has no skip scan; the deltas not folded yet are few.
    /// </summary>
    public static async Task<List<Guid>> AgentsAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var agents = new List<Guid>();
        foreach (var table in new[] { ReportRollup.Table, ReportDelta.Table })
        {
            var sql = $"WITH RECURSIVE agents(id) AS (SELECT (SELECT \"DimensionId\" FROM \"{table}\" WHERE \"TenantId\" = {{0}} AND \"Dimension\" = 'agent' ORDER BY \"DimensionId\" LIMIT 1) "
                + $"UNION ALL SELECT (SELECT r.\"DimensionId\" FROM \"{table}\" r WHERE r.\"TenantId\" = {{0}} AND r.\"Dimension\" = 'agent' AND r.\"DimensionId\" > agents.id ORDER BY r.\"DimensionId\" LIMIT 1) "
                + "FROM agents WHERE agents.id IS NOT NULL) SELECT id AS \"Value\" FROM agents WHERE id IS NOT NULL";
            agents.AddRange(await db.Database.SqlQueryRaw<Guid>(sql, tenantId).ToListAsync(ct));
        }

        return [.. agents.Distinct()];
    }

    /// <summary>Every metric but queue waits, which the agents report does not show and which always come with an assignment (the same agents are listed).</summary>
    private static readonly string[] AgentMetrics = [.. ReportMetric.All.Where(m => m != ReportMetric.QueueWait)];

    /// <summary>
    /// The counters the agents report shows of every agent of one tenant (<paramref name="agents"/>: all of them, from <see cref="AgentsAsync"/>),
    /// summed per (agent, metric, bucket).
    /// </summary>
    public static async Task<List<RollupRow>> ReadAgentsAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<Guid> agents, ReportRange range, CancellationToken ct)
    {
        // Summing every agent's histograms needs more than the default working memory, or the sums spill to disk (ADR 0065), and runs
        // serially: a parallel plan's partial sums barely shrink the ~35,000 groups and its final step takes longer than the reads (ADR 0067).
        await using var transaction = db.IsSqlite || db.Database.CurrentTransaction is not null ? null : await db.Database.BeginTransactionAsync(ct);
        if (transaction is not null)
        {
            await db.Database.ExecuteSqlRawAsync(AgentsStatementSettings, ct);
        }

        List<RollupRow> rows = [.. (await CellsAsync(db, new RollupFilter([tenantId], ReportDimension.Agent, agents, AgentMetrics) { EveryGroup = true }, range, ReportGrain.None, byId: true, ct))
            .Select(r => new RollupRow(range.From, ReportDimension.Agent, r.DimensionId, r.Metric, r.Bucket, r.Count, r.Sum))];
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return rows;
    }

    /// <summary>The working memory and serial plan of the agents report's one summing statement, for its transaction only (ADR 0065, 0067).</summary>
    private const string AgentsStatementSettings = "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0";

    /// <summary>Every tenant's whole-tenant counters of <paramref name="metrics"/>, summed per metric and bucket, and how many tenants have any counter in the range: the operator's platform totals.</summary>
    public static async Task<(List<RollupRow> Rows, int Tenants)> ReadPlatformAsync(SwitchboardDbContext db, IReadOnlyCollection<string> metrics, ReportRange range, CancellationToken ct)
    {
        var tenantIds = await db.Tenants.AsNoTracking().Select(t => t.Id).ToListAsync(ct);
        var rows = (await CellsAsync(db, new RollupFilter(tenantIds, ReportDimension.All, [Guid.Empty], metrics), range, ReportGrain.None, byId: false, ct))
            .Select(r => new RollupRow(range.From, ReportDimension.All, Guid.Empty, r.Metric, r.Bucket, r.Count, r.Sum)).ToList();

        // A tenant counts when it has any whole-tenant counter in the range: one probe per tenant, table and metric, each stopping at its first row.
        var (days, hours) = ReportDays.Split(range);
        var all = ReportMetric.All;
        var active = new HashSet<Guid>();
        foreach (var tenant in tenantIds)
        {
            var found = days is { } d && await db.ReportDayRollups.AnyAsync(r => r.TenantId == tenant && r.Dimension == ReportDimension.All && r.DimensionId == Guid.Empty && all.Contains(r.Metric) && r.Day >= d.From && r.Day < d.To, ct);
            foreach (var h in hours)
            {
                found = found || await db.ReportRollups.AnyAsync(r => r.TenantId == tenant && r.Dimension == ReportDimension.All && r.DimensionId == Guid.Empty && all.Contains(r.Metric) && r.Hour >= h.From && r.Hour < h.To, ct);
            }

            found = found || await db.ReportDeltas.AnyAsync(r => r.TenantId == tenant && r.Dimension == ReportDimension.All && r.Hour >= range.From && r.Hour < range.To, ct);
            if (found)
            {
                active.Add(tenant);
            }
        }

        return (rows, active.Count);
    }

    /// <summary>
    /// The rows of <paramref name="filter"/> in <paramref name="range"/>, summed in the database per (group when <paramref name="byId"/>,
    /// start at <paramref name="grain"/>, metric, bucket) in one statement: every part of the range (<see cref="ReportDays.Spans"/>
    /// when no start is kept, else days and hours, or hours) and the deltas not folded yet, as one union.
    /// </summary>
    private static async Task<List<RollupCell>> CellsAsync(SwitchboardDbContext db, RollupFilter filter, ReportRange range, ReportGrain grain, bool byId, CancellationToken ct)
    {
        var spans = grain switch
        {
            ReportGrain.Hour => [new ReportSpan(RollupTable.Hours, range, 1)],
            ReportGrain.Day => ReportDays.Split(range) is var (days, hours) && days is { } d
                ? [new ReportSpan(RollupTable.Days, d, 1), .. hours.Select(h => new ReportSpan(RollupTable.Hours, h, 1))]
                : [new ReportSpan(RollupTable.Hours, range, 1)],
            ReportGrain.Week => ReportDays.WeekSpans(range),
            // Days from the day after tomorrow on hold no counters yet (a day's margin for clocks): only a guess at the cost.
            _ => ReportDays.Spans(range, ReportDays.DayOf(DateTimeOffset.UtcNow).AddDays(2)),
        };
        var (from, to) = (range.From, range.To);

        // Every agent's year, month, week and day rows: one index range per metric through the covering indexes of agent rows (ADR 0060, 0067), not one per agent and metric.
        var wide = filter.EveryGroup && filter.Dimension == ReportDimension.Agent && !db.IsSqlite ? filter with { DimensionIds = null } : filter;
        var union = Filter(db.ReportDeltas.AsNoTracking(), filter)
            .Where(r => r.Hour >= from && r.Hour < to)
            .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Hour, Metric = r.Metric, Bucket = r.Bucket, Count = r.Count, Sum = r.Sum });
        foreach (var span in spans)
        {
            var (start, end, sign) = (span.Range.From, span.Range.To, span.Sign);
            union = union.Concat(span.Table switch
            {
                RollupTable.Months => Filter(db.ReportMonthRollups.AsNoTracking(), wide).Where(r => r.Month >= start && r.Month < end)
                    .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Month, Metric = r.Metric, Bucket = r.Bucket, Count = sign * r.Count, Sum = sign * r.Sum }),
                RollupTable.Years => Filter(db.ReportYearRollups.AsNoTracking(), wide).Where(r => r.Year >= start && r.Year < end)
                    .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Year, Metric = r.Metric, Bucket = r.Bucket, Count = sign * r.Count, Sum = sign * r.Sum }),
                RollupTable.Weeks => Filter(db.ReportWeekRollups.AsNoTracking(), wide).Where(r => r.Week >= start && r.Week < end)
                    .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Week, Metric = r.Metric, Bucket = r.Bucket, Count = sign * r.Count, Sum = sign * r.Sum }),
                RollupTable.Days => Filter(db.ReportDayRollups.AsNoTracking(), wide).Where(r => r.Day >= start && r.Day < end)
                    .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Day, Metric = r.Metric, Bucket = r.Bucket, Count = sign * r.Count, Sum = sign * r.Sum }),
                _ => Filter(db.ReportRollups.AsNoTracking(), filter).Where(r => r.Hour >= start && r.Hour < end)
                    .Select(r => new RollupCell { DimensionId = r.DimensionId, At = r.Hour, Metric = r.Metric, Bucket = r.Bucket, Count = sign * r.Count, Sum = sign * r.Sum }),
            });
        }

        var grouped = (grain, byId) switch
        {
            (ReportGrain.None, false) => union.GroupBy(r => new { r.Metric, r.Bucket })
                .Select(g => new RollupCell { Metric = g.Key.Metric, Bucket = g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) }),
            (ReportGrain.None, true) => union.GroupBy(r => new { r.DimensionId, r.Metric, r.Bucket })
                .Select(g => new RollupCell { DimensionId = g.Key.DimensionId, Metric = g.Key.Metric, Bucket = g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) }),
            _ => union.GroupBy(r => new { r.At, r.Metric, r.Bucket })
                .Select(g => new RollupCell { At = g.Key.At, Metric = g.Key.Metric, Bucket = g.Key.Bucket, Count = g.Sum(r => r.Count), Sum = g.Sum(r => r.Sum) }),
        };
        return await grouped.ToListAsync(ct);
    }

    private static IQueryable<T> Filter<T>(IQueryable<T> rows, RollupFilter filter)
        where T : class, IRollupKey
    {
        // One value is compared with =, several with IN: the plan of the common one-tenant, one-group read stays an index range.
        var tenants = filter.TenantIds;
        if (tenants.Count == 1)
        {
            var tenant = tenants.First();
            rows = rows.Where(r => r.TenantId == tenant);
        }
        else
        {
            rows = rows.Where(r => tenants.Contains(r.TenantId));
        }

        // A constant: the planner matches the partial index of agent rows only against a literal (ADR 0060).
        var dimension = filter.Dimension;
        rows = rows.Where(r => r.Dimension == EF.Constant(dimension));
        if (filter.DimensionIds is { Count: 1 } one)
        {
            var id = one.First();
            rows = rows.Where(r => r.DimensionId == id);
        }
        else if (filter.DimensionIds is { } ids)
        {
            rows = rows.Where(r => ids.Contains(r.DimensionId));
        }

        var metrics = filter.Metrics;
        return rows.Where(r => metrics.Contains(r.Metric));
    }
}

/// <summary>
/// How finely a read keeps the rows' starts apart: not at all, per hour, per day for whole days and per hour at the edges, or per ISO
/// week for whole weeks, per day for the other whole days and per hour at the edges.
/// </summary>
internal enum ReportGrain
{
    None,
    Hour,
    Day,
    Week,
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>A median and 90th percentile in whole seconds (null: nothing measured).</summary>
internal sealed record Percentiles(long? Median, long? P90)
{
    public static Percentiles Of(Tally tally, string metric)
    {
        var found = DurationBuckets.Percentiles(tally.Histogram(metric), 0.5, 0.9);
        return new(found[0], found[1]);
    }
}

internal sealed record ReplyCounts(long Sent, long Delivered, long Read, long Failed);

internal sealed record SlaCounts(long FirstResponseMet, long FirstResponseMissed, long ResolutionMet, long ResolutionMissed);

/// <summary>The summary (CONTRACT: reports/summary). Figures are null when the group is suppressed.</summary>
internal sealed record ReportSummary(
    DateTimeOffset From,
    DateTimeOffset To,
    bool Suppressed,
    long? ConversationsOpened,
    long? ConversationsResolved,
    long? ConversationsReopened,
    long? MessagesIn,
    long? MessagesOut,
    Percentiles? FirstResponseSeconds,
    Percentiles? ResponseSeconds,
    Percentiles? ResolutionSeconds,
    Percentiles? QueueWaitSeconds,
    ReplyCounts? Replies,
    IReadOnlyDictionary<string, long>? FailuresByCode,
    IReadOnlyDictionary<string, long>? PricingCategories,
    SlaCounts? Sla,
    long? BotContained,
    Percentiles? FirstResponseBusinessSeconds,
    Percentiles? ResponseBusinessSeconds,
    Percentiles? ResolutionBusinessSeconds,
    long? QueueWaiting);

internal sealed record SeriesPoint(DateTimeOffset At, long? Value);

internal sealed record ReportSeriesResult(string Metric, string Interval, bool Suppressed, IReadOnlyList<SeriesPoint> Items);

internal sealed record AgentRow(
    Guid AgentId, bool Suppressed, long? Assigned, long? Handled, long? Replies, Percentiles? FirstResponseSeconds, Percentiles? ResponseSeconds, Percentiles? ResolutionSeconds,
    Percentiles? FirstResponseBusinessSeconds = null, Percentiles? ResponseBusinessSeconds = null, Percentiles? ResolutionBusinessSeconds = null, ReplyCounts? ReplyStates = null,
    long? OnlineSeconds = null);

internal sealed record PlatformTotals(DateTimeOffset From, DateTimeOffset To, int Tenants, long ConversationsOpened, long ConversationsResolved, long MessagesIn, long MessagesOut, ReplyCounts Replies);

/// <summary>Metric names of the time series, as in the summary.</summary>
internal static class ReportSeries
{
    /// <summary>API name → (rollup metric, whether it is a duration whose median each point shows).</summary>
    public static readonly IReadOnlyDictionary<string, (string Metric, bool Duration)> Metrics = new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["conversationsOpened"] = (ReportMetric.Opened, false),
        ["conversationsResolved"] = (ReportMetric.Resolved, false),
        ["conversationsReopened"] = (ReportMetric.Reopened, false),
        ["messagesIn"] = (ReportMetric.MessagesIn, false),
        ["messagesOut"] = (ReportMetric.MessagesOut, false),
        ["repliesSent"] = (ReportMetric.RepliesSent, false),
        ["repliesDelivered"] = (ReportMetric.RepliesDelivered, false),
        ["repliesRead"] = (ReportMetric.RepliesRead, false),
        ["repliesFailed"] = (ReportMetric.RepliesFailed, false),
        ["firstResponseSeconds"] = (ReportMetric.FirstResponse, true),
        ["responseSeconds"] = (ReportMetric.Response, true),
        ["resolutionSeconds"] = (ReportMetric.Resolution, true),
        ["queueWaitSeconds"] = (ReportMetric.QueueWait, true),
        ["firstResponseBusinessSeconds"] = (ReportMetric.FirstResponseBusiness, true),
        ["responseBusinessSeconds"] = (ReportMetric.ResponseBusiness, true),
        ["resolutionBusinessSeconds"] = (ReportMetric.ResolutionBusiness, true),

        // Conversations waiting in a queue at the end of each point (a level, not a count of events).
        ["queueWaiting"] = (ReportMetric.Queue, false),
    };
}

/// <summary>
/// The reports (ADR 0030), from rollups only. De-identified: a group narrower than the tenant (a channel,
/// team, agent or label) with fewer than <see cref="MinimumCustomers"/> distinct customers in the range is
/// suppressed; the tenant's own totals are not (they name nobody). Nothing here carries a customer's id,
/// number, name or text.
/// </summary>
internal static class Reports
{
    public const int MinimumCustomers = 5;

    /// <summary>Conversations read to prove a group's customers before counting them all.</summary>
    private const int Sample = 10 * MinimumCustomers;

    public static async Task<ReportSummary> SummaryAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var range = query.Range;
        if (await SuppressedAsync(db, tenantId, query.Group, range, ct))
        {
            return new ReportSummary(range.From, range.To, true, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        var t = new Tally(await ReportRows.ReadAsync(db, tenantId, query.Group, range, byHour: false, ct));

        // Delivery counts in the groups the reply was written in; pricing (the tenant's bill) per channel only.
        var pricing = query.Group.Dimension is ReportDimension.All or ReportDimension.Channel;
        return new ReportSummary(
            range.From,
            range.To,
            false,
            t.Count(ReportMetric.Opened),
            t.Count(ReportMetric.Resolved),
            t.Count(ReportMetric.Reopened),
            t.Count(ReportMetric.MessagesIn),
            t.Count(ReportMetric.MessagesOut),
            Percentiles.Of(t, ReportMetric.FirstResponse),
            Percentiles.Of(t, ReportMetric.Response),
            Percentiles.Of(t, ReportMetric.Resolution),
            Percentiles.Of(t, ReportMetric.QueueWait),
            new ReplyCounts(t.Count(ReportMetric.RepliesSent), t.Count(ReportMetric.RepliesDelivered), t.Count(ReportMetric.RepliesRead), t.Count(ReportMetric.RepliesFailed)),
            t.ByBucket(ReportMetric.RepliesFailed, b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            pricing ? t.ByBucket(ReportMetric.Pricing, PricingCategoriesName) : null,
            new SlaCounts(t.Count(ReportMetric.SlaFirstResponseMet), t.Count(ReportMetric.SlaFirstResponseMissed), t.Count(ReportMetric.SlaResolutionMet), t.Count(ReportMetric.SlaResolutionMissed)),
            t.Count(ReportMetric.BotContained),
            Percentiles.Of(t, ReportMetric.FirstResponseBusiness),
            Percentiles.Of(t, ReportMetric.ResponseBusiness),
            Percentiles.Of(t, ReportMetric.ResolutionBusiness),
            await ReportRows.LevelAsync(db, tenantId, query.Group, ReportMetric.Queue, range.To, ct));
    }

    public static async Task<ReportSeriesResult> SeriesAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var (metric, duration) = ReportSeries.Metrics[query.Metric!];
        var step = query.Interval switch { "hour" => TimeSpan.FromHours(1), "week" => TimeSpan.FromDays(7), _ => TimeSpan.FromDays(1) };

        // Hours and days step from the range's start; weeks are ISO weeks, so the first one may start before it.
        var origin = query.Interval == "week" ? IsoWeekStart(query.Range.From) : query.Range.From;
        var points = new List<DateTimeOffset>();
        for (var at = origin; at < query.Range.To; at += step)
        {
            points.Add(at);
        }

        if (await SuppressedAsync(db, tenantId, query.Group, query.Range, ct))
        {
            return new ReportSeriesResult(query.Metric!, query.Interval, true, [.. points.Select(p => new SeriesPoint(p, null))]);
        }

        // Whole ISO weeks serve weekly points (ADR 0058); whole UTC days serve daily points when they start at midnight; otherwise hours (ADR 0049).
        var grain = query.Interval == "week" ? ReportGrain.Week : query.Interval == "day" && ReportDays.IsMidnight(origin) ? ReportGrain.Day : ReportGrain.Hour;
        var rows = await ReportRows.ReadAsync(db, tenantId, query.Group, [metric], query.Range, grain, ct);
        var byPoint = rows.ToLookup(r => origin + (step * Math.Floor((r.Hour - origin) / step)));
        if (metric == ReportMetric.Queue)
        {
            var level = await ReportRows.LevelAsync(db, tenantId, query.Group, metric, query.Range.From, ct);
            return new ReportSeriesResult(query.Metric!, query.Interval, false, [.. points.Select(p =>
            {
                level += byPoint[p].Sum(r => r.Count);
                return new SeriesPoint(p, level);
            })]);
        }

        return new ReportSeriesResult(query.Metric!, query.Interval, false, [.. points.Select(p =>
        {
            var tally = new Tally(byPoint[p]);
            return new SeriesPoint(p, duration ? tally.Percentile(metric, 0.5) : tally.Count(metric));
        })]);
    }

    /// <summary>Monday 00:00 UTC of the ISO week holding <paramref name="at"/>.</summary>
    public static DateTimeOffset IsoWeekStart(DateTimeOffset at) => ReportDays.WeekOf(at);

    /// <summary>Customer messages by UTC weekday (0 = Sunday) and hour: the heat map's cells.</summary>
    public static async Task<long[,]> HeatMapAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var cells = new long[7, 24];
        // Hours of the day are only in hour rows: the heat map reads them, one metric's rows only.
        foreach (var row in await ReportRows.ReadAsync(db, tenantId, query.Group, [ReportMetric.MessagesIn], query.Range, ReportGrain.Hour, ct))
        {
            cells[(int)row.Hour.DayOfWeek, row.Hour.Hour] += row.Count;
        }

        return cells;
    }

    public static async Task<IReadOnlyList<AgentRow>> AgentsAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, DateTimeOffset now, CancellationToken ct)
    {
        var range = query.Range;
        var ids = await ReportRows.AgentsAsync(db, tenantId, ct);
        var rows = await ReportRows.ReadAgentsAsync(db, tenantId, ids, range, ct);
        var online = await ReportRows.OnlineSecondsAsync(db, tenantId, ids, range, now, ct);

        // An agent online through the whole range has no rows in it, and is listed too.
        var byAgent = rows.ToLookup(r => r.DimensionId);
        var agents = byAgent.Select(g => g.Key).Union(online.Where(o => o.Value > 0).Select(o => o.Key)).Order().ToList();
        var shown = await AgentsShownAsync(db, tenantId, agents, range, ct);

        return [.. agents.Select(id => (Key: id, Rows: byAgent[id])).Select(g =>
        {
            if (!shown.Contains(g.Key))
            {
                return new AgentRow(g.Key, true, null, null, null, null, null, null);
            }

            var t = new Tally(g.Rows);
            return new AgentRow(g.Key, false, t.Count(ReportMetric.Assigned), t.Count(ReportMetric.Handled), t.Count(ReportMetric.MessagesOut),
                Percentiles.Of(t, ReportMetric.FirstResponse), Percentiles.Of(t, ReportMetric.Response), Percentiles.Of(t, ReportMetric.Resolution),
                Percentiles.Of(t, ReportMetric.FirstResponseBusiness), Percentiles.Of(t, ReportMetric.ResponseBusiness), Percentiles.Of(t, ReportMetric.ResolutionBusiness),
                new ReplyCounts(t.Count(ReportMetric.RepliesSent), t.Count(ReportMetric.RepliesDelivered), t.Count(ReportMetric.RepliesRead), t.Count(ReportMetric.RepliesFailed)),
                online.GetValueOrDefault(g.Key));
        })];
    }

    public static async Task<PlatformTotals> PlatformAsync(SwitchboardDbContext db, ReportRange range, CancellationToken ct)
    {
        var (rows, tenants) = await ReportRows.ReadPlatformAsync(db, PlatformMetrics, range, ct);
        var t = new Tally(rows);
        return new PlatformTotals(range.From, range.To, tenants, t.Count(ReportMetric.Opened), t.Count(ReportMetric.Resolved), t.Count(ReportMetric.MessagesIn), t.Count(ReportMetric.MessagesOut),
            new ReplyCounts(t.Count(ReportMetric.RepliesSent), t.Count(ReportMetric.RepliesDelivered), t.Count(ReportMetric.RepliesRead), t.Count(ReportMetric.RepliesFailed)));
    }

    private static readonly string[] PlatformMetrics =
    [
        ReportMetric.Opened, ReportMetric.Resolved, ReportMetric.MessagesIn, ReportMetric.MessagesOut,
        ReportMetric.RepliesSent, ReportMetric.RepliesDelivered, ReportMetric.RepliesRead, ReportMetric.RepliesFailed,
    ];

    /// <summary>Whether a group narrower than the tenant had fewer than <see cref="MinimumCustomers"/> customers in the range.</summary>
    public static async Task<bool> SuppressedAsync(SwitchboardDbContext db, Guid tenantId, ReportGroup group, ReportRange range, CancellationToken ct)
    {
        if (group.IsTenant)
        {
            return false;
        }

        var conversations = ActiveConversations(db, tenantId, range);
        conversations = group.Dimension switch
        {
            ReportDimension.Channel => conversations.Where(c => c.ChannelId == group.Id),
            ReportDimension.Team => conversations.Where(c => c.TeamId == group.Id),
            ReportDimension.Agent => conversations.Where(c => c.AssignedUserId == group.Id),
            _ => conversations.Where(c => db.Set<ConversationLabel>().Any(l => l.TenantId == tenantId && l.ConversationId == c.Id && l.LabelId == group.Id)),
        };
        return !await EnoughCustomersAsync(conversations, ct);
    }

    /// <summary>
    /// The agents with at least <see cref="MinimumCustomers"/> customers in the range, each proved from a sample of their conversations
    /// through <c>(TenantId, AssignedUserId, LastMessageAt)</c> (ADR 0054): on PostgreSQL every agent's sample in one statement (ADR 0058),
    /// on SQLite one query per agent; only an agent whose full sample names too few customers is counted in full.
    /// </summary>
    private static async Task<HashSet<Guid>> AgentsShownAsync(SwitchboardDbContext db, Guid tenantId, List<Guid> agents, ReportRange range, CancellationToken ct)
    {
        var shown = new HashSet<Guid>();
        if (db.IsSqlite)
        {
            foreach (var agent in agents)
            {
                if (await EnoughCustomersAsync(ActiveConversations(db, tenantId, range).Where(c => c.AssignedUserId == agent), ct))
                {
                    shown.Add(agent);
                }
            }

            return shown;
        }

        var (ids, from, to) = (agents.ToArray(), range.From, range.To);
        var samples = await db.Database.SqlQuery<AgentSample>($"""
            SELECT a.id AS "AgentId", s.sampled AS "Sampled", s.customers AS "Customers"
            FROM unnest({ids}) AS a(id)
            CROSS JOIN LATERAL (
                SELECT count(*)::int AS sampled, count(DISTINCT x."ContactId")::int AS customers
                FROM (SELECT c."ContactId" FROM "Conversations" c
                      WHERE c."TenantId" = {tenantId} AND c."AssignedUserId" = a.id AND c."LastMessageAt" >= {from} AND c."CreatedAt" < {to}
                      LIMIT {Sample}) x) s
            """).ToListAsync(ct);
        foreach (var sample in samples)
        {
            if (sample.Customers >= MinimumCustomers
                || (sample.Sampled == Sample && await EnoughCustomersAsync(ActiveConversations(db, tenantId, range).Where(c => c.AssignedUserId == sample.AgentId), ct)))
            {
                shown.Add(sample.AgentId);
            }
        }

        return shown;
    }

    /// <summary>
    /// Whether the conversations name at least <see cref="MinimumCustomers"/> distinct customers: the first few rows the
    /// index gives usually do (then nothing more is read); otherwise all are counted.
    /// </summary>
    private static async Task<bool> EnoughCustomersAsync(IQueryable<Conversation> conversations, CancellationToken ct)
    {
        // Ordered by the tenant (one value): a stable query shape, and no sort in the plan.
        var sample = await conversations.OrderBy(c => c.TenantId).Select(c => c.ContactId).Take(Sample).ToListAsync(ct);
        if (sample.Distinct().Count() >= MinimumCustomers)
        {
            return true;
        }

        return sample.Count == Sample && await conversations.Select(c => c.ContactId).Distinct().CountAsync(ct) >= MinimumCustomers;
    }

    /// <summary>The tenant's conversations with a message in the range (their first message may be older).</summary>
    private static IQueryable<Conversation> ActiveConversations(SwitchboardDbContext db, Guid tenantId, ReportRange range) =>
        db.Set<Conversation>().AsNoTracking().Where(c => c.TenantId == tenantId && c.LastMessageAt >= range.From && c.CreatedAt < range.To);

    private static string PricingCategoriesName(int bucket) => PricingCategories.Name(bucket);

    private sealed record AgentSample(Guid AgentId, int Sampled, int Customers);
}

/// <summary>What the dashboard's charts draw.</summary>
internal static class ReportCharts
{
    /// <summary>The histogram of a duration metric: (bucket lower bound in seconds, count), ascending.</summary>
    public static async Task<IReadOnlyList<(long Seconds, long Count)>> DistributionAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, string metric, CancellationToken ct)
    {
        var tally = new Tally(await ReportRows.ReadAsync(db, tenantId, query.Group, [metric], query.Range, ReportGrain.None, ct));
        return [.. tally.Histogram(metric).Where(h => h.Value > 0).OrderBy(h => h.Key).Select(h => (DurationBuckets.LowerBound(h.Key), h.Value))];
    }
}

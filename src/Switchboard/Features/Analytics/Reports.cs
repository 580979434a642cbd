using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>A median and 90th percentile in whole seconds (null: nothing measured).</summary>
internal sealed record Percentiles(long? Median, long? P90)
{
    public static Percentiles Of(Tally tally, string metric) => new(tally.Percentile(metric, 0.5), tally.Percentile(metric, 0.9));
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
    long? BotContained);

internal sealed record SeriesPoint(DateTimeOffset At, long? Value);

internal sealed record ReportSeriesResult(string Metric, string Interval, bool Suppressed, IReadOnlyList<SeriesPoint> Items);

internal sealed record AgentRow(Guid AgentId, bool Suppressed, long? Assigned, long? Handled, long? Replies, Percentiles? FirstResponseSeconds, Percentiles? ResponseSeconds, Percentiles? ResolutionSeconds);

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

    public static async Task<ReportSummary> SummaryAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var range = query.Range;
        if (await SuppressedAsync(db, tenantId, query.Group, range, ct))
        {
            return new ReportSummary(range.From, range.To, true, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        var t = new Tally(await ReportRows.ReadAsync(db, tenantId, query.Group, range, byHour: false, ct));

        // Delivery is counted per channel and for the tenant (a reply's state outlives its conversation's team and labels).
        var delivery = query.Group.Dimension is ReportDimension.All or ReportDimension.Channel;
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
            delivery ? new ReplyCounts(t.Count(ReportMetric.RepliesSent), t.Count(ReportMetric.RepliesDelivered), t.Count(ReportMetric.RepliesRead), t.Count(ReportMetric.RepliesFailed)) : null,
            delivery ? t.ByBucket(ReportMetric.RepliesFailed, b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null,
            delivery ? t.ByBucket(ReportMetric.Pricing, PricingCategoriesName) : null,
            new SlaCounts(t.Count(ReportMetric.SlaFirstResponseMet), t.Count(ReportMetric.SlaFirstResponseMissed), t.Count(ReportMetric.SlaResolutionMet), t.Count(ReportMetric.SlaResolutionMissed)),
            t.Count(ReportMetric.BotContained));
    }

    public static async Task<ReportSeriesResult> SeriesAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var (metric, duration) = ReportSeries.Metrics[query.Metric!];
        var step = query.Interval == "hour" ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var points = new List<DateTimeOffset>();
        for (var at = query.Range.From; at < query.Range.To; at += step)
        {
            points.Add(at);
        }

        if (await SuppressedAsync(db, tenantId, query.Group, query.Range, ct))
        {
            return new ReportSeriesResult(query.Metric!, query.Interval, true, [.. points.Select(p => new SeriesPoint(p, null))]);
        }

        var rows = (await ReportRows.ReadAsync(db, tenantId, query.Group, query.Range, byHour: true, ct)).Where(r => r.Metric == metric).ToList();
        var byPoint = rows.ToLookup(r => query.Range.From + (step * Math.Floor((r.Hour - query.Range.From) / step)));
        return new ReportSeriesResult(query.Metric!, query.Interval, false, [.. points.Select(p =>
        {
            var tally = new Tally(byPoint[p]);
            return new SeriesPoint(p, duration ? tally.Percentile(metric, 0.5) : tally.Count(metric));
        })]);
    }

    /// <summary>Customer messages by UTC weekday (0 = Sunday) and hour: the heat map's cells.</summary>
    public static async Task<long[,]> HeatMapAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var cells = new long[7, 24];
        foreach (var row in (await ReportRows.ReadAsync(db, tenantId, query.Group, query.Range, byHour: true, ct)).Where(r => r.Metric == ReportMetric.MessagesIn))
        {
            cells[(int)row.Hour.DayOfWeek, row.Hour.Hour] += row.Count;
        }

        return cells;
    }

    public static async Task<IReadOnlyList<AgentRow>> AgentsAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, CancellationToken ct)
    {
        var range = query.Range;
        var rows = await ReportRows.ReadAgentsAsync(db, tenantId, range, ct);
        var customers = await ActiveConversations(db, tenantId, range)
            .Where(c => c.AssignedUserId != null)
            .GroupBy(c => c.AssignedUserId!.Value)
            .Select(g => new { Agent = g.Key, Customers = g.Select(c => c.ContactId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Agent, x => x.Customers, ct);
        return [.. rows.GroupBy(r => r.DimensionId).OrderBy(g => g.Key).Select(g =>
        {
            if (customers.GetValueOrDefault(g.Key) < MinimumCustomers)
            {
                return new AgentRow(g.Key, true, null, null, null, null, null, null);
            }

            var t = new Tally(g);
            return new AgentRow(g.Key, false, t.Count(ReportMetric.Assigned), t.Count(ReportMetric.Handled), t.Count(ReportMetric.MessagesOut),
                Percentiles.Of(t, ReportMetric.FirstResponse), Percentiles.Of(t, ReportMetric.Response), Percentiles.Of(t, ReportMetric.Resolution));
        })];
    }

    public static async Task<PlatformTotals> PlatformAsync(SwitchboardDbContext db, ReportRange range, CancellationToken ct)
    {
        var (rows, tenants) = await ReportRows.ReadPlatformAsync(db, range, ct);
        var t = new Tally(rows);
        return new PlatformTotals(range.From, range.To, tenants, t.Count(ReportMetric.Opened), t.Count(ReportMetric.Resolved), t.Count(ReportMetric.MessagesIn), t.Count(ReportMetric.MessagesOut),
            new ReplyCounts(t.Count(ReportMetric.RepliesSent), t.Count(ReportMetric.RepliesDelivered), t.Count(ReportMetric.RepliesRead), t.Count(ReportMetric.RepliesFailed)));
    }

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
        return await conversations.Select(c => c.ContactId).Distinct().CountAsync(ct) < MinimumCustomers;
    }

    /// <summary>The tenant's conversations with a message in the range (their first message may be older).</summary>
    private static IQueryable<Conversation> ActiveConversations(SwitchboardDbContext db, Guid tenantId, ReportRange range) =>
        db.Set<Conversation>().AsNoTracking().Where(c => c.TenantId == tenantId && c.LastMessageAt >= range.From && c.CreatedAt < range.To);

    private static string PricingCategoriesName(int bucket) => PricingCategories.Name(bucket);
}

/// <summary>What the dashboard's charts draw.</summary>
internal static class ReportCharts
{
    /// <summary>The histogram of a duration metric: (bucket lower bound in seconds, count), ascending.</summary>
    public static async Task<IReadOnlyList<(long Seconds, long Count)>> DistributionAsync(SwitchboardDbContext db, Guid tenantId, ReportQuery query, string metric, CancellationToken ct)
    {
        var tally = new Tally(await ReportRows.ReadAsync(db, tenantId, query.Group, query.Range, byHour: false, ct));
        return [.. tally.Histogram(metric).Where(h => h.Value > 0).OrderBy(h => h.Key).Select(h => (DurationBuckets.LowerBound(h.Key), h.Value))];
    }
}

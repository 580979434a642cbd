namespace Switchboard.Features.Analytics;

/// <summary>Rollup counters gathered in memory, one per group, hour, metric and bucket, then written as hour and day rows (<c>rebuild-reports</c>, ADR 0049).</summary>
internal sealed class ReportCounters(Guid tenantId)
{
    private readonly Dictionary<(string, Guid, DateTimeOffset, string, int), (long Count, long Sum)> counts = [];

    public void Add(ReportGroups groups, DateTimeOffset at, string metric, int bucket = 0, long sum = 0)
    {
        var hour = DurationBuckets.HourOf(at);
        foreach (var (dimension, id) in groups.All())
        {
            var key = (dimension, id, hour, metric, bucket);
            var (count, total) = counts.GetValueOrDefault(key);
            counts[key] = (count + 1, total + sum);
        }
    }

    public List<ReportRollup> Rows() => [.. counts.Select(c => new ReportRollup
    {
        TenantId = tenantId,
        Dimension = c.Key.Item1,
        DimensionId = c.Key.Item2,
        Hour = c.Key.Item3,
        Metric = c.Key.Item4,
        Bucket = c.Key.Item5,
        Count = c.Value.Count,
        Sum = c.Value.Sum,
    })];

    /// <summary>The same counters summed per UTC day.</summary>
    public List<ReportDayRollup> DayRows() => [.. counts
        .GroupBy(c => (c.Key.Item1, c.Key.Item2, ReportDays.DayOf(c.Key.Item3), c.Key.Item4, c.Key.Item5))
        .Select(g => new ReportDayRollup
        {
            TenantId = tenantId,
            Dimension = g.Key.Item1,
            DimensionId = g.Key.Item2,
            Day = g.Key.Item3,
            Metric = g.Key.Item4,
            Bucket = g.Key.Item5,
            Count = g.Sum(c => c.Value.Count),
            Sum = g.Sum(c => c.Value.Sum),
        })];
}

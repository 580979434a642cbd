namespace Switchboard.Features.Analytics;

/// <summary>Counters and histograms of a set of rollup rows.</summary>
internal sealed class Tally
{
    private static readonly Dictionary<int, long> None = [];

    // One pass over the rows: the agents report asks each agent's tally for seven counts and twelve percentiles.
    private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<int, long>> histograms = new(StringComparer.Ordinal);

    public Tally(IEnumerable<RollupRow> rows)
    {
        foreach (var row in rows)
        {
            counts[row.Metric] = counts.GetValueOrDefault(row.Metric) + row.Count;
            if (!histograms.TryGetValue(row.Metric, out var histogram))
            {
                histograms[row.Metric] = histogram = [];
            }

            histogram[row.Bucket] = histogram.GetValueOrDefault(row.Bucket) + row.Count;
        }
    }

    public long Count(string metric) => counts.GetValueOrDefault(metric);

    public IReadOnlyDictionary<int, long> Histogram(string metric) => histograms.GetValueOrDefault(metric) ?? None;

    public long? Percentile(string metric, double p) => DurationBuckets.Percentile(Histogram(metric), p);

    public Dictionary<string, long> ByBucket(string metric, Func<int, string> name) => Histogram(metric)
        .Where(h => h.Value != 0)
        .GroupBy(h => name(h.Key))
        .ToDictionary(g => g.Key, g => g.Sum(h => h.Value), StringComparer.Ordinal);
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Rollup counters gathered in memory, one per group, hour, metric and bucket (<c>rebuild-reports</c>), then added to the
/// hour, day and month rows in the caller's transaction and forgotten, so a rebuild holds one chunk's counters at a time (ADR 0054).
/// </summary>
internal sealed class ReportCounters(Guid tenantId)
{
    private const int CopyBatch = 50_000;

    private readonly Dictionary<(string, Guid, DateTimeOffset, string, int), (long Count, long Sum)> counts = [];

    /// <summary>How many counters are gathered and not written yet.</summary>
    public int Count => counts.Count;

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

    /// <summary>
    /// Adds the gathered counters to the tenant's hour, day and month rows — written to <see cref="ReportRebuildCount"/> (COPY on
    /// PostgreSQL), added with the compactor's upserts, then deleted there — and empties this set. Returns how many counters it wrote.
    /// </summary>
    public async Task<int> FlushAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        var written = counts.Count;
        foreach (var chunk in counts.Chunk(CopyBatch))
        {
            await BulkInsert.InsertAsync(db, [.. chunk.Select(c => new ReportRebuildCount
            {
                TenantId = tenantId,
                Dimension = c.Key.Item1,
                DimensionId = c.Key.Item2,
                Hour = c.Key.Item3,
                Metric = c.Key.Item4,
                Bucket = c.Key.Item5,
                Count = c.Value.Count,
                Sum = c.Value.Sum,
            })], ct);
        }

        counts.Clear();
        if (written == 0)
        {
            return 0;
        }

        var source = $"\"{ReportRebuildCount.Table}\"";
        if (db.IsSqlite)
        {
            foreach (var add in RollupCompactor.AddAll(sqlite: true, source))
            {
                await db.Database.ExecuteSqlRawAsync(add, ct);
            }
        }
        else
        {
            var addAll = "WITH " + RollupCompactor.PostgresAddAll(source);
            await db.Database.ExecuteSqlRawAsync(addAll, ct);
        }

        await db.Set<ReportRebuildCount>().IgnoreQueryFilters().Where(r => r.TenantId == tenantId).ExecuteDeleteAsync(ct);
        return written;
    }
}

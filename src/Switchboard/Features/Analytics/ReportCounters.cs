using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
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
    /// Adds the gathered counters to the tenant's hour, day and month rows with the compactor's upserts and empties this set; returns how
    /// many counters it wrote. PostgreSQL: binary COPY into a temporary table of the transaction, emptied with TRUNCATE after each flush
    /// (ADR 0058); SQLite: <see cref="ReportRebuildCount"/>, deleted after each flush (ADR 0054).
    /// </summary>
    public async Task<int> FlushAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        var written = counts.Count;
        if (written == 0)
        {
            return 0;
        }

        if (db.IsSqlite)
        {
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
            foreach (var add in RollupCompactor.AddAll(sqlite: true, $"\"{ReportRebuildCount.Table}\""))
            {
                await db.Database.ExecuteSqlRawAsync(add, ct);
            }

            await db.Set<ReportRebuildCount>().Where(r => r.TenantId == tenantId).ExecuteDeleteAsync(ct);
            return written;
        }

        // A table of this transaction only: no index, no WAL, nothing another rebuild waits for; TRUNCATE gives its space back at once,
        // where deleted rows of a shared table stay until the rebuild commits and every later chunk would read past them.
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE TEMPORARY TABLE IF NOT EXISTS {PostgresChunk} (\"TenantId\" uuid NOT NULL, \"Dimension\" varchar(8) NOT NULL, \"DimensionId\" uuid NOT NULL, "
            + "\"Hour\" timestamptz NOT NULL, \"Metric\" varchar(32) NOT NULL, \"Bucket\" integer NOT NULL, \"Count\" bigint NOT NULL, \"Sum\" bigint NOT NULL) ON COMMIT DROP", ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var importer = await connection.BeginBinaryImportAsync(
            $"COPY {PostgresChunk} (\"TenantId\", \"Dimension\", \"DimensionId\", \"Hour\", \"Metric\", \"Bucket\", \"Count\", \"Sum\") FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var ((dimension, id, hour, metric, bucket), (count, sum)) in counts)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(tenantId, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(dimension, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(hour.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                await importer.WriteAsync(metric, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(bucket, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(count, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(sum, NpgsqlDbType.Bigint, ct);
            }

            await importer.CompleteAsync(ct);
        }

        counts.Clear();
        var addAll = "WITH " + RollupCompactor.PostgresAddAll(PostgresChunk);
        await db.Database.ExecuteSqlRawAsync(addAll, ct);
        await db.Database.ExecuteSqlRawAsync($"TRUNCATE {PostgresChunk}", ct);
        return written;
    }

    /// <summary>PostgreSQL: the temporary table one flush's counters go through.</summary>
    private const string PostgresChunk = "report_rebuild_chunk";
}

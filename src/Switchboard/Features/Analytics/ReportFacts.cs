using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>The groups one event counts in: the tenant, and its channel, team, agent and labels where it has them.</summary>
internal readonly record struct ReportGroups(Guid TenantId, Guid? ChannelId, Guid? TeamId, Guid? AgentId, IReadOnlyCollection<Guid> LabelIds)
{
    public IEnumerable<(string Dimension, Guid Id)> All()
    {
        yield return (ReportDimension.All, Guid.Empty);
        if (ChannelId is { } channel)
        {
            yield return (ReportDimension.Channel, channel);
        }

        if (TeamId is { } team)
        {
            yield return (ReportDimension.Team, team);
        }

        if (AgentId is { } agent)
        {
            yield return (ReportDimension.Agent, agent);
        }

        foreach (var label in LabelIds)
        {
            yield return (ReportDimension.Label, label);
        }
    }
}

/// <summary>Turns events into <see cref="ReportDelta"/> rows of the writer's unit of work (ADR 0030).</summary>
internal static class ReportFacts
{
    public static void Count(SwitchboardDbContext db, ReportGroups groups, DateTimeOffset at, string metric, long count = 1, int bucket = 0, List<ReportDelta>? added = null)
    {
        var hour = DurationBuckets.HourOf(at);
        foreach (var (dimension, id) in groups.All())
        {
            Add(db, new ReportDelta
            {
                TenantId = groups.TenantId,
                Id = Guid.CreateVersion7(),
                Dimension = dimension,
                DimensionId = id,
                Hour = hour,
                Metric = metric,
                Bucket = bucket,
                Count = count,
            }, added);
        }
    }

    /// <summary>A duration in the histogram of <paramref name="metric"/>, at the hour it ended.</summary>
    public static void Duration(SwitchboardDbContext db, ReportGroups groups, DateTimeOffset at, string metric, long seconds, List<ReportDelta>? added = null)
    {
        var hour = DurationBuckets.HourOf(at);
        foreach (var (dimension, id) in groups.All())
        {
            Add(db, new ReportDelta
            {
                TenantId = groups.TenantId,
                Id = Guid.CreateVersion7(),
                Dimension = dimension,
                DimensionId = id,
                Hour = hour,
                Metric = metric,
                Bucket = DurationBuckets.Of(seconds),
                Count = 1,
                Sum = seconds,
            }, added);
        }
    }

    /// <summary>
    /// Adds the delta to the unit of work. One planned with a conversation's changes (no <paramref name="added"/>) is added to an
    /// earlier one of the same key that is still to be inserted, so that a batch of messages inserts a row per hour, metric, group
    /// and bucket rather than one per message (ADR 0069). A counter's own deltas (<paramref name="added"/>) stay apart: it drops
    /// them when a save is tried again.
    /// </summary>
    private static void Add(SwitchboardDbContext db, ReportDelta delta, List<ReportDelta>? added)
    {
        if (added is not null)
        {
            db.ReportDeltas.Add(delta);
            added.Add(delta);
            return;
        }

        var planned = db.UnitOfWork<PlannedDeltas>().ByKey;
        var key = (delta.TenantId, delta.Dimension, delta.DimensionId, delta.Hour, delta.Metric, delta.Bucket);
        if (planned.TryGetValue(key, out var earlier) && db.Entry(earlier).State == EntityState.Added)
        {
            earlier.Count += delta.Count;
            earlier.Sum += delta.Sum;
            return;
        }

        planned[key] = delta;
        db.ReportDeltas.Add(delta);
    }

    /// <summary>Microseconds at most: what both databases store, so a recount from the rows gives the same seconds.</summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
}

/// <summary>The deltas planned in the current unit of work, by key (see <c>ReportFacts.Add</c>).</summary>
internal sealed class PlannedDeltas
{
    public Dictionary<(Guid TenantId, string Dimension, Guid DimensionId, DateTimeOffset Hour, string Metric, int Bucket), ReportDelta> ByKey { get; } = [];
}

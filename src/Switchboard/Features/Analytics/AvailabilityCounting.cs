using Switchboard.Common.Persistence;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Agents' online time as a level (ADR 0030): +1 when an agent becomes online, -1 when they leave it, each
/// with the seconds left in its hour as <c>Sum</c> (signed), in the save of the availability change. The
/// online seconds of any range follow from the level before it and the hours' counts and sums
/// (<see cref="ReportRows.OnlineSecondsAsync"/>). Times are whole seconds.
/// </summary>
internal sealed class AvailabilityCounting : ReportCounting<AvailabilityCounting>
{
    protected override void Saved(SwitchboardDbContext db) => db.UnitOfWork<AgentStatusChanges>().Items.Clear();

    protected override async Task CountAsync(SwitchboardDbContext db, List<ReportDelta> added, CancellationToken ct)
    {
        var changes = db.UnitOfWork<AgentStatusChanges>().Items;
        var levels = new Dictionary<(Guid, Guid), long>();
        foreach (var (tenantId, userId, status, changedAt) in changes)
        {
            if (!levels.TryGetValue((tenantId, userId), out var level))
            {
                level = await ReportRows.LevelAsync(db, tenantId, new ReportGroup(ReportDimension.Agent, userId), ReportMetric.Online, null, ct);
            }

            var online = status == AgentState.Online;
            var step = online && level <= 0 ? 1 : !online && level > 0 ? -1 : 0;
            levels[(tenantId, userId)] = level + step;
            if (step == 0)
            {
                continue;
            }

            var at = new DateTimeOffset(changedAt.UtcTicks - (changedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var hour = DurationBuckets.HourOf(at);
            var left = 3600 - (long)(at - hour).TotalSeconds;
            foreach (var (dimension, id) in new[] { (ReportDimension.All, Guid.Empty), (ReportDimension.Agent, userId) })
            {
                var delta = new ReportDelta
                {
                    TenantId = tenantId,
                    Id = Guid.CreateVersion7(),
                    Dimension = dimension,
                    DimensionId = id,
                    Hour = hour,
                    Metric = ReportMetric.Online,
                    Count = step,
                    Sum = step * left,
                };
                db.ReportDeltas.Add(delta);
                added.Add(delta);
            }
        }
    }
}

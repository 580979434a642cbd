using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Routing;

/// <summary>Runs <see cref="AgentPresenceTracker.SweepAsync"/> every 30 s on every node (ADR 0021, 0022); its updates are conditional, so nodes never conflict.</summary>
internal sealed class PresenceSweeper(AgentPresenceTracker tracker, MigrationState migrations, TimeProvider clock, ILogger<PresenceSweeper> logger)
    : JobLoop(new JobSchedule("Presence sweeper", TimeSpan.FromSeconds(30)), new WorkSignal(), migrations, clock, logger)
{
    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        await tracker.SweepAsync(ct);
        return 0;
    }
}

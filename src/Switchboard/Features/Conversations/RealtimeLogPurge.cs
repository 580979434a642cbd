using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>The realtime log only matters for a while: a client that was away longer reloads instead of resuming.</summary>
internal sealed class RealtimeLogPurge : IBookkeepingPurge
{
    public async Task<int> PurgeAsync(SwitchboardDbContext db, DateTimeOffset before, CancellationToken ct) =>
        await db.RealtimeEvents.IgnoreQueryFilters().Where(e => e.CreatedAt < before).ExecuteDeleteAsync(ct)
        + await db.QueuedRealtimeEvents.IgnoreQueryFilters().Where(e => e.CreatedAt < before).ExecuteDeleteAsync(ct);
}

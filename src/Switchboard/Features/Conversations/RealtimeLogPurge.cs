using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>The realtime log only matters for a while: a client that was away longer reloads instead of resuming.</summary>
internal sealed class RealtimeLogPurge : IBookkeepingPurge
{
    public Task<int> PurgeAsync(SwitchboardDbContext db, DateTimeOffset before, CancellationToken ct) =>
        db.RealtimeEvents.IgnoreQueryFilters().Where(e => e.CreatedAt < before).ExecuteDeleteAsync(ct);
}

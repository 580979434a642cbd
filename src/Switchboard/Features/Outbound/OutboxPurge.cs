using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Finished outbox rows (the message keeps its outcome) and idempotency keys (clients retry within
/// minutes, not weeks) go once the replay window has passed.
/// </summary>
internal sealed class OutboxPurge : IBookkeepingPurge
{
    public async Task<int> PurgeAsync(SwitchboardDbContext db, DateTimeOffset before, CancellationToken ct) =>
        await db.OutboxItems.IgnoreQueryFilters()
            .Where(o => (o.State == OutboxState.Done || o.State == OutboxState.Failed || o.State == OutboxState.Unknown) && o.CompletedAt < before)
            .ExecuteDeleteAsync(ct)
        + await db.IdempotencyKeys.IgnoreQueryFilters().Where(k => k.CreatedAt < before).ExecuteDeleteAsync(ct);
}

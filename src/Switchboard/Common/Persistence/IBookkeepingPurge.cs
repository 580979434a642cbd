namespace Switchboard.Common.Persistence;

/// <summary>
/// A feature's short-lived bookkeeping (rows that matter only for a while, not customer data) purged by
/// age. Features register theirs as services; the webhook janitor runs them all on its schedule.
/// </summary>
internal interface IBookkeepingPurge
{
    /// <summary>Deletes this feature's bookkeeping older than <paramref name="before"/>; returns the rows deleted.</summary>
    Task<int> PurgeAsync(SwitchboardDbContext db, DateTimeOffset before, CancellationToken ct);
}

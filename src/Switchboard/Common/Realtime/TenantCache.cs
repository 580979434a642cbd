using System.Collections.Concurrent;

namespace Switchboard.Common.Realtime;

/// <summary>
/// A value per tenant kept on this node for a lifetime, dropped on every node when its <see cref="CacheInvalidation"/>
/// topic is published for the tenant (ADR 0056); the lifetime is the backstop. A read that raced a drop is returned
/// but not kept, since the change it missed may be newer than what it read.
/// </summary>
internal sealed class TenantCache<T>
{
    private readonly ConcurrentDictionary<Guid, (T Value, DateTimeOffset ReadAt)> entries = new();
    private readonly CacheInvalidation invalidation;
    private readonly string topic;
    private readonly TimeSpan lifetime;
    private readonly TimeProvider clock;
    private long generation;

    public TenantCache(CacheInvalidation invalidation, string topic, TimeSpan lifetime, TimeProvider clock)
    {
        (this.invalidation, this.topic, this.lifetime, this.clock) = (invalidation, topic, lifetime, clock);
        invalidation.On(topic, tenantId =>
        {
            Interlocked.Increment(ref generation);
            if (tenantId is { } tenant)
            {
                entries.TryRemove(tenant, out _);
            }
            else
            {
                entries.Clear();
            }
        });
    }

    public async Task<T> GetAsync(Guid tenantId, Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (entries.TryGetValue(tenantId, out var entry) && now - entry.ReadAt < lifetime && entry.ReadAt <= now)
        {
            return entry.Value;
        }

        var seen = Volatile.Read(ref generation);
        var value = await read(ct);
        if (seen == Volatile.Read(ref generation))
        {
            entries[tenantId] = (value, now);
        }

        return value;
    }

    /// <summary>After a change of what the tenant's entry holds (called after the save): every node reads it again.</summary>
    public void Forget(Guid tenantId) => invalidation.Publish(topic, tenantId);
}

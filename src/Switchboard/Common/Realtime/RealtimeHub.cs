using System.Collections.Concurrent;

namespace Switchboard.Common.Realtime;

/// <summary>
/// In-process fan-out: streams of a tenant wait here and are woken when that tenant's event log grows
/// (after a local commit, or a NOTIFY from another node). They then read the log themselves.
/// </summary>
internal sealed class RealtimeHub
{
    /// <summary>The PostgreSQL NOTIFY channel on which a commit that appended events names its tenant.</summary>
    public const string NotifyChannel = "switchboard_events";

    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> subscribers = new();

    public Subscription Subscribe(Guid tenantId)
    {
        var subscription = new Subscription(this, tenantId);
        subscribers.GetOrAdd(tenantId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    public void Publish(Guid tenantId)
    {
        if (subscribers.TryGetValue(tenantId, out var tenantSubscribers))
        {
            foreach (var subscription in tenantSubscribers.Keys)
            {
                subscription.Wake();
            }
        }
    }

    /// <summary>Wakes every stream (events of any tenant may have been missed, or access changed).</summary>
    public void PublishAll()
    {
        foreach (var tenantSubscribers in subscribers.Values)
        {
            foreach (var subscription in tenantSubscribers.Keys)
            {
                subscription.Wake();
            }
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        if (subscribers.TryGetValue(subscription.TenantId, out var tenantSubscribers))
        {
            tenantSubscribers.TryRemove(subscription, out _);
        }
    }

    internal sealed class Subscription(RealtimeHub hub, Guid tenantId) : IDisposable
    {
        private readonly SemaphoreSlim signal = new(0, 1);

        public Guid TenantId { get; } = tenantId;

        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);

        public void Wake()
        {
            try
            {
                if (signal.CurrentCount == 0)
                {
                    signal.Release();
                }
            }
            catch (SemaphoreFullException)
            {
            }
        }

        public void Dispose()
        {
            hub.Unsubscribe(this);
            signal.Dispose();
        }
    }
}

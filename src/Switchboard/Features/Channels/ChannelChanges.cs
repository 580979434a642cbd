using Switchboard.Common.Realtime;

namespace Switchboard.Features.Channels;

/// <summary>
/// Tells caches of channel credentials (the webhook verifier's, the sender's tokens, the routing directory) that a tenant's
/// channels changed, on every node (ADR 0056).
/// </summary>
internal sealed class ChannelChanges
{
    public const string Topic = "channels";
    private readonly CacheInvalidation invalidation;

    public ChannelChanges(CacheInvalidation invalidation)
    {
        this.invalidation = invalidation;
        invalidation.On(Topic, tenantId => Changed?.Invoke(tenantId));
    }

    /// <summary>A tenant's channels changed; null: any tenant's may have.</summary>
    public event Action<Guid?>? Changed;

    public void Notify(Guid tenantId) => invalidation.Publish(Topic, tenantId);
}

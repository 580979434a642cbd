namespace Switchboard.Features.Channels;

/// <summary>Tells caches of channel credentials (the webhook verifier's) that a tenant's channels changed.</summary>
internal sealed class ChannelChanges
{
    public event Action<Guid>? Changed;

    public void Notify(Guid tenantId) => Changed?.Invoke(tenantId);
}

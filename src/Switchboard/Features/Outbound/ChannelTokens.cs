using System.Collections.Concurrent;
using Switchboard.Common.Crypto;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Opened channel access tokens, kept for a minute so that a burst of replies opens each number's token
/// once instead of once per reply. An entry is used only while the sealed token it came from is the one
/// the channel row holds (so a rotation on any node is seen at the next claim), and a channel change on
/// any node drops the tenant's entries at once (ADR 0056).
/// </summary>
internal sealed class ChannelTokens
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(Guid Tenant, Guid Channel), Entry> cache = new();
    private readonly Sealer sealer;
    private readonly TimeProvider clock;

    public ChannelTokens(Sealer sealer, ChannelChanges changes, TimeProvider clock)
    {
        this.sealer = sealer;
        this.clock = clock;
        changes.Changed += tenantId =>
        {
            foreach (var key in cache.Keys.Where(k => tenantId is null || k.Tenant == tenantId))
            {
                cache.TryRemove(key, out _);
            }
        };
    }

    public async ValueTask<string> OpenAsync(Channel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue((channel.TenantId, channel.Id), out var entry) && entry.Expires > now && entry.Sealed.AsSpan().SequenceEqual(channel.AccessToken))
        {
            return entry.Token;
        }

        var token = await sealer.OpenAsync(ChannelSecrets.AccessTokenOf(channel), channel.AccessToken, ct);
        cache[(channel.TenantId, channel.Id)] = new Entry(channel.AccessToken, token, now + Lifetime);
        return token;
    }

    private sealed record Entry(byte[] Sealed, string Token, DateTimeOffset Expires);
}

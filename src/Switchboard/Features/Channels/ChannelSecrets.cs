using Switchboard.Common.Crypto;

namespace Switchboard.Features.Channels;

/// <summary>The seal contexts of a channel's credentials: each bound to its tenant, row and column.</summary>
internal static class ChannelSecrets
{
    public static SealContext AppSecretOf(Channel c) => new(c.TenantId, Channel.Table, c.Id, nameof(Channel.AppSecret));

    public static SealContext AccessTokenOf(Channel c) => new(c.TenantId, Channel.Table, c.Id, nameof(Channel.AccessToken));

    public static SealContext VerifyTokenOf(Channel c) => new(c.TenantId, Channel.Table, c.Id, nameof(Channel.VerifyToken));
}

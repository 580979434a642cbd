using Switchboard.Common.Crypto;

namespace Switchboard.Features.Channels;

internal sealed record ChannelResponse(
    Guid Id,
    string PhoneNumberId,
    string WabaId,
    string DisplayPhoneNumber,
    string? VerifiedName,
    string? QualityRating,
    string AppId,
    string AppSecret,
    string AccessToken,
    string VerifyToken,
    string WebhookUrl,
    string Status,
    int MessagesPerSecond,
    ChannelCredentialsResponse Credentials,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RevokedAt);

internal sealed record ChannelCredentialsResponse(DateTimeOffset AppSecretRotatedAt, DateTimeOffset AccessTokenRotatedAt, DateTimeOffset VerifyTokenRotatedAt);

/// <summary>Builds the API view of a channel: credentials are opened only to be masked.</summary>
internal sealed class ChannelView(Sealer sealer, WebhookUrls webhookUrls)
{
    public async Task<ChannelResponse> ToResponseAsync(Channel channel, HttpRequest request, CancellationToken ct) => new(
        channel.Id,
        channel.PhoneNumberId,
        channel.WabaId,
        channel.DisplayPhoneNumber,
        channel.VerifiedName,
        channel.QualityRating,
        channel.AppId,
        Mask(await sealer.OpenAsync(ChannelSecrets.AppSecretOf(channel), channel.AppSecret, ct)),
        Mask(await sealer.OpenAsync(ChannelSecrets.AccessTokenOf(channel), channel.AccessToken, ct)),
        Mask(await sealer.OpenAsync(ChannelSecrets.VerifyTokenOf(channel), channel.VerifyToken, ct)),
        webhookUrls.For(channel.TenantId, request),
        StatusName(channel.Status),
        channel.MessagesPerSecond,
        new ChannelCredentialsResponse(channel.AppSecretRotatedAt, channel.AccessTokenRotatedAt, channel.VerifyTokenRotatedAt),
        channel.CreatedAt,
        channel.UpdatedAt,
        channel.RevokedAt);

    /// <summary>"••••3f9a": the last four characters, and only when the secret is long enough to spare them.</summary>
    public static string Mask(string secret) => secret.Length >= 12 ? "••••" + secret[^4..] : "••••";

    public static string StatusName(ChannelStatus status) => status switch
    {
        ChannelStatus.Active => "active",
        ChannelStatus.NeedsReauthorization => "needs_reauthorization",
        ChannelStatus.Restricted => "restricted",
        ChannelStatus.Revoked => "revoked",
        _ => status.ToString().ToLowerInvariant(),
    };
}

namespace Switchboard.Features.Channels.Pages;

/// <summary>
/// A connected number as the channels page lists it (secrets already masked). Public because Razor
/// components are, and this is a parameter of one.
/// </summary>
public sealed record ChannelRow(
    Guid Id,
    string DisplayPhoneNumber,
    int MessagesPerSecond,
    string Status,
    string PhoneNumberId,
    string WabaId,
    string AppId,
    string AppSecret,
    string AccessToken,
    string VerifyToken,
    DateTimeOffset AppSecretRotatedAt,
    DateTimeOffset AccessTokenRotatedAt,
    DateTimeOffset VerifyTokenRotatedAt,
    string WebhookUrl)
{
    internal static ChannelRow Of(ChannelResponse c) => new(
        c.Id, c.DisplayPhoneNumber, c.MessagesPerSecond, c.Status, c.PhoneNumberId, c.WabaId, c.AppId, c.AppSecret, c.AccessToken, c.VerifyToken,
        c.Credentials.AppSecretRotatedAt, c.Credentials.AccessTokenRotatedAt, c.Credentials.VerifyTokenRotatedAt, c.WebhookUrl);

    /// <summary>The status in words.</summary>
    public string StatusText => Status switch
    {
        "active" => "active",
        "needs_reauthorization" => "needs re-authorisation",
        "restricted" => "restricted by Meta",
        "revoked" => "revoked",
        _ => Status,
    };
}

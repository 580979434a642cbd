namespace Switchboard.Features.Identity;

/// <summary>Tenant security settings as the API shows them (for now: whether MFA is mandatory for every user of the tenant); see GetSettings and UpdateSettings.</summary>
internal static class SettingsApi
{
    public sealed record SettingsResponse(bool MfaRequired);

    public sealed record SettingsRequest(bool? MfaRequired);
}

using System.Globalization;
using Microsoft.AspNetCore.Identity;
using QRCoder;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>
/// TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) through Identity's authenticator provider,
/// with 10 one-time recovery codes. Turning MFA on or off changes the user's security stamp, which
/// ends their other sessions.
/// </summary>
internal sealed class Mfa(UserManager<SwitchboardUser> users, SignInFlow flow)
{
    public const int RecoveryCodeCount = 10;

    /// <summary>Where Identity's store keeps the authenticator key (UserStoreBase's internal names).</summary>
    private const string AuthenticatorStore = "[AspNetUserStore]";
    private const string AuthenticatorKeyName = "AuthenticatorKey";

    public async Task<(string SharedKey, string AuthenticatorUri)> KeyFor(SwitchboardUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // Not ResetAuthenticatorKeyAsync: that also renews the security stamp, which would end the
            // sessions (and the sign-in in progress) of someone who merely opened the set-up page.
            key = users.GenerateNewAuthenticatorKey();
            await users.SetAuthenticationTokenAsync(user, AuthenticatorStore, AuthenticatorKeyName, key);
        }

        var label = Uri.EscapeDataString($"Switchboard:{user.Email}");
        return (key!, $"otpauth://totp/{label}?secret={key}&issuer=Switchboard&algorithm=SHA1&digits=6&period=30");
    }

    /// <summary>
    /// The authenticator link as a QR code, a PNG data URI drawn here (the dashboard's CSP allows
    /// <c>data:</c> images; no outside service ever sees the key). Error correction M, 4-module quiet zone.
    /// </summary>
    public static string QrCodeDataUri(string authenticatorUri) =>
        "data:image/png;base64," + Convert.ToBase64String(PngByteQRCodeHelper.GetQRCode(authenticatorUri, QRCodeGenerator.ECCLevel.M, 6));

    /// <summary>Turns MFA on when <paramref name="code"/> proves the authenticator works; returns the recovery codes (shown once).</summary>
    public async Task<IReadOnlyList<string>?> EnableAsync(SwitchboardUser user, string? code, TimeProvider clock)
    {
        if (!await TotpReplay.VerifyOnceAsync(users, user, code, clock))
        {
            await flow.AuditUserAsync(user, AuditActions.MfaFailed, new { method = "authenticator", during = "enrolment" });
            return null;
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        await flow.AuditUserAsync(user, AuditActions.MfaEnabled, new { method = "authenticator" });
        await flow.AuditUserAsync(user, AuditActions.RecoveryCodesGenerated, new { count = codes.Count });
        return codes;
    }

    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(SwitchboardUser user)
    {
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        await flow.AuditUserAsync(user, AuditActions.RecoveryCodesGenerated, new { count = codes.Count });
        return codes;
    }

    /// <summary>Turns MFA off (needs a current code); refused while a tenant of the user's requires MFA.</summary>
    public async Task<string?> DisableAsync(SwitchboardUser user, string? code, TimeProvider clock)
    {
        if (await flow.MfaRequiredForAsync(user.Id))
        {
            return "A tenant you belong to requires MFA, so it cannot be turned off.";
        }

        if (!await TotpReplay.VerifyOnceAsync(users, user, code, clock))
        {
            await flow.AuditUserAsync(user, AuditActions.MfaFailed, new { method = "authenticator", during = "disable" });
            return "That code is not valid.";
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await flow.AuditUserAsync(user, AuditActions.MfaDisabled, null);
        return null;
    }
}

/// <summary>An authenticator code works once: the last accepted code is remembered for the window in which it could be valid.</summary>
internal static class TotpReplay
{
    private const string Provider = "[Switchboard]";
    private const string Name = "LastTotp";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>A 6-digit authenticator code (spaces and dashes ignored) that is valid now and was not used before.</summary>
    public static async Task<bool> VerifyOnceAsync(UserManager<SwitchboardUser> users, SwitchboardUser user, string? code, TimeProvider clock)
    {
        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return cleaned.Length == 6
            && await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, cleaned)
            && await TryUseAsync(users, user, cleaned, clock);
    }

    private static async Task<bool> TryUseAsync(UserManager<SwitchboardUser> users, SwitchboardUser user, string code, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var last = await users.GetAuthenticationTokenAsync(user, Provider, Name);
        if (last?.Split('|') is [var usedCode, var at] && usedCode == code
            && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && now - DateTimeOffset.FromUnixTimeSeconds(seconds) < Window)
        {
            return false;
        }

        await users.SetAuthenticationTokenAsync(user, Provider, Name, $"{code}|{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        return true;
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Short-lived download links (ADR 0026): the token is the expiry and an HMAC over tenant, export and
/// expiry with a key derived from the master key, so it cannot be forged, moved to another export, or
/// stretched. The download still needs a caller allowed to export; the link only bounds when.
/// </summary>
internal sealed class ExportLinks(MasterKeyRing masterKeys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const string Purpose = "switchboard/export-download";

    public (string Token, DateTimeOffset ExpiresAt) Issue(Guid tenantId, Guid exportId)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        var seconds = expires.ToUnixTimeSeconds();
        var token = new byte[8 + 32];
        BinaryPrimitives.WriteInt64BigEndian(token, seconds);
        Mac(masterKeys.CurrentId, tenantId, exportId, seconds).CopyTo(token, 8);
        return (WebEncoders.Base64UrlEncode(token), DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    public bool IsValid(Guid tenantId, Guid exportId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length != 40)
        {
            return false;
        }

        var seconds = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (seconds < clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        // Any configured master key: a link issued just before a master-key rotation still works until it expires.
        return masterKeys.KnownIds.Any(id => CryptographicOperations.FixedTimeEquals(bytes.AsSpan(8), Mac(id, tenantId, exportId, seconds)));
    }

    private byte[] Mac(string masterKeyId, Guid tenantId, Guid exportId, long seconds)
    {
        var key = masterKeys.DeriveKey(masterKeyId, Purpose);
        try
        {
            return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{tenantId:N}|{exportId:N}|{seconds}"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

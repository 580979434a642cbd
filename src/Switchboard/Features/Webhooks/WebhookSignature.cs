using System.Security.Cryptography;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Meta's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the raw request bytes under the app
/// secret. Meta sends JSON with non-ASCII escaped as \uXXXX and signs exactly those bytes, so the raw
/// body is hashed as received and never re-serialised.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>The 32 signature bytes, or null when the header is missing or malformed.</summary>
    public static byte[]? Parse(string? header)
    {
        if (header is null || header.Length != Prefix.Length + 64 || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when any candidate secret signed the body. Every candidate is tried, match or not, and each
    /// comparison is constant-time, so timing says nothing about which secret (or how much of it) matched.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature, IEnumerable<byte[]> secrets)
    {
        Span<byte> expected = stackalloc byte[32];
        var matched = false;
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(secret, body, expected);
            matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
        }

        return matched;
    }

    public static string Sign(ReadOnlySpan<byte> body, byte[] secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));
}

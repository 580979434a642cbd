using System.Security.Cryptography;

namespace Switchboard.Tests.Infrastructure;

/// <summary>An independent RFC 6238 implementation (what an authenticator app does), checked against the RFC's test vectors.</summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset at, int digits = 6) =>
        Code(FromBase32(base32Key), at.ToUnixTimeSeconds() / 30, digits);

    public static string Code(byte[] key, long timeStep, int digits)
    {
        var counter = new byte[8];
        for (var i = 7; i >= 0; i--)
        {
            counter[i] = (byte)(timeStep & 0xff);
            timeStep >>= 8;
        }

#pragma warning disable CA5350 // RFC 6238 TOTP is defined over HMAC-SHA1, as authenticator apps implement it.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    public static byte[] FromBase32(string input)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = input.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xff));
                bits -= 8;
            }
        }

        return [.. output];
    }
}

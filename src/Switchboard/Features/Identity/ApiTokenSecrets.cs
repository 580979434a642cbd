using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Features.Identity;

/// <summary>Makes and recognises bearer tokens: 256 random bits, base64url, with a short readable prefix.</summary>
internal static class ApiTokenSecrets
{
    private const string Marker = "sb_";

    public static string NewToken() => Marker + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string PrefixOf(string token) => token[..Math.Min(10, token.Length)];

    /// <summary>Compares two secrets in constant time (over their hashes, so lengths do not leak either).</summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Common.Crypto;

/// <summary>
/// The key-encryption keys: the current master key, which wraps every new tenant key, and retired ones,
/// which are kept only to unwrap tenant keys until they have been re-wrapped under the current key.
/// A key is named by a short fingerprint so a wrapped tenant key records which master key wraps it.
/// </summary>
internal sealed class MasterKeyRing
{
    private readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);

    public MasterKeyRing(byte[] current, IEnumerable<byte[]> retired)
    {
        CurrentId = Fingerprint(current);
        keys[CurrentId] = current;
        foreach (var key in retired)
        {
            keys.TryAdd(Fingerprint(key), key);
        }
    }

    public string CurrentId { get; }

    public IReadOnlyCollection<string> KnownIds => keys.Keys;

    public byte[] Wrap(ReadOnlySpan<byte> dataKey, string context) =>
        SealedBox.Seal(keys[CurrentId], 1, dataKey, Encoding.UTF8.GetBytes(context));

    public byte[] Unwrap(string masterKeyId, ReadOnlySpan<byte> wrapped, string context)
    {
        if (!keys.TryGetValue(masterKeyId, out var key))
        {
            throw new CryptographicException($"Master key {masterKeyId} is not configured; add it to Switchboard:RetiredMasterKeys.");
        }

        return SealedBox.Open(key, wrapped, Encoding.UTF8.GetBytes(context));
    }

    /// <summary>A key for a platform-level purpose, derived (HKDF-SHA256) from the named master key.</summary>
    public byte[] DeriveKey(string masterKeyId, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, keys[masterKeyId], SealedBox.KeySize, info: Encoding.UTF8.GetBytes(purpose));

    public static string Fingerprint(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(key, "switchboard/master-key-id"u8, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    public static byte[] Parse(string base64, string settingName)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{settingName} must be base64 of 32 random bytes.");
        }

        return key.Length == SealedBox.KeySize
            ? key
            : throw new InvalidOperationException($"{settingName} must be base64 of 32 random bytes (got {key.Length} bytes).");
    }
}

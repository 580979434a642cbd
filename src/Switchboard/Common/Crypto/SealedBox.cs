using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Common.Crypto;

/// <summary>
/// AES-256-GCM with a fresh 96-bit nonce per seal. Layout of a sealed value:
/// <c>[format 1 byte][key version 4 bytes, big-endian][nonce 12][tag 16][ciphertext]</c>.
/// The associated data is never stored: the caller must present the same context to open,
/// which is what stops ciphertext from being moved to another row, column or tenant.
/// </summary>
internal static class SealedBox
{
    public const int KeySize = 32;
    private const byte Format = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + 4 + NonceSize + TagSize;
    private const int CachedCiphers = 4;

    [ThreadStatic]
    private static CachedCipher?[]? ciphers;

    public static byte[] Seal(ReadOnlySpan<byte> key, int keyVersion, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[HeaderSize + plaintext.Length];
        output[0] = Format;
        BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(1, 4), keyVersion);
        var nonce = output.AsSpan(5, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        CipherFor(key).Encrypt(nonce, plaintext, output.AsSpan(HeaderSize), output.AsSpan(5 + NonceSize, TagSize), associatedData);
        return output;
    }

    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length < HeaderSize || sealedValue[0] != Format)
        {
            throw new CryptographicException("Not a sealed value.");
        }

        var plaintext = new byte[sealedValue.Length - HeaderSize];
        CipherFor(key).Decrypt(sealedValue.Slice(5, NonceSize), sealedValue[HeaderSize..], sealedValue.Slice(5 + NonceSize, TagSize), plaintext, associatedData);
        return plaintext;
    }

    public static int KeyVersionOf(ReadOnlySpan<byte> sealedValue)
    {
        if (sealedValue.Length < HeaderSize || sealedValue[0] != Format)
        {
            throw new CryptographicException("Not a sealed value.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(sealedValue.Slice(1, 4));
    }

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>
    /// This thread's cipher for <paramref name="key"/>: setting one up costs more than sealing a webhook, and the
    /// hot paths seal and open with a handful of keys (ADR 0040). A few per thread, the oldest dropped first.
    /// </summary>
    private static AesGcm CipherFor(ReadOnlySpan<byte> key)
    {
        var cache = ciphers ??= new CachedCipher?[CachedCiphers];
        for (var i = 0; i < cache.Length; i++)
        {
            if (cache[i] is { } hit && CryptographicOperations.FixedTimeEquals(hit.Key, key))
            {
                return hit.Cipher;
            }
        }

        cache[^1]?.Cipher.Dispose();
        Array.Copy(cache, 0, cache, 1, cache.Length - 1);
        var added = new CachedCipher(key.ToArray(), new AesGcm(key, TagSize));
        cache[0] = added;
        return added.Cipher;
    }

    private sealed record CachedCipher(byte[] Key, AesGcm Cipher);
}

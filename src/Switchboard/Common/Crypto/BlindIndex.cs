using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Keyed HMAC-SHA256 of a normalised value under the tenant's blind-index key, so equality lookups
/// (find a customer by phone number) work without the clear value ever being stored. Without the
/// key, a phone number's small search space cannot be brute-forced from the index.
/// </summary>
internal sealed class BlindIndex(KeyRing keyRing)
{
    public const string WaId = "wa_id";
    public const string UserId = "user_id";

    public async ValueTask<byte[]> ComputeAsync(Guid tenantId, string kind, string value, CancellationToken ct)
    {
        var key = await keyRing.IndexKeyAsync(tenantId, ct);
        return HMACSHA256.HashData(key.Material, Input(kind, value));
    }

    /// <summary>
    /// The same values for many inputs of one tenant and kind, through one keyed HMAC: each value then costs a reset
    /// rather than a new keyed context (the search index computes about ten per message).
    /// </summary>
    public async ValueTask<Hasher> HasherAsync(Guid tenantId, string kind, CancellationToken ct)
    {
        var key = await keyRing.IndexKeyAsync(tenantId, ct);
        return new Hasher(IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Material), kind);
    }

    private static byte[] Input(string kind, string value) =>
        Encoding.UTF8.GetBytes($"{kind}\0{(kind == WaId ? NormalizePhone(value) : value.Trim())}");

    /// <summary>A tenant's blind index for one kind of value (<see cref="HasherAsync"/>); not thread-safe.</summary>
    public sealed class Hasher(IncrementalHash hmac, string kind) : IDisposable
    {
        /// <summary>What <see cref="ComputeAsync"/> gives for this tenant, kind and value.</summary>
        public byte[] Compute(string value)
        {
            hmac.AppendData(Input(kind, value));
            return hmac.GetHashAndReset();
        }

        public void Dispose() => hmac.Dispose();
    }

    /// <summary>
    /// WhatsApp ids are the international number as digits: "+1 (650) 555-1234" → "16505551234".
    /// A value without digits (a placeholder in a test payload) is kept as it is rather than collapsing to "".
    /// </summary>
    public static string NormalizePhone(string value)
    {
        var digits = string.Concat(value.Where(char.IsAsciiDigit));
        return digits.Length > 0 ? digits : value.Trim();
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Seals and opens column values. Tenant-level secrets (channel credentials) use the tenant data key;
/// everything about an end customer uses that contact's own key (see <c>Features/Conversations/ContactKeys</c>).
/// </summary>
internal sealed class Sealer(KeyRing keyRing)
{
    public async ValueTask<byte[]> SealAsync(SealContext context, string plaintext, CancellationToken ct)
    {
        var key = await keyRing.CurrentDataKeyAsync(context.TenantId, ct);
        return SealedBox.Seal(key.Material, key.Version, Encoding.UTF8.GetBytes(plaintext), context.ToAssociatedData());
    }

    public async ValueTask<string> OpenAsync(SealContext context, byte[] sealedValue, CancellationToken ct)
    {
        var key = await keyRing.DataKeyAsync(context.TenantId, SealedBox.KeyVersionOf(sealedValue), ct);
        return Encoding.UTF8.GetString(SealedBox.Open(key.Material, sealedValue, context.ToAssociatedData()));
    }

    public static byte[] Seal(DataKey key, SealContext context, ReadOnlySpan<byte> plaintext) =>
        SealedBox.Seal(key.Material, key.Version, plaintext, context.ToAssociatedData());

    public static byte[] Seal(DataKey key, SealContext context, string plaintext) =>
        Seal(key, context, Encoding.UTF8.GetBytes(plaintext));

    public static byte[] Open(DataKey key, SealContext context, ReadOnlySpan<byte> sealedValue)
    {
        if (SealedBox.KeyVersionOf(sealedValue) != key.Version)
        {
            throw new CryptographicException("The value was sealed with another key version.");
        }

        return SealedBox.Open(key.Material, sealedValue, context.ToAssociatedData());
    }

    public static string OpenString(DataKey key, SealContext context, ReadOnlySpan<byte> sealedValue) =>
        Encoding.UTF8.GetString(Open(key, context, sealedValue));
}

using System.Security.Cryptography;
using System.Text;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Mail;

/// <summary>
/// Seals a queued mail's fields: a tenant's mail with the tenant key; a platform mail (its kind starts with <see cref="PlatformKindPrefix"/>)
/// with a key derived from the master key, for notices about a tenant whose keys are gone, such as "your tenant was deleted" (ADR 0047).
/// </summary>
internal sealed class MailSeals(Sealer sealer, MasterKeyRing masterKeys)
{
    public const string PlatformKindPrefix = "platform_";

    private const string Purpose = "switchboard/platform-mail";
    private const int Version = 1;

    public static bool IsPlatform(OutgoingMail mail) => mail.Kind.StartsWith(PlatformKindPrefix, StringComparison.Ordinal);

    public async ValueTask<byte[]> SealAsync(OutgoingMail mail, string field, string text, CancellationToken ct) =>
        IsPlatform(mail)
            ? SealedBox.Seal(masterKeys.DeriveKey(masterKeys.CurrentId, Purpose), Version, Encoding.UTF8.GetBytes(text), mail.SealContext(field).ToAssociatedData())
            : await sealer.SealAsync(mail.SealContext(field), text, ct);

    public async ValueTask<string> OpenAsync(OutgoingMail mail, string field, byte[] sealedValue, CancellationToken ct)
    {
        if (!IsPlatform(mail))
        {
            return await sealer.OpenAsync(mail.SealContext(field), sealedValue, ct);
        }

        // Sealed under the master key current when it was queued: a retired key still opens it.
        foreach (var id in masterKeys.KnownIds.OrderBy(id => id == masterKeys.CurrentId ? 0 : 1))
        {
            try
            {
                return Encoding.UTF8.GetString(SealedBox.Open(masterKeys.DeriveKey(id, Purpose), sealedValue, mail.SealContext(field).ToAssociatedData()));
            }
            catch (CryptographicException)
            {
                // Another master key: try the next.
            }
        }

        throw new CryptographicException("No configured master key opens this platform mail.");
    }
}

using System.Security.Cryptography;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Seals raw webhook bodies. A tenant's URL names the tenant, so its events are sealed with that tenant's
/// key. Events on the shared platform URL belong to no tenant until routed: they are sealed with a
/// platform inbox key derived from the master key (and opened with any configured master key).
/// </summary>
internal sealed class WebhookSealer(KeyRing keyRing, MasterKeyRing masterKeys)
{
    private const string PlatformPurpose = "switchboard/platform-inbox";

    public async ValueTask SealAsync(WebhookEvent inboxEvent, byte[] body, CancellationToken ct)
    {
        if (inboxEvent.TenantId is { } tenantId)
        {
            var key = await keyRing.CurrentDataKeyAsync(tenantId, ct);
            inboxEvent.Body = Sealer.Seal(key, inboxEvent.BodyContext, body);
        }
        else
        {
            inboxEvent.Body = Sealer.Seal(new DataKey(1, masterKeys.DeriveKey(masterKeys.CurrentId, PlatformPurpose)), inboxEvent.BodyContext, body);
        }
    }

    public async ValueTask<byte[]> OpenAsync(WebhookEvent inboxEvent, CancellationToken ct)
    {
        if (inboxEvent.TenantId is { } tenantId)
        {
            var key = await keyRing.DataKeyAsync(tenantId, SealedBox.KeyVersionOf(inboxEvent.Body), ct);
            return Sealer.Open(key, inboxEvent.BodyContext, inboxEvent.Body);
        }

        foreach (var masterKeyId in masterKeys.KnownIds)
        {
            try
            {
                return Sealer.Open(new DataKey(1, masterKeys.DeriveKey(masterKeyId, PlatformPurpose)), inboxEvent.BodyContext, inboxEvent.Body);
            }
            catch (CryptographicException)
            {
            }
        }

        throw new CryptographicException("No configured master key opens this platform event.");
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Switchboard.Common.Crypto;
using Switchboard.Common.Realtime;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Per-contact data keys, wrapped by the tenant data key. Destroying a contact's key crypto-erases that
/// person everywhere their data was sealed (messages, media, profile, raw events), while every other
/// contact and tenant stays readable. Cached keys go on every node when the contact or its tenant is erased (ADR 0056).
/// </summary>
internal sealed class ContactKeys
{
    public const string Topic = "contact-keys";
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(Guid Tenant, Guid Contact), (DataKey Key, DateTimeOffset Expires)> cache = new();
    private readonly KeyRing keyRing;
    private readonly TimeProvider clock;
    private readonly CacheInvalidation invalidation;

    public ContactKeys(KeyRing keyRing, TimeProvider clock, CacheInvalidation invalidation)
    {
        this.keyRing = keyRing;
        this.clock = clock;
        this.invalidation = invalidation;
        keyRing.TenantForgotten += tenantId =>
        {
            foreach (var entry in cache.Keys.Where(k => tenantId is null || k.Tenant == tenantId))
            {
                cache.TryRemove(entry, out _);
            }
        };
        invalidation.On(Topic, contactId =>
        {
            foreach (var entry in cache.Keys.Where(k => contactId is null || k.Contact == contactId))
            {
                cache.TryRemove(entry, out _);
            }
        });
    }

    /// <summary>Gives a new contact its own key and returns it unwrapped for immediate use.</summary>
    public async ValueTask<DataKey> AssignNewKeyAsync(Contact contact, CancellationToken ct)
    {
        var tenantKey = await keyRing.CurrentDataKeyAsync(contact.TenantId, ct);
        var material = SealedBox.NewKey();
        contact.DataKey = Sealer.Seal(tenantKey, WrapContext(contact), material);
        contact.DataKeyTenantVersion = tenantKey.Version;
        var key = new DataKey(1, material);
        cache[(contact.TenantId, contact.Id)] = (key, clock.GetUtcNow() + CacheLifetime);
        return key;
    }

    public async ValueTask<DataKey> KeyOfAsync(Contact contact, CancellationToken ct)
    {
        if (contact.DataKey is null)
        {
            throw new KeyDestroyedException($"Contact {contact.Id} has been erased.");
        }

        var now = clock.GetUtcNow();
        if (cache.TryGetValue((contact.TenantId, contact.Id), out var cached) && cached.Expires > now)
        {
            return cached.Key;
        }

        var tenantKey = await keyRing.DataKeyAsync(contact.TenantId, contact.DataKeyTenantVersion, ct);
        var key = new DataKey(1, Sealer.Open(tenantKey, WrapContext(contact), contact.DataKey));
        cache[(contact.TenantId, contact.Id)] = (key, now + CacheLifetime);
        return key;
    }

    /// <summary>
    /// Crypto-erases the contact: the wrapped key is overwritten and the blind indexes are cleared, so the
    /// sealed values left behind cannot be opened, nor the person found by phone number.
    /// </summary>
    public void Erase(Contact contact)
    {
        if (contact.DataKey is not null)
        {
            CryptographicOperations.ZeroMemory(contact.DataKey);
        }

        contact.DataKey = null;
        contact.WaIdIndex = null;
        contact.UserIdIndex = null;
        contact.ErasedAt ??= clock.GetUtcNow();
        invalidation.Publish(Topic, contact.Id);
    }

    private static SealContext WrapContext(Contact contact) => new(contact.TenantId, Contact.Table, contact.Id, nameof(Contact.DataKey));
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>What Switchboard knows about a customer, opened with the contact's own key.</summary>
internal sealed record ContactProfile(Guid Id, string? WaId, string? UserId, string? Name);

/// <summary>
/// Finds customers by their WhatsApp id or business-scoped user id (through blind indexes), creates them
/// with their own data key, reads their sealed profile, and crypto-erases them.
/// </summary>
internal sealed class ContactDirectory(BlindIndex blindIndex, ContactKeys contactKeys, TimeProvider clock)
{
    public async Task<Contact?> FindAsync(SwitchboardDbContext db, Guid tenantId, string? waId, string? userId, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(userId))
        {
            var index = await blindIndex.ComputeAsync(tenantId, BlindIndex.UserId, userId, ct);
            var byUserId = await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.UserIdIndex == index, ct);
            if (byUserId is not null)
            {
                return byUserId;
            }
        }

        if (!string.IsNullOrWhiteSpace(waId))
        {
            var index = await blindIndex.ComputeAsync(tenantId, BlindIndex.WaId, waId, ct);
            return await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.WaIdIndex == index, ct);
        }

        return null;
    }

    /// <summary>Adds a new contact to the context (the caller saves), with its own fresh data key.</summary>
    public async Task<Contact> CreateAsync(SwitchboardDbContext db, Guid tenantId, string? waId, string? userId, string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(waId) && string.IsNullOrWhiteSpace(userId))
        {
            throw new ArgumentException("A contact needs a WhatsApp id or a business-scoped user id.", nameof(waId));
        }

        var now = clock.GetUtcNow();
        var contact = new Contact { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now };
        var key = await contactKeys.AssignNewKeyAsync(contact, ct);
        await SetIdentityAsync(contact, key, waId, userId, ct);
        contact.ProfileName = SealOrNull(key, contact, nameof(Contact.ProfileName), name);
        db.Contacts.Add(contact);
        return contact;
    }

    /// <summary>Updates the sealed identity and name (a customer may change number or profile name).</summary>
    public async Task UpdateAsync(Contact contact, string? waId, string? userId, string? name, CancellationToken ct)
    {
        var key = await contactKeys.KeyOfAsync(contact, ct);
        await SetIdentityAsync(contact, key, waId, userId, ct);
        if (name is not null)
        {
            contact.ProfileName = SealOrNull(key, contact, nameof(Contact.ProfileName), name);
        }

        contact.UpdatedAt = clock.GetUtcNow();
    }

    public async Task<ContactProfile> ReadAsync(Contact contact, CancellationToken ct)
    {
        var key = await contactKeys.KeyOfAsync(contact, ct);
        return new ContactProfile(
            contact.Id,
            OpenOrNull(key, contact, nameof(Contact.WaId), contact.WaId),
            OpenOrNull(key, contact, nameof(Contact.UserId), contact.UserId),
            OpenOrNull(key, contact, nameof(Contact.ProfileName), contact.ProfileName));
    }

    public void Erase(Contact contact) => contactKeys.Erase(contact);

    public static SealContext ContextOf(Contact contact, string column) => new(contact.TenantId, Contact.Table, contact.Id, column);

    private async Task SetIdentityAsync(Contact contact, DataKey key, string? waId, string? userId, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(waId))
        {
            var normalized = BlindIndex.NormalizePhone(waId);
            contact.WaIdIndex = await blindIndex.ComputeAsync(contact.TenantId, BlindIndex.WaId, normalized, ct);
            contact.WaId = SealOrNull(key, contact, nameof(Contact.WaId), normalized);
        }

        if (!string.IsNullOrWhiteSpace(userId))
        {
            contact.UserIdIndex = await blindIndex.ComputeAsync(contact.TenantId, BlindIndex.UserId, userId, ct);
            contact.UserId = SealOrNull(key, contact, nameof(Contact.UserId), userId.Trim());
        }
    }

    private static byte[]? SealOrNull(DataKey key, Contact contact, string column, string? value) =>
        value is null ? null : Sealer.Seal(key, ContextOf(contact, column), value);

    private static string? OpenOrNull(DataKey key, Contact contact, string column, byte[]? value) =>
        value is null ? null : Sealer.OpenString(key, ContextOf(contact, column), value);
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>What Switchboard knows about a customer, opened with the contact's own key.</summary>
internal sealed record ContactProfile(Guid Id, string? WaId, string? UserId, string? Name, string? DisplayName = null, string? AttributesJson = null)
{
    /// <summary>The name to show: the one an agent gave, else WhatsApp's profile name.</summary>
    public string? ShownName => DisplayName ?? Name;
}

/// <summary>
/// Finds customers by their WhatsApp id or business-scoped user id (through blind indexes), creates them
/// with their own data key, reads their sealed profile, merges two records of one person, and crypto-erases them.
/// </summary>
internal sealed class ContactDirectory(BlindIndex blindIndex, ContactKeys contactKeys, IEnumerable<IContactMergeStep> mergeSteps, TimeProvider clock)
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
            OpenOrNull(key, contact, nameof(Contact.ProfileName), contact.ProfileName),
            OpenOrNull(key, contact, nameof(Contact.DisplayName), contact.DisplayName),
            OpenOrNull(key, contact, nameof(Contact.Attributes), contact.Attributes));
    }

    /// <summary>Seals the agent-given name (null: WhatsApp's name shows again) and the attribute values (a JSON object).</summary>
    public async Task SetProfileAsync(Contact contact, string? displayName, string attributesJson, CancellationToken ct)
    {
        var key = await contactKeys.KeyOfAsync(contact, ct);
        contact.DisplayName = SealOrNull(key, contact, nameof(Contact.DisplayName), displayName);
        contact.Attributes = SealOrNull(key, contact, nameof(Contact.Attributes), attributesJson);
        contact.UpdatedAt = clock.GetUtcNow();
    }

    public void Erase(Contact contact) => contactKeys.Erase(contact);

    /// <summary>
    /// One person known as two contacts (a phone number and a business-scoped user id that one webhook
    /// then names together, or an id and its replacement): everything of <paramref name="merged"/> —
    /// conversations, messages, reactions, media and queued replies, including rows this batch has not
    /// written yet (<paramref name="unsavedMessages"/>, <paramref name="unsavedConversations"/>) — moves to
    /// <paramref name="survivor"/>, re-sealed with the survivor's key, and <paramref name="merged"/> is
    /// crypto-erased, which frees its identifiers for the survivor. Returns the merged contact's profile,
    /// so the caller can give the survivor the identifiers it lacks. The caller saves.
    /// </summary>
    public async Task<ContactProfile> MergeAsync(
        SwitchboardDbContext db, Contact survivor, Contact merged, IEnumerable<Message> unsavedMessages, IEnumerable<Conversation> unsavedConversations, CancellationToken ct)
    {
        var (tenantId, from, to) = (survivor.TenantId, merged.Id, survivor.Id);
        var profile = await ReadAsync(merged, ct);
        var oldKey = await contactKeys.KeyOfAsync(merged, ct);
        var newKey = await contactKeys.KeyOfAsync(survivor, ct);
        byte[] Reseal(SealContext context, byte[] sealedValue) =>
            sealedValue.Length == 0 ? sealedValue : Sealer.Seal(newKey, context, Sealer.Open(oldKey, context, sealedValue));

        // The survivor's current conversation on a number stays current; the merged ones are slotted in before it.
        var conversations = await db.Conversations.Where(c => c.TenantId == tenantId && (c.ContactId == from || c.ContactId == to)).ToListAsync(ct);
        conversations = [.. conversations.Union(unsavedConversations.Where(c => c.TenantId == tenantId && (c.ContactId == from || c.ContactId == to)))];
        foreach (var channel in conversations.GroupBy(c => c.ChannelId))
        {
            var lowest = channel.Where(c => c.ContactId == to).Select(c => (int?)c.Sequence).Min();
            var moving = channel.Where(c => c.ContactId == from).OrderByDescending(c => c.Sequence).ToList();
            for (var i = 0; i < moving.Count; i++)
            {
                moving[i].ContactId = to;
                moving[i].Sequence = lowest is null ? moving[i].Sequence : lowest.Value - 1 - i;
            }
        }

        var messages = await db.Messages.Where(m => m.TenantId == tenantId && m.ContactId == from).ToListAsync(ct);
        foreach (var message in messages.Union(unsavedMessages.Where(m => m.TenantId == tenantId && m.ContactId == from)))
        {
            message.Content = Reseal(message.SealContext(nameof(Message.Content)), message.Content);
            message.Text = Reseal(message.SealContext(nameof(Message.Text)), message.Text);
            message.ContactId = to;
        }

        var reactions = await db.Reactions.Where(r => r.TenantId == tenantId && r.ContactId == from).ToListAsync(ct);
        foreach (var reaction in reactions.Union(db.Reactions.Local.Where(r => r.TenantId == tenantId && r.ContactId == from)).ToList())
        {
            var emoji = reaction.Emoji is null ? null : Reseal(new SealContext(tenantId, Reaction.Table, reaction.MessageId, nameof(Reaction.Emoji)), reaction.Emoji);
            db.Reactions.Remove(reaction);
            var theirs = await db.Reactions.FindAsync([tenantId, reaction.ChannelId, reaction.TargetWamid, to], ct);
            if (theirs is null)
            {
                db.Reactions.Add(new Reaction { TenantId = tenantId, ChannelId = reaction.ChannelId, TargetWamid = reaction.TargetWamid, ContactId = to, Emoji = emoji, Timestamp = reaction.Timestamp, MessageId = reaction.MessageId });
            }
            else if (theirs.Timestamp < reaction.Timestamp)
            {
                (theirs.Emoji, theirs.Timestamp, theirs.MessageId) = (emoji, reaction.Timestamp, reaction.MessageId);
            }
        }

        // Media files and queued replies belong to their features, which move them (in registration order: Media, then Outbound).
        foreach (var step in mergeSteps)
        {
            await step.MoveAsync(db, new ContactMerge(tenantId, from, to, oldKey, newKey), ct);
        }

        if (db.Entry(merged).State == EntityState.Added)
        {
            db.Contacts.Remove(merged);
        }
        else
        {
            Erase(merged);
        }

        return profile;
    }

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

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A tenant's minimal-messages setting (<c>Tenants.MinimalMessages</c>, ADR 0051): the ledger stores a new inbound message's
/// <see cref="MessageMinimum"/> when it is on, and the retention run trims the messages stored whole before (<see cref="TrimStoredAsync"/>).
/// </summary>
internal sealed class MinimalMessages
{
    /// <summary>The <see cref="CacheInvalidation"/> topic of a tenant's minimal-messages setting.</summary>
    public const string Topic = "minimal-messages";

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly TenantCache<bool> cache;
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly ContactKeys contactKeys;

    public MinimalMessages(IDbContextFactory<SwitchboardDbContext> dbFactory, ContactKeys contactKeys, CacheInvalidation invalidation, TimeProvider clock)
    {
        this.dbFactory = dbFactory;
        this.contactKeys = contactKeys;
        cache = new TenantCache<bool>(invalidation, Topic, CacheFor, clock);
    }

    /// <summary>Whether the tenant keeps only the minimum (cached per node for <see cref="CacheFor"/>; a change on any node drops it everywhere, ADR 0056).</summary>
    public Task<bool> IsOnAsync(Guid tenantId, CancellationToken ct) => cache.GetAsync(tenantId, async token =>
    {
        await using var db = await dbFactory.CreateDbContextAsync(token);
        return await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.MinimalMessages).FirstOrDefaultAsync(token);
    }, ct);

    /// <summary>After the setting changed (called after the save): every node reads it again.</summary>
    public void Forget(Guid tenantId) => cache.Forget(tenantId);

    /// <summary>Trims these stored messages of the tenant to their minimum and saves; returns how many changed (messages of erased contacts are skipped).</summary>
    public async Task<int> TrimStoredAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<Guid> messageIds, CancellationToken ct)
    {
        var messages = await db.Messages.Where(m => m.TenantId == tenantId && EF.Parameter(messageIds).Contains(m.Id) && m.Direction == MessageDirection.Inbound).ToListAsync(ct);
        var contactIds = messages.Select(m => m.ContactId).Distinct().ToList();
        var contacts = await db.Contacts.Where(c => c.TenantId == tenantId && EF.Parameter(contactIds).Contains(c.Id) && c.DataKey != null).ToDictionaryAsync(c => c.Id, ct);
        var trimmed = 0;
        foreach (var message in messages)
        {
            if (contacts.TryGetValue(message.ContactId, out var contact) && Trim(message, await contactKeys.KeyOfAsync(contact, ct)))
            {
                trimmed++;
            }
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return trimmed;
    }

    /// <summary>Re-seals the message's WhatsApp object as its minimum; false when it was minimal already.</summary>
    private static bool Trim(Message message, DataKey key)
    {
        var context = message.SealContext(nameof(Message.Content));
        var content = Sealer.OpenString(key, context, message.Content);
        var minimum = MessageMinimum.Of(message.Type, content);
        if (string.Equals(minimum, content, StringComparison.Ordinal))
        {
            return false;
        }

        message.Content = Sealer.Seal(key, context, minimum);
        return true;
    }
}

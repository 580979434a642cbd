using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A tenant's minimal-messages setting (<c>Tenants.MinimalMessages</c>, ADR 0047) applied to stored messages: a step that trims each new
/// inbound message to <see cref="MessageMinimum"/> before the batch inserts it, and the trim of messages stored before the setting was on
/// (the retention job calls <see cref="TrimStoredAsync"/>). The processor and the ledger's write path are untouched.
/// </summary>
internal sealed class MinimalMessages(IDbContextFactory<SwitchboardDbContext> dbFactory, IMemoryCache cache, ContactKeys contactKeys) : IConversationStep
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>Whether the tenant keeps only the minimum (cached per node for <see cref="CacheFor"/>; a change on this node applies at once).</summary>
    public async Task<bool> IsOnAsync(Guid tenantId, CancellationToken ct) =>
        await cache.GetOrCreateAsync((nameof(MinimalMessages), tenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.MinimalMessages).FirstOrDefaultAsync(ct);
        });

    public void Forget(Guid tenantId) => cache.Remove((nameof(MinimalMessages), tenantId));

    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        foreach (var change in changes)
        {
            if (change.Message is not { Direction: MessageDirection.Inbound } message || !await IsOnAsync(message.TenantId, ct))
            {
                continue;
            }

            var contact = db.Contacts.Local.FirstOrDefault(c => c.TenantId == message.TenantId && c.Id == message.ContactId)
                ?? await db.Contacts.FirstAsync(c => c.TenantId == message.TenantId && c.Id == message.ContactId, ct);
            Trim(message, await contactKeys.KeyOfAsync(contact, ct));
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
    }

    /// <summary>Trims up to <paramref name="batch"/> of the tenant's stored inbound messages after <paramref name="after"/> (id order); returns how many it changed and the last id seen (null: done).</summary>
    public async Task<(int Trimmed, Guid? Last)> TrimStoredAsync(SwitchboardDbContext db, Guid tenantId, Guid? after, int batch, CancellationToken ct)
    {
        var query = db.Messages.Where(m => m.TenantId == tenantId && m.Direction == MessageDirection.Inbound);
        if (after is { } from)
        {
            query = query.Where(m => m.Id.CompareTo(from) > 0);
        }

        var messages = await query.OrderBy(m => m.Id).Take(batch).ToListAsync(ct);
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
        return (trimmed, messages.Count < batch ? null : messages[^1].Id);
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

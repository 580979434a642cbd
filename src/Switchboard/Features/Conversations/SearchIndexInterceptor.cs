using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Keeps the search index in step with tracked writes (ADR 0025): a reply or note added through the ledger
/// gets its rows in the same save; a contact whose key is destroyed loses its rows in the same save.
/// Inbound batches, written in bulk, index themselves (<see cref="ConversationLedger"/>).
/// </summary>
/// <remarks>The keys are resolved on first use: the key ring needs the context factory, which needs this interceptor.</remarks>
internal sealed class SearchIndexInterceptor(IServiceProvider services) : SaveChangesInterceptor
{
    private MessageSearchIndex Index => field ??= services.GetRequiredService<MessageSearchIndex>();

    private ContactKeys ContactKeys => field ??= services.GetRequiredService<ContactKeys>();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            await IndexAsync(db, cancellationToken);
        }

        return result;
    }

    private async Task IndexAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        var added = db.TrackedEntries<Message>()
            .Where(e => e.State == EntityState.Added && e.Entity.Direction != MessageDirection.Inbound && MessageSearchIndex.Indexes(e.Entity.Type))
            .Select(e => e.Entity)
            .ToList();
        foreach (var message in added)
        {
            var contact = db.Contacts.Local.FirstOrDefault(c => c.TenantId == message.TenantId && c.Id == message.ContactId)
                ?? await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == message.TenantId && c.Id == message.ContactId, ct);
            if (contact?.DataKey is null)
            {
                continue;
            }

            try
            {
                var key = await ContactKeys.KeyOfAsync(contact, ct);
                var text = Sealer.OpenString(key, message.SealContext(nameof(Message.Text)), message.Text);
                db.MessageSearchTokens.AddRange(await Index.RowsAsync(message, key, text, ct));
            }
            catch (CryptographicException)
            {
            }
        }

        var erased = db.DetectedEntries<Contact>()
            .Where(e => e.State == EntityState.Modified && e.Entity.DataKey is null && e.OriginalValues.GetValue<byte[]?>(nameof(Contact.DataKey)) is not null)
            .Select(e => e.Entity)
            .ToList();
        foreach (var contact in erased)
        {
            // Unconfirmable already without the key; removing the rows keeps the buckets small.
            await ConversationLedger.SearchRowsOf(db, contact.TenantId, contact.Id).ExecuteDeleteAsync(ct);
        }
    }
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// In a merge of two contacts of one person: the merged contact's notes move, re-sealed; its agent-given
/// name and attributes fill what the survivor lacks; and its messages' search rows are made again under
/// the survivor's key (the old proofs die with the old key).
/// </summary>
internal sealed class ContactProfileMerge(MessageSearchIndex index) : IContactMergeStep
{
    public async Task MoveAsync(SwitchboardDbContext db, ContactMerge merge, CancellationToken ct)
    {
        var (tenantId, from, to) = (merge.TenantId, merge.From, merge.To);
        foreach (var note in await db.ContactNotes.Where(n => n.TenantId == tenantId && n.ContactId == from).ToListAsync(ct))
        {
            note.Body = merge.Reseal(note.SealContext(), note.Body);
            note.ContactId = to;
        }

        var survivor = await db.Contacts.FindAsync([tenantId, to], ct);
        var merged = await db.Contacts.FindAsync([tenantId, from], ct);
        if (survivor is not null && merged is not null)
        {
            foreach (var column in new[] { nameof(Contact.DisplayName), nameof(Contact.Attributes) })
            {
                var entry = db.Entry(survivor).Property<byte[]?>(column);
                var theirs = db.Entry(merged).Property<byte[]?>(column).CurrentValue;
                if (entry.CurrentValue is null && theirs is not null)
                {
                    entry.CurrentValue = Sealer.Seal(merge.NewKey, ContactDirectory.ContextOf(survivor, column), Sealer.Open(merge.OldKey, ContactDirectory.ContextOf(merged, column), theirs));
                }
            }
        }

        var stored = await ConversationLedger.SearchRowsOf(db, tenantId, from, movedTo: to).Select(r => r.MessageId).Distinct().ToListAsync(ct);
        if (stored.Count > 0)
        {
            await ConversationLedger.SearchRowsOf(db, tenantId, from, movedTo: to).ExecuteDeleteAsync(ct);
        }

        var pending = db.UnitOfWork<PendingSearchRows>();
        var unsaved = pending.Rows.Where(r => r.TenantId == tenantId && r.ContactId == from).Select(r => r.MessageId).Distinct().ToList();
        pending.Rows.RemoveAll(r => r.TenantId == tenantId && r.ContactId == from);

        // The messages were moved and re-sealed before the steps run: their text opens with the new key.
        foreach (var messageId in stored.Concat(unsaved).Distinct())
        {
            var message = pending.Messages.GetValueOrDefault(messageId)
                ?? db.Messages.Local.FirstOrDefault(m => m.TenantId == tenantId && m.Id == messageId)
                ?? await db.Messages.FirstOrDefaultAsync(m => m.TenantId == tenantId && m.Id == messageId, ct);
            if (message is null)
            {
                continue;
            }

            try
            {
                var text = Sealer.OpenString(merge.NewKey, message.SealContext(nameof(Message.Text)), message.Text);
                var rows = await index.RowsAsync(message, merge.NewKey, text, ct);
                foreach (var row in rows)
                {
                    row.ContactId = to;
                }

                if (unsaved.Contains(messageId))
                {
                    pending.Rows.AddRange(rows);
                }
                else
                {
                    db.MessageSearchTokens.AddRange(rows);
                }
            }
            catch (CryptographicException)
            {
            }
        }
    }
}

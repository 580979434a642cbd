using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>The search index rows a unit of work has computed and not yet written, with their messages (for a merge to redo).</summary>
internal sealed class PendingSearchRows
{
    public List<MessageSearchToken> Rows { get; } = [];

    public Dictionary<Guid, Message> Messages { get; } = [];
}

/// <summary>The ledger's writes to the message search index (ADR 0025): inbound rows go with the batch's bulk insert.</summary>
internal sealed partial class ConversationLedger
{
    /// <summary>
    /// A contact's search rows, found through the contact's messages and the index by message: the index
    /// follows messages, not contacts (ADR 0073). Read before the messages go; in a merge, the messages
    /// may already have moved to <paramref name="movedTo"/>.
    /// </summary>
    public static IQueryable<MessageSearchToken> SearchRowsOf(SwitchboardDbContext db, Guid tenantId, Guid contactId, Guid? movedTo = null)
    {
        var theirs = db.Set<Message>().Where(m => m.TenantId == tenantId);
        theirs = movedTo is { } to ? theirs.Where(m => m.ContactId == contactId || m.ContactId == to) : theirs.Where(m => m.ContactId == contactId);
        var messages = theirs.Select(m => m.Id);
        return db.MessageSearchTokens.Where(r => r.TenantId == tenantId && r.ContactId == contactId && messages.Contains(r.MessageId));
    }

    /// <summary>Computes the search rows of an inbound message (under its contact's key); <see cref="WriteAsync"/> writes them.</summary>
    private async Task IndexForSearchAsync(SwitchboardDbContext db, Message message, DataKey key, string text, CancellationToken ct)
    {
        var rows = await MessageSearchIndex.RowsAsync(blindIndex, message, key, text, ct);
        if (rows.Count > 0)
        {
            var pending = db.UnitOfWork<PendingSearchRows>();
            pending.Rows.AddRange(rows);
            pending.Messages[message.Id] = message;
        }
    }

    /// <summary>In the caller's transaction, after the batch's messages: the batch's search rows in one bulk insert.</summary>
    private static async Task WriteSearchRowsAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        var pending = db.UnitOfWork<PendingSearchRows>();
        await BulkInsert.InsertAsync(db, pending.Rows, ct);
        pending.Rows.Clear();
        pending.Messages.Clear();
    }
}

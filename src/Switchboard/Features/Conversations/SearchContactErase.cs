using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Search rows go with what they index (ADR 0025, 0026): an erased contact's (already unconfirmable
/// without the key; removed so the buckets stay small) and deleted messages' (so no hit points at nothing).
/// </summary>
internal sealed class SearchContactErase : IContactEraseStep
{
    public Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct) =>
        ConversationLedger.SearchRowsOf(db, erasure.TenantId, erasure.ContactId).ExecuteDeleteAsync(ct);

    public Task EraseMessagesAsync(SwitchboardDbContext db, MessageErasure erasure, CancellationToken ct)
    {
        var ids = erasure.MessageIds;
        return db.MessageSearchTokens.Where(r => r.TenantId == erasure.TenantId && ids.Contains(r.MessageId)).ExecuteDeleteAsync(ct);
    }
}

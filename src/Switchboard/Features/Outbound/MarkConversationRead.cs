using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>
/// The agent has read the conversation: unread goes to zero and the customer's newest message is marked
/// read on WhatsApp (blue ticks), optionally with the typing indicator while the agent writes.
/// </summary>
internal static class MarkConversationRead
{
    public sealed record Request(bool Typing);

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, Request? request, SwitchboardDbContext db, ContactKeys contactKeys, OutboxSignal signal, TimeProvider clock, CancellationToken ct) =>
        await MarkAsync(tenantId, conversationId, request, db, contactKeys, signal, clock, ct) ? TypedResults.NoContent() : Problems.NotFound();

    /// <summary>The use case itself, for the API and for the dashboard; false when the tenant has no such conversation.</summary>
    public static async Task<bool> MarkAsync(
        Guid tenantId, Guid conversationId, Request? request, SwitchboardDbContext db, ContactKeys contactKeys, OutboxSignal signal, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return false;
        }

        var newest = await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.ConversationId == conversationId && m.Direction == MessageDirection.Inbound && m.Wamid != null)
            .OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id)
            .FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var receipt = new List<object>(1);
        if (newest is not null && (conversation.WindowExpiresAt > now || request?.Typing != true))
        {
            var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == tenantId && c.Id == conversation.ContactId, ct);
            var key = await contactKeys.KeyOfAsync(contact, ct);
            var item = new OutboxItem
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(now),
                ChannelId = conversation.ChannelId,
                ContactId = conversation.ContactId,
                Kind = OutboxKind.MarkRead,
                State = OutboxState.Pending,
                NextAttemptAt = now,
                CreatedAt = now,
            };
            item.Request = Sealer.Seal(key, item.SealContext(nameof(OutboxItem.Request)), JsonSerializer.SerializeToUtf8Bytes(GraphRequests.MarkRead(newest.Wamid!, request?.Typing == true)));
            receipt.Add(item);
        }

        await ConversationLedger.MarkReadAsync(db, conversation, receipt, now, ct);
        signal.Signal.Notify();
        return true;
    }
}

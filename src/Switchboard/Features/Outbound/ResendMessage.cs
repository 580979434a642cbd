using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>
/// An agent decides to send again a reply whose outcome was unknown (or that failed). This is the only
/// way such a reply is ever sent twice: a person chose it, knowing the customer may get it twice.
/// </summary>
internal static class ResendMessage
{
    public static async Task<Results<Accepted<SendMessage.Response>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, Guid messageId, SwitchboardDbContext db, ContactKeys contactKeys, OutboxSignal signal, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await ResendAsync(tenantId, conversationId, messageId, db, contactKeys, signal, clock, ct);
        return outcome is { Value: { } queued }
            ? TypedResults.Accepted($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages/{messageId}", queued)
            : outcome.Failure!.ToProblem();
    }

    /// <summary>The use case itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<SendMessage.Response>> ResendAsync(
        Guid tenantId, Guid conversationId, Guid messageId, SwitchboardDbContext db, ContactKeys contactKeys, OutboxSignal signal, TimeProvider clock, CancellationToken ct)
    {
        var message = await db.Messages.FirstOrDefaultAsync(m => m.TenantId == tenantId && m.ConversationId == conversationId && m.Id == messageId, ct);
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (message is null || conversation is null || message.Direction != MessageDirection.Outbound)
        {
            return Failure.NotFound();
        }

        if (message.Status is not (DeliveryState.Unknown or DeliveryState.Failed))
        {
            return Failure.Conflict("Only a reply whose outcome is unknown, or that failed, can be sent again.");
        }

        var now = clock.GetUtcNow();
        if (!(conversation.WindowExpiresAt > now))
        {
            return SendMessage.WindowClosed(conversation);
        }

        var previous = await db.OutboxItems.AsNoTracking()
            .Where(o => o.TenantId == tenantId && o.MessageId == messageId)
            .OrderByDescending(o => o.CreatedAt)
            .FirstAsync(ct);
        var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == tenantId && c.Id == message.ContactId, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);
        var item = new OutboxItem
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            MessageId = messageId,
            ChannelId = previous.ChannelId,
            ContactId = previous.ContactId,
            Kind = OutboxKind.Message,
            State = OutboxState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            UploadMimeType = previous.UploadMimeType,
            UploadFileName = previous.UploadFileName,
        };
        item.Request = Sealer.Seal(key, item.SealContext(nameof(OutboxItem.Request)), Sealer.Open(key, previous.SealContext(nameof(OutboxItem.Request)), previous.Request));
        if (previous.Upload is not null)
        {
            item.Upload = Sealer.Seal(key, item.SealContext(nameof(OutboxItem.Upload)), Sealer.Open(key, previous.SealContext(nameof(OutboxItem.Upload)), previous.Upload));
        }

        if (!await ConversationLedger.RequeueAsync(db, message, item, now, ct))
        {
            return Failure.Conflict("Only a reply whose outcome is unknown, or that failed, can be sent again.");
        }

        signal.Signal.Notify();
        return new SendMessage.Response(messageId, "queued");
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>Deletes one message (with its media, statuses and reactions) from the tenant's records; WhatsApp is not asked to unsend it.</summary>
internal static class DeleteMessage
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, Guid messageId, SwitchboardDbContext db, ErasureSteps erasure, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeleteAsync(tenantId, conversationId, messageId, db, erasure, AuditActor.From(http), clock, ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    public static async Task<Failure?> DeleteAsync(
        Guid tenantId, Guid conversationId, Guid messageId, SwitchboardDbContext db, ErasureSteps erasure, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.ConversationId == conversationId && m.Id == messageId, ct);
        if (message is null)
        {
            return Failure.NotFound();
        }

        if (await LegalHolds.HoldsConversationAsync(db, tenantId, conversationId, message.ContactId, ct))
        {
            return LegalHolds.Held();
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var deleted = await ConversationLedger.DeleteMessageAsync(db, erasure.Steps, message, now, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.MessageDeleted, $"message:{messageId}", new { conversationId }, now, ct);
        await erasure.Ledger.RecordAsync(db, new DeletionRecord(DeletionKinds.MessagesDeleted, tenantId, [messageId], []), ct);
        await transaction.CommitAsync(ct);
        await ErasureSteps.RunAfterCommitAsync(deleted.AfterCommit);
        return null;
    }
}

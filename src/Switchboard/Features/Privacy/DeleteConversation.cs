using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>Deletes a conversation and all its messages, media and statuses from the tenant's records; the contact stays.</summary>
internal static class DeleteConversation
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ErasureSteps erasure, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeleteAsync(tenantId, conversationId, db, erasure, AuditActor.From(http), clock, ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    public static async Task<Failure?> DeleteAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ErasureSteps erasure, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Failure.NotFound();
        }

        if (await LegalHolds.HoldsConversationAsync(db, tenantId, conversationId, conversation.ContactId, ct))
        {
            return LegalHolds.Held();
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (messages, deleted) = await ConversationLedger.DeleteConversationAsync(db, erasure.Steps, conversation, now, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ConversationDeleted, $"conversation:{conversationId}", new { conversation.ContactId, messages }, now, ct);
        await erasure.Ledger.RecordAsync(db, new DeletionRecord(DeletionKinds.ConversationDeleted, tenantId, [conversationId], []), ct);
        await transaction.CommitAsync(ct);
        await ErasureSteps.RunAfterCommitAsync(deleted.AfterCommit);
        return null;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Conversations;

/// <summary>Assigns a conversation to an active member of the tenant, or leaves it unassigned.</summary>
internal static class AssignConversation
{
    /// <summary>Assigns the conversation to an active member of the tenant, or (null) leaves it unassigned.</summary>
    public static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult, ValidationProblem>> HandleAsync(
        Guid tenantId, Guid conversationId, ConversationActions.AssignRequest request, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await AssignToAsync(tenantId, conversationId, request.UserId, db, ledger, contacts, clock, AuditActor.From(http), ct);
        return outcome switch
        {
            { Value: { } conversation } => TypedResults.Ok(conversation),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };
    }

    /// <summary>The assignment itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<ConversationResponse>> AssignToAsync(
        Guid tenantId, Guid conversationId, Guid? assigneeId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Failure.NotFound();
        }

        if (assigneeId is { } userId
            && !await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == userId && m.Status == MembershipStatus.Active, ct))
        {
            return Failure.Invalid("userId", "Not an active member of this tenant.");
        }

        var conversation = found.Conversation;
        if (conversation.AssignedUserId != assigneeId)
        {
            var now = clock.GetUtcNow();
            await ledger.AssignAsync(db, conversation, assigneeId, now, ct);
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ConversationAssigned, $"conversation:{conversationId}", new { userId = assigneeId }, now, ct);
        }

        return await LabelsApi.WithLabelsAsync(db, tenantId, ContactReader.ToResponse(conversation, await contacts.SummaryAsync(found.Contact, ct)), ct);
    }
}

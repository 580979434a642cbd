using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Conversations;

/// <summary>Resolves a conversation, sets it pending or reopens it.</summary>
internal static class SetConversationStatus
{
    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ResolveAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Resolved, db, ledger, contacts, clock, AuditActor.From(http), ct);

    /// <summary>Waiting on the customer or on someone else: out of the agents' open queue, not resolved.</summary>
    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> PendingAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Pending, db, ledger, contacts, clock, AuditActor.From(http), ct);

    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ReopenAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Open, db, ledger, contacts, clock, AuditActor.From(http), ct);

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> StatusOverHttpAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var outcome = await SetStatusAsync(tenantId, conversationId, status, db, ledger, contacts, clock, actor, ct);
        return outcome is { Value: { } conversation } ? TypedResults.Ok(conversation) : outcome.Failure!.ToProblem();
    }

    /// <summary>The status change itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<ConversationResponse>> SetStatusAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Failure.NotFound();
        }

        var conversation = found.Conversation;
        if (conversation.Status != status)
        {
            var now = clock.GetUtcNow();
            await ledger.SetStatusAsync(db, conversation, status, now, ct);
            await AuditLog.RecordAsync(db, tenantId, actor, status == ConversationStatus.Resolved ? AuditActions.ConversationResolved : AuditActions.ConversationStatusChanged,
                $"conversation:{conversationId}", new { status = status.ToString().ToLowerInvariant() }, now, ct);
        }

        return await LabelsApi.WithLabelsAsync(db, tenantId, ContactReader.ToResponse(conversation, await contacts.SummaryAsync(found.Contact, ct)), ct);
    }
}

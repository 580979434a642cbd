using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>Resolves a conversation, sets it pending or reopens it.</summary>
internal static class SetConversationStatus
{
    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ResolveAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Resolved, db, ledger, contacts, clock, ct);

    /// <summary>Waiting on the customer or on someone else: out of the agents' open queue, not resolved.</summary>
    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> PendingAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Pending, db, ledger, contacts, clock, ct);

    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ReopenAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Open, db, ledger, contacts, clock, ct);

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> StatusOverHttpAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await SetStatusAsync(tenantId, conversationId, status, db, ledger, contacts, clock, ct);
        return outcome is { Value: { } conversation } ? TypedResults.Ok(conversation) : outcome.Failure!.ToProblem();
    }

    /// <summary>The status change itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<ConversationResponse>> SetStatusAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ConversationLedger ledger, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Failure.NotFound();
        }

        var conversation = found.Conversation;
        if (conversation.Status != status)
        {
            await ledger.SetStatusAsync(db, conversation, status, clock.GetUtcNow(), ct);
        }

        return ContactReader.ToResponse(conversation, await contacts.SummaryAsync(found.Contact, ct));
    }
}

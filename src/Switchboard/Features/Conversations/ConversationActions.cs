using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Web;

using Switchboard.Features.Identity;

namespace Switchboard.Features.Conversations;

/// <summary>Get one conversation; resolve it, set it pending, reopen it.</summary>
internal static class ConversationActions
{
    public static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, CancellationToken ct)
    {
        var row = await LoadAsync(db, tenantId, conversationId, ct);
        return row is null ? Problems.NotFound() : TypedResults.Ok(ContactReader.ToResponse(row.Value.Conversation, await contacts.SummaryAsync(row.Value.Contact, ct)));
    }

    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ResolveAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Resolved, db, contacts, clock, ct);

    /// <summary>Waiting on the customer or on someone else: out of the agents' open queue, not resolved.</summary>
    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> PendingAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Pending, db, contacts, clock, ct);

    public static Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> ReopenAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        StatusOverHttpAsync(tenantId, conversationId, ConversationStatus.Open, db, contacts, clock, ct);

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> StatusOverHttpAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await SetStatusAsync(tenantId, conversationId, status, db, contacts, clock, ct);
        return outcome is { Value: { } conversation } ? TypedResults.Ok(conversation) : outcome.Failure!.ToProblem();
    }

    /// <summary>The status change itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<ConversationResponse>> SetStatusAsync(
        Guid tenantId, Guid conversationId, ConversationStatus status, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var row = await LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Failure.NotFound();
        }

        var conversation = found.Conversation;
        if (conversation.Status != status)
        {
            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            conversation.Status = status;
            conversation.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await RealtimeLog.AppendAsync(db, tenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, status.ToString().ToLowerInvariant(), now, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return ContactReader.ToResponse(conversation, await contacts.SummaryAsync(found.Contact, ct));
    }

    public sealed record AssignRequest(Guid? UserId);

    /// <summary>Assigns the conversation to an active member of the tenant, or (null) leaves it unassigned.</summary>
    public static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult, ValidationProblem>> AssignAsync(
        Guid tenantId, Guid conversationId, AssignRequest request, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await AssignToAsync(tenantId, conversationId, request.UserId, db, contacts, clock, ct);
        return outcome switch
        {
            { Value: { } conversation } => TypedResults.Ok(conversation),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };
    }

    /// <summary>The assignment itself, for the API and for the dashboard.</summary>
    public static async Task<Outcome<ConversationResponse>> AssignToAsync(
        Guid tenantId, Guid conversationId, Guid? assigneeId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct)
    {
        var row = await LoadAsync(db, tenantId, conversationId, ct);
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
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            conversation.AssignedUserId = assigneeId;
            conversation.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await RealtimeLog.AppendAsync(db, tenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "assigned", now, ct);
            await transaction.CommitAsync(ct);
        }

        return ContactReader.ToResponse(conversation, await contacts.SummaryAsync(found.Contact, ct));
    }

    internal static async Task<(Conversation Conversation, Contact Contact)?> LoadAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        var row = await (
            from c in db.Conversations
            join k in db.Contacts on new { c.TenantId, Id = c.ContactId } equals new { k.TenantId, k.Id }
            where c.TenantId == tenantId && c.Id == conversationId
            select new { c, k }).FirstOrDefaultAsync(ct);
        return row is null ? null : (row.c, row.k);
    }
}

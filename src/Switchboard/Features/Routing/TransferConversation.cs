using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Routing;

/// <summary>
/// Transfers a conversation to an agent (assigned at once, capacity or not: a person chose) or to a team
/// (its queue; the dispatcher assigns it), with an optional internal note; the history records it.
/// </summary>
internal static class TransferConversation
{
    public const int MaxNoteLength = 4096;

    public sealed record TransferRequest(Guid? TeamId, Guid? UserId, string? Note);

    public sealed record HistoryItem(
        Guid Id, DateTimeOffset At, string Kind, Guid? FromUserId, Guid? ToUserId, Guid? FromTeamId, Guid? ToTeamId, Guid? ByUserId, Guid? NoteMessageId, double? WaitedSeconds, JsonElement? Reason);

    public static async Task<Results<Ok<ConversationResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, TransferRequest request, SwitchboardDbContext db, ConversationLedger ledger, ContactKeys keys, ContactReader contacts,
        RoutingSignal signal, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await TransferAsync(tenantId, conversationId, request, db, ledger, keys, contacts, signal, clock, http.User.UserIdOf(), ct, AuditActor.From(http)) switch
        {
            { Value: { } conversation } => TypedResults.Ok(conversation),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<ConversationResponse>> TransferAsync(
        Guid tenantId, Guid conversationId, TransferRequest request, SwitchboardDbContext db, ConversationLedger ledger, ContactKeys keys, ContactReader contacts,
        RoutingSignal signal, TimeProvider clock, Guid? byUserId, CancellationToken ct, AuditActor? actor = null)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Failure.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        if ((request.TeamId is null) == (request.UserId is null))
        {
            errors["teamId"] = ["Exactly one of teamId and userId."];
        }
        else if (request.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.TenantId == tenantId && t.Id == teamId, ct))
        {
            errors["teamId"] = ["Not a team of this tenant."];
        }
        else if (request.UserId is { } userId
            && !await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == userId && m.Status == MembershipStatus.Active, ct))
        {
            errors["userId"] = ["Not an active member of this tenant."];
        }

        var note = request.Note?.Trim();
        if (note is { Length: > MaxNoteLength })
        {
            errors["note"] = [$"At most {MaxNoteLength} characters."];
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (conversation.Status == ConversationStatus.Resolved)
        {
            return Failure.Conflict("The conversation is resolved.", "Reopen it first.");
        }

        var now = clock.GetUtcNow();
        Message? noteMessage = null;
        var contact = await db.Contacts.FirstAsync(c => c.TenantId == tenantId && c.Id == conversation.ContactId, ct);
        if (!string.IsNullOrEmpty(note))
        {
            var key = await keys.KeyOfAsync(contact, ct);
            noteMessage = ConversationLedger.NewOutbound(conversation, key, new OutboundDraft(true, "note", JsonSerializer.Serialize(new { note }), note, null, null), now);
        }

        var entry = new AssignmentEntry
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversation.Id,
            At = now,
            Kind = AssignmentEntry.Transfer,
            FromUserId = conversation.AssignedUserId,
            ToUserId = request.UserId,
            FromTeamId = conversation.TeamId,
            ToTeamId = request.TeamId ?? conversation.TeamId,
            ByUserId = byUserId,
            NoteMessageId = noteMessage?.Id,
        };
        await ledger.TransferAsync(db, conversation, request.UserId, request.TeamId, noteMessage, [entry], now, ct);
        if (actor is not null)
        {
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ConversationTransferred, $"conversation:{conversationId}",
                new { toUserId = request.UserId, toTeamId = request.TeamId, fromUserId = entry.FromUserId, fromTeamId = entry.FromTeamId }, now, ct);
        }

        signal.Notify();
        return ContactReader.ToResponse(conversation, await contacts.SummaryAsync(contact, ct));
    }

    /// <summary>The conversation's assignments and transfers, oldest first, with why each automatic one went where it did.</summary>
    public static async Task<Results<Ok<Page<HistoryItem>>, ProblemHttpResult>> HistoryAsync(Guid tenantId, Guid conversationId, SwitchboardDbContext db, CancellationToken ct)
    {
        if (!await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct))
        {
            return Problems.NotFound();
        }

        var rows = await db.Assignments.AsNoTracking().Where(a => a.TenantId == tenantId && a.ConversationId == conversationId)
            .OrderBy(a => a.At).ThenBy(a => a.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(new Page<HistoryItem>(
            [.. rows.Select(a => new HistoryItem(
                a.Id, a.At, a.Kind, a.FromUserId, a.ToUserId, a.FromTeamId, a.ToTeamId, a.ByUserId, a.NoteMessageId,
                a.WaitedMs / 1000.0, a.Reason is null ? null : JsonDocument.Parse(a.Reason).RootElement.Clone()))],
            null));
    }
}

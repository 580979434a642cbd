using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

internal sealed record LegalHoldRequest(bool? Held);

internal sealed record LegalHoldResponse(bool Held, DateTimeOffset? PlacedAt);

/// <summary>Legal holds on a contact or a conversation: while one lasts, retention skips it and erasure answers 409 (ADR 0032).</summary>
internal static class LegalHolds
{
    /// <summary>True when the contact, or one of their conversations, is held (erasing the contact would remove it).</summary>
    public static Task<bool> HoldsContactAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, CancellationToken ct)
    {
        var theirs = db.Conversations.Where(c => c.TenantId == tenantId && c.ContactId == contactId).Select(c => c.Id);
        return db.LegalHolds.AnyAsync(h => h.TenantId == tenantId && (
            (h.Kind == LegalHold.ContactKind && h.TargetId == contactId) || (h.Kind == LegalHold.ConversationKind && theirs.Contains(h.TargetId))), ct);
    }

    /// <summary>True when the conversation or its contact is held.</summary>
    public static Task<bool> HoldsConversationAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, Guid contactId, CancellationToken ct) =>
        db.LegalHolds.AnyAsync(h => h.TenantId == tenantId && (
            (h.Kind == LegalHold.ContactKind && h.TargetId == contactId) || (h.Kind == LegalHold.ConversationKind && h.TargetId == conversationId)), ct);

    public static Failure Held() => Failure.Conflict("Under legal hold.", "Lift the legal hold before deleting or erasing it.");

    public static async Task<Results<Ok<LegalHoldResponse>, ValidationProblem, ProblemHttpResult>> SetContactAsync(
        Guid tenantId, Guid contactId, LegalHoldRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct)
            ? await SetAsync(tenantId, LegalHold.ContactKind, contactId, request, db, clock, http, ct)
            : Problems.NotFound();

    public static async Task<Results<Ok<LegalHoldResponse>, ValidationProblem, ProblemHttpResult>> SetConversationAsync(
        Guid tenantId, Guid conversationId, LegalHoldRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct)
            ? await SetAsync(tenantId, LegalHold.ConversationKind, conversationId, request, db, clock, http, ct)
            : Problems.NotFound();

    private static async Task<Results<Ok<LegalHoldResponse>, ValidationProblem, ProblemHttpResult>> SetAsync(
        Guid tenantId, string kind, Guid targetId, LegalHoldRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (request.Held is not { } held)
        {
            return Problems.Validation("held", "true to place a legal hold, false to lift it.");
        }

        var now = clock.GetUtcNow();
        var hold = await db.LegalHolds.FirstOrDefaultAsync(h => h.TenantId == tenantId && h.Kind == kind && h.TargetId == targetId, ct);
        var actor = AuditActor.From(http);
        if (held && hold is null)
        {
            hold = new LegalHold { TenantId = tenantId, Kind = kind, TargetId = targetId, PlacedAt = now, PlacedBy = actor.Id.Length <= 100 ? actor.Id : actor.Id[..100] };
            db.LegalHolds.Add(hold);
            await AuditLog.RecordAsync(db, tenantId, actor, PrivacyAudit.LegalHoldPlaced, $"{kind}:{targetId}", null, now, ct);
        }
        else if (!held && hold is not null)
        {
            db.LegalHolds.Remove(hold);
            await AuditLog.RecordAsync(db, tenantId, actor, PrivacyAudit.LegalHoldLifted, $"{kind}:{targetId}", new { hold.PlacedAt }, now, ct);
            hold = null;
        }

        return TypedResults.Ok(new LegalHoldResponse(hold is not null, hold?.PlacedAt));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Crypto-erases a customer (ADR 0026): in one transaction the contact's key is destroyed, then their
/// messages, conversations, statuses, reactions, media, queued sends, raw webhook events and exports are
/// purged and the erase audited (ids and counts only); the files go once it commits.
/// </summary>
internal static class EraseContact
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid contactId, SwitchboardDbContext db, ErasureSteps erasure, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await EraseAsync(tenantId, contactId, db, erasure, AuditActor.From(http), clock, ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Null when erased; an unknown contact, or one erased already, is not found; a held one (or one with a held conversation) is a conflict.</summary>
    public static async Task<Failure?> EraseAsync(
        Guid tenantId, Guid contactId, SwitchboardDbContext db, ErasureSteps erasure, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId, ct);
        if (contact is null)
        {
            return Failure.NotFound();
        }

        if (await LegalHolds.HoldsContactAsync(db, tenantId, contactId, ct))
        {
            return LegalHolds.Held();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (counts, erased) = await ConversationLedger.EraseContactAsync(db, erasure.Directory, erasure.Steps, contact, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ContactErased, $"contact:{contactId}", counts, clock.GetUtcNow(), ct);
        await erasure.Ledger.RecordAsync(db, new DeletionRecord(DeletionKinds.ContactErased, tenantId, [contactId], [DeletionKeyIds.Contact(contactId)]), ct);
        await transaction.CommitAsync(ct);
        await ErasureSteps.RunAfterCommitAsync(erased.AfterCommit);
        return null;
    }
}

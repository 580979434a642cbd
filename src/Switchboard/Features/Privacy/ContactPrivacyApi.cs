using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

internal sealed record ContactPrivacyRequest(bool? Minor, bool? Restricted);

internal sealed record ContactPrivacyResponse(Guid ContactId, bool Minor, bool Restricted, bool LegalHold);

/// <summary>A contact's privacy flags: a minor (the shorter schedule applies), restricted (no bots, analytics or automation), and their legal hold.</summary>
internal static class ContactPrivacyApi
{
    public static async Task<Results<Ok<ContactPrivacyResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid contactId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct)
            ? TypedResults.Ok(await ResponseAsync(db, tenantId, contactId, ct))
            : Problems.NotFound();

    /// <summary>Changes the flags given (the others stay), audited.</summary>
    public static async Task<Results<Ok<ContactPrivacyResponse>, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid contactId, ContactPrivacyRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct))
        {
            return Problems.NotFound();
        }

        var now = clock.GetUtcNow();
        var flags = await ContactRestrictions.SetAsync(db, tenantId, contactId, request.Minor, request.Restricted, now, ct);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), PrivacyAudit.ContactFlagsChanged, $"contact:{contactId}", new { flags.Minor, flags.Restricted }, now, ct);
        return TypedResults.Ok(await ResponseAsync(db, tenantId, contactId, ct));
    }

    private static async Task<ContactPrivacyResponse> ResponseAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, CancellationToken ct)
    {
        var flags = await db.ContactPrivacy.AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId && p.ContactId == contactId, ct);
        var held = await db.LegalHolds.AnyAsync(h => h.TenantId == tenantId && h.Kind == LegalHold.ContactKind && h.TargetId == contactId, ct);
        return new ContactPrivacyResponse(contactId, flags?.Minor ?? false, flags?.Restricted ?? false, held);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>Requests an export of one contact or of the whole tenant; the runner builds it in the background.</summary>
internal static class CreateExport
{
    public static async Task<Results<Accepted<ExportResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, ExportRequest request, SwitchboardDbContext db, ExportSignal signal, ExportLinks links, IOptions<SwitchboardOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await RequestAsync(tenantId, request.ContactId, db, signal, AuditActor.From(http), clock, ct);
        if (outcome.Value is not { } export)
        {
            return outcome.Failure!.ToProblem();
        }

        var response = ExportsApi.ToResponse(export, links, PublicUrls.BaseOf(options.Value, http.Request));
        return TypedResults.Accepted($"/api/v1/tenants/{tenantId}/exports/{export.Id}", response);
    }

    /// <summary>The request itself, audited in the same transaction; an unknown or erased contact is not found.</summary>
    public static async Task<Outcome<Export>> RequestAsync(
        Guid tenantId, Guid? contactId, SwitchboardDbContext db, ExportSignal signal, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        if (contactId is { } id && !await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == id && c.DataKey != null, ct))
        {
            return Failure.NotFound();
        }

        var now = clock.GetUtcNow();
        var export = new Export
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ContactId = contactId,
            State = ExportState.Running,
            RequestedBy = actor.Id.Length <= 100 ? actor.Id : actor.Id[..100],
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.Exports.Add(export);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ExportCreated, $"export:{export.Id}", new { contactId, scope = contactId is null ? "tenant" : "contact" }, now, ct);
        signal.Signal.Notify();
        return export;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

internal sealed record MinimisationSettings(bool? MinimalMessages);

/// <summary>
/// The tenant's data-minimisation setting (ADR 0047): with <c>minimalMessages</c> new messages keep only the minimum of WhatsApp's
/// message object, raw webhook events are dropped once processed, and the retention run trims what was stored before. Audited.
/// </summary>
internal static class MinimisationApi
{
    public static async Task<Results<Ok<MinimisationSettings>, ProblemHttpResult>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => (bool?)t.MinimalMessages).FirstOrDefaultAsync(ct) is { } on
            ? TypedResults.Ok(new MinimisationSettings(on))
            : Problems.NotFound();

    public static async Task<Results<Ok<MinimisationSettings>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, MinimisationSettings request, SwitchboardDbContext db, MinimalMessages minimal, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (request.MinimalMessages is not { } wanted)
        {
            return Problems.Validation("minimalMessages", "Required: true or false.");
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Problems.NotFound();
        }

        if (tenant.MinimalMessages != wanted)
        {
            tenant.MinimalMessages = wanted;
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), PrivacyAudit.MinimisationChanged, $"tenant:{tenantId}",
                new { minimalMessages = wanted }, clock.GetUtcNow(), ct);
            minimal.Forget(tenantId);
        }

        return TypedResults.Ok(new MinimisationSettings(wanted));
    }
}

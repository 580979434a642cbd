using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>Tenant security settings (for now: whether MFA is mandatory for every user of the tenant).</summary>
internal static class SettingsApi
{
    public sealed record SettingsResponse(bool MfaRequired);

    public sealed record SettingsRequest(bool? MfaRequired);

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        return tenant is null ? Problems.NotFound() : TypedResults.Ok(new SettingsResponse(tenant.MfaRequired));
    }

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid tenantId, SettingsRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (request.MfaRequired is null)
        {
            return Problems.Validation("mfaRequired", "Required: true or false.");
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Problems.NotFound();
        }

        if (tenant.MfaRequired != request.MfaRequired.Value)
        {
            var old = tenant.MfaRequired;
            tenant.MfaRequired = request.MfaRequired.Value;
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.SettingsChanged, $"tenant:{tenantId}",
                new { setting = "mfaRequired", from = old, to = tenant.MfaRequired }, clock.GetUtcNow(), ct);
        }

        return TypedResults.Ok(new SettingsResponse(tenant.MfaRequired));
    }
}

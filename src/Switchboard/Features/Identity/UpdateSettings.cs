using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.SettingsApi;

namespace Switchboard.Features.Identity;

/// <summary>Changes a tenant's security settings; each change is audited.</summary>
internal static class UpdateSettings
{
    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult, ValidationProblem>> HandleAsync(
        Guid tenantId, SettingsRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await UpdateAsync(tenantId, request, db, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } settings } => TypedResults.Ok(settings),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<SettingsResponse>> UpdateAsync(
        Guid tenantId, SettingsRequest request, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        if (request.MfaRequired is null)
        {
            return Failure.Invalid("mfaRequired", "Required: true or false.");
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Failure.NotFound();
        }

        if (tenant.MfaRequired != request.MfaRequired.Value)
        {
            var old = tenant.MfaRequired;
            tenant.MfaRequired = request.MfaRequired.Value;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.SettingsChanged, $"tenant:{tenantId}",
                new { setting = "mfaRequired", from = old, to = tenant.MfaRequired }, clock.GetUtcNow(), ct);
        }

        return new SettingsResponse(tenant.MfaRequired);
    }
}

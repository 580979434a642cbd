using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>A change of the minimisation settings; a field left out stays as it is.</summary>
internal sealed record MinimisationRequest(bool? MinimalMessages, int? CredentialRotationDays);

internal sealed record MinimisationSettings(bool MinimalMessages, int CredentialRotationDays, int MinimumCredentialRotationDays, int MaximumCredentialRotationDays);

/// <summary>
/// The tenant's data-minimisation settings (ADR 0051): with <c>minimalMessages</c> new messages keep only the minimum of WhatsApp's
/// message object, raw webhook events are dropped once processed and the retention run trims what was stored before;
/// <c>credentialRotationDays</c> is the age at which channel credentials and the tenant key are reminded. Audited.
/// </summary>
internal static class MinimisationApi
{
    public static async Task<Results<Ok<MinimisationSettings>, ProblemHttpResult>> GetAsync(
        Guid tenantId, SwitchboardDbContext db, IOptions<PrivacyOptions> options, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.MinimalMessages, t.CredentialRotationDays }).FirstOrDefaultAsync(ct) is { } tenant
            ? TypedResults.Ok(Settings(tenant.MinimalMessages, tenant.CredentialRotationDays, options.Value))
            : Problems.NotFound();

    public static async Task<Results<Ok<MinimisationSettings>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, MinimisationRequest request, SwitchboardDbContext db, MinimalMessages minimal, IOptions<PrivacyOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var limits = options.Value;
        if (request is { MinimalMessages: null, CredentialRotationDays: null })
        {
            return Problems.Validation("minimalMessages", "Give minimalMessages (true or false), credentialRotationDays, or both.");
        }

        if (request.CredentialRotationDays is { } days && (days < limits.MinimumCredentialRotationDays || days > limits.MaximumCredentialRotationDays))
        {
            return Problems.Validation("credentialRotationDays", $"Between {limits.MinimumCredentialRotationDays} and {limits.MaximumCredentialRotationDays} days.");
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Problems.NotFound();
        }

        var before = new { tenant.MinimalMessages, tenant.CredentialRotationDays };
        if (request.MinimalMessages is { } wanted && wanted != tenant.MinimalMessages)
        {
            tenant.MinimalMessages = wanted;
            tenant.MinimalTrimPending = wanted;
        }

        if (request.CredentialRotationDays is { } policy && policy != tenant.CredentialRotationDays)
        {
            tenant.CredentialRotationDays = policy;
            tenant.RotationCheckAt = null; // Checked against the new policy at the next round.
        }

        if (before.MinimalMessages != tenant.MinimalMessages || before.CredentialRotationDays != tenant.CredentialRotationDays)
        {
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), PrivacyAudit.MinimisationChanged, $"tenant:{tenantId}",
                new { from = before, to = new { tenant.MinimalMessages, tenant.CredentialRotationDays } }, clock.GetUtcNow(), ct);
            minimal.Forget(tenantId);
        }

        return TypedResults.Ok(Settings(tenant.MinimalMessages, tenant.CredentialRotationDays, limits));
    }

    public static int RotationDays(int? chosen, PrivacyOptions options) => chosen ?? options.CredentialRotationDays;

    private static MinimisationSettings Settings(bool minimalMessages, int? rotationDays, PrivacyOptions options) =>
        new(minimalMessages, RotationDays(rotationDays, options), options.MinimumCredentialRotationDays, options.MaximumCredentialRotationDays);
}

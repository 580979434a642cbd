using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using static Switchboard.Features.Identity.SettingsApi;

namespace Switchboard.Features.Identity;

/// <summary>A tenant's security settings.</summary>
internal static class GetSettings
{
    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> HandleAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var outcome = await GetAsync(tenantId, db, ct);
        return outcome is { Value: { } settings } ? TypedResults.Ok(settings) : outcome.Failure!.ToProblem();
    }

    public static async Task<Outcome<SettingsResponse>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        return tenant is null ? Failure.NotFound() : new SettingsResponse(tenant.MfaRequired);
    }
}

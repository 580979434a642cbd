using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;

namespace Switchboard.Features.Tenants;

internal static class GetTenant
{
    public static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> HandleAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var outcome = await GetAsync(tenantId, db, ct);
        return outcome is { Value: { } tenant } ? TypedResults.Ok(tenant) : outcome.Failure!.ToProblem();
    }

    /// <summary>An active tenant; an erased or unknown one is not found.</summary>
    public static async Task<Outcome<TenantResponse>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var tenant = await db.Tenants
            .Where(t => t.Id == tenantId && t.Status == TenantStatus.Active)
            .Select(t => new TenantResponse(
                t.Id,
                t.Name,
                "active",
                t.CreatedAt,
                t.Keys.Where(k => k.Purpose == TenantKey.DataPurpose).Max(k => k.Version)))
            .FirstOrDefaultAsync(ct);
        return tenant is null ? Failure.NotFound() : tenant;
    }
}

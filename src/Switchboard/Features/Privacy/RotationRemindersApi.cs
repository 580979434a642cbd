using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Privacy;

internal sealed record RotationRemindersResponse(int CredentialRotationDays, IReadOnlyList<OverdueCredential> Items);

/// <summary><c>GET …/privacy/reminders</c>: the tenant's credentials older than its rotation policy now, with their last reminder (ADR 0051).</summary>
internal static class RotationRemindersApi
{
    public static async Task<Results<Ok<RotationRemindersResponse>, ProblemHttpResult>> ListAsync(
        Guid tenantId, SwitchboardDbContext db, IOptions<PrivacyOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.CredentialRotationDays }).FirstOrDefaultAsync(ct);
        if (tenant is null)
        {
            return Problems.NotFound();
        }

        var days = MinimisationApi.RotationDays(tenant.CredentialRotationDays, options.Value);
        return TypedResults.Ok(new RotationRemindersResponse(days, await RotationReminders.OverdueAsync(db, tenantId, days, clock.GetUtcNow(), ct)));
    }
}

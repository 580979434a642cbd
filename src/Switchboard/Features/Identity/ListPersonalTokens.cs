using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using static Switchboard.Features.Identity.TokensApi;

namespace Switchboard.Features.Identity;

/// <summary>The calling user's own personal tokens in the tenant.</summary>
internal static class ListPersonalTokens
{
    public static async Task<Results<Ok<ListResponse>, ProblemHttpResult>> HandleAsync(Guid tenantId, SwitchboardDbContext db, HttpContext http, CancellationToken ct)
    {
        var outcome = await ListAsync(tenantId, db, http.User, ct);
        return outcome is { Value: { } list } ? TypedResults.Ok(list) : outcome.Failure!.ToProblem();
    }

    public static async Task<Outcome<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        if (caller.UserIdOf() is not { } userId)
        {
            return NotAUser("Only a signed-in user has personal tokens.");
        }

        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.TenantId == tenantId && t.UserId == userId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return new ListResponse([.. tokens.Select(ToResponse)]);
    }
}

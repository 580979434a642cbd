using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.TokensApi;

namespace Switchboard.Features.Identity;

/// <summary>Revokes a token within the caller's power; a more powerful one is answered like a missing one (404).</summary>
internal static class RevokeToken
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid tokenId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await RevokeAsync(tenantId, tokenId, db, clock, http.User, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Null when done, otherwise why not.</summary>
    public static async Task<Failure?> RevokeAsync(
        Guid tenantId, Guid tokenId, SwitchboardDbContext db, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == tokenId, ct);
        if (token is null || !Grants.Covers(caller, Grants.PowerOf(token, RoleOf(await RolesOfOwnersAsync(db, tenantId, [token], ct), token))))
        {
            return Failure.NotFound();
        }

        return await TokensApi.RevokeAsync(db, tenantId, tokenId, ownerOnly: null, actor, clock.GetUtcNow(), ct);
    }
}

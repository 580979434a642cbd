using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using static Switchboard.Features.Identity.TokensApi;

namespace Switchboard.Features.Identity;

/// <summary>The tenant's tokens within the caller's power (the tenant admin key and full-scope tokens only for admins).</summary>
internal static class ListTokens
{
    public static async Task<Ok<ListResponse>> HandleAsync(Guid tenantId, SwitchboardDbContext db, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await ListAsync(tenantId, db, http.User, ct));

    public static async Task<ListResponse> ListAsync(Guid tenantId, SwitchboardDbContext db, ClaimsPrincipal caller, CancellationToken ct)
    {
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var roles = await RolesOfOwnersAsync(db, tenantId, tokens, ct);
        return new ListResponse([.. tokens.Where(t => Grants.Covers(caller, Grants.PowerOf(t, RoleOf(roles, t)))).Select(ToResponse)]);
    }
}

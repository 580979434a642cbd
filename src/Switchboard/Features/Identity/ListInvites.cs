using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>A tenant's open invites (not accepted, revoked or expired), oldest first.</summary>
internal static class ListInvites
{
    public static async Task<Ok<InviteListResponse>> HandleAsync(Guid tenantId, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await ListAsync(tenantId, db, clock, ct));

    public static async Task<InviteListResponse> ListAsync(Guid tenantId, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var invites = await db.Invites.AsNoTracking()
            .Where(i => i.TenantId == tenantId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.CreatedAt).ToListAsync(ct);
        return new InviteListResponse([.. invites.Select(i => ToResponse(i, null))]);
    }
}

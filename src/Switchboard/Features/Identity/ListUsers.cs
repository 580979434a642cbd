using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>A tenant's members, by email.</summary>
internal static class ListUsers
{
    public static async Task<Ok<ListResponse>> HandleAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ListAsync(tenantId, db, ct));

    public static async Task<ListResponse> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var rows = await (
            from m in db.Memberships.AsNoTracking()
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            where m.TenantId == tenantId
            orderby u.Email
            select new { m, u }).ToListAsync(ct);
        return new ListResponse([.. rows.Select(r => ToResponse(r.m, r.u))]);
    }
}

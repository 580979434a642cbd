using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;

namespace Switchboard.Features.Tenants;

/// <summary>The operator's list of tenants, oldest first, with keyset paging on the time-ordered id.</summary>
internal static class ListTenants
{
    public static async Task<Page<TenantResponse>> HandleAsync(SwitchboardDbContext db, string? cursor, int? limit, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var query = db.Tenants.Where(t => t.Status == TenantStatus.Active);
        if (Paging.DecodeGuid(cursor) is { } after)
        {
            query = query.Where(t => t.Id.CompareTo(after) > 0);
        }

        var items = await query
            .OrderBy(t => t.Id)
            .Take(take + 1)
            .Select(t => new TenantResponse(t.Id, t.Name, "active", t.CreatedAt, t.Keys.Where(k => k.Purpose == TenantKey.DataPurpose).Max(k => k.Version)))
            .ToListAsync(ct);
        return Paging.PageOf(items, take, t => t.Id);
    }
}

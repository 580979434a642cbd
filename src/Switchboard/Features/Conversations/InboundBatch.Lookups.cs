using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The batch's lookups of messages and statuses by (tenant, number, wamid). On PostgreSQL each joins the exact keys
/// (<c>unnest</c> of parallel arrays) rather than three independent <c>ANY</c> lists: an index probe per key whatever the
/// table's statistics say, never a walk of the primary key to avoid a sort (ADR 0070). SQLite keeps its <c>IN</c> lists.
/// </summary>
internal sealed partial class InboundBatch
{
    /// <summary>The messages these keys name; on PostgreSQL locked in the order (TenantId, Id), as every batch locks them.</summary>
    private static async Task<List<Message>> MessagesByKeyAsync(SwitchboardDbContext db, HashSet<(Guid Tenant, Guid Channel, string Wamid)> keys, CancellationToken ct)
    {
        var (tenantIds, channelIds, wamids) = Columns(keys);
        if (db.IsSqlite)
        {
            var (tenantList, channelList) = (tenantIds.Distinct().ToList(), channelIds.Distinct().ToList());
            return await db.Messages.Where(m => tenantList.Contains(m.TenantId) && channelList.Contains(m.ChannelId) && wamids.Contains(m.Wamid!)).ToListAsync(ct);
        }

        return await db.Messages.FromSql(
                $"""
                SELECT m.* FROM "Messages" AS m
                JOIN unnest({tenantIds}, {channelIds}, {wamids}) AS k(tenant_id, channel_id, wamid)
                  ON m."TenantId" = k.tenant_id AND m."ChannelId" = k.channel_id AND m."Wamid" = k.wamid
                ORDER BY m."TenantId", m."Id" FOR UPDATE OF m
                """)
            .ToListAsync(ct);
    }

    /// <summary>The statuses already recorded for these keys.</summary>
    private static async Task<List<(Guid TenantId, Guid ChannelId, string Wamid, DeliveryState Status)>> StatusesByKeyAsync(
        SwitchboardDbContext db, HashSet<(Guid Tenant, Guid Channel, string Wamid)> keys, CancellationToken ct)
    {
        var (tenantIds, channelIds, wamids) = Columns(keys);
        IQueryable<StatusUpdate> query;
        if (db.IsSqlite)
        {
            var (tenantList, channelList) = (tenantIds.Distinct().ToList(), channelIds.Distinct().ToList());
            query = db.StatusUpdates.Where(s => tenantList.Contains(s.TenantId) && channelList.Contains(s.ChannelId) && wamids.Contains(s.Wamid));
        }
        else
        {
            query = db.StatusUpdates.FromSql(
                $"""
                SELECT s.* FROM "StatusUpdates" AS s
                JOIN unnest({tenantIds}, {channelIds}, {wamids}) AS k(tenant_id, channel_id, wamid)
                  ON s."TenantId" = k.tenant_id AND s."ChannelId" = k.channel_id AND s."Wamid" = k.wamid
                """);
        }

        var rows = await query.AsNoTracking().Select(s => new { s.TenantId, s.ChannelId, s.Wamid, s.Status }).ToListAsync(ct);
        return [.. rows.Select(s => (s.TenantId, s.ChannelId, s.Wamid, s.Status))];
    }

    /// <summary>The keys as parallel arrays (PostgreSQL's <c>unnest</c>); SQLite's <c>IN</c> lists ask for any combination of them.</summary>
    private static (Guid[] Tenants, Guid[] Channels, string[] Wamids) Columns(HashSet<(Guid Tenant, Guid Channel, string Wamid)> keys)
    {
        var (tenants, channels, wamids) = (new Guid[keys.Count], new Guid[keys.Count], new string[keys.Count]);
        var i = 0;
        foreach (var (tenant, channel, wamid) in keys)
        {
            (tenants[i], channels[i], wamids[i]) = (tenant, channel, wamid);
            i++;
        }

        return (tenants, channels, wamids);
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The batch's lookups by exact key: messages and statuses by (tenant, number, wamid), current conversations by (tenant,
/// number, customer). On PostgreSQL each joins the keys (<c>unnest</c> of parallel
/// arrays) rather than independent <c>ANY</c> lists: an index probe per key whatever the table's statistics say, never a
/// walk of a whole table or tenant (ADR 0070, ADR 0071). SQLite keeps <c>IN</c> lists.
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

    /// <summary>
    /// The conversations of these customers on the batch's numbers. On PostgreSQL only each (tenant, number, customer)'s
    /// current one, found through the unique (tenant, number, customer, sequence) index and locked in the order
    /// (TenantId, Id); SQLite, one writer, reads every sequence of those keys through the same index.
    /// </summary>
    private Task<List<Conversation>> ConversationsOfAsync(SwitchboardDbContext db, List<Contact> contacts, CancellationToken ct)
    {
        var channelsOf = wamidKeys.Select(k => (k.Tenant, k.Channel)).Distinct().ToLookup(k => k.Tenant, k => k.Channel);
        var keys = contacts.SelectMany(c => channelsOf[c.TenantId].Select(channel => (c.TenantId, channel, c.Id))).Distinct().ToList();
        return ConversationsByKeyAsync(db, keys, ct);
    }

    /// <summary>The conversations of these (tenant, number, customer) keys; see <see cref="ConversationsOfAsync"/>.</summary>
    internal static async Task<List<Conversation>> ConversationsByKeyAsync(SwitchboardDbContext db, IReadOnlyList<(Guid Tenant, Guid Channel, Guid Contact)> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var (tenantIds, channelIds, contactIds) = Columns(keys);
        if (db.IsSqlite)
        {
            var (tenantList, channelList, contactList) = (tenantIds.Distinct().ToList(), channelIds.Distinct().ToList(), contactIds.Distinct().ToList());
            return await db.Conversations.Where(c => tenantList.Contains(c.TenantId) && channelList.Contains(c.ChannelId) && contactList.Contains(c.ContactId)).ToListAsync(ct);
        }

        // Locked after the sort, in the order every batch locks conversations.
        return await db.Conversations.FromSql(
                $"""
                SELECT c.* FROM "Conversations" AS c
                JOIN (
                    SELECT l."TenantId", l."Id" FROM unnest({tenantIds}, {channelIds}, {contactIds}) AS k(tenant_id, channel_id, contact_id)
                    CROSS JOIN LATERAL (
                        SELECT x."TenantId", x."Id" FROM "Conversations" AS x
                        WHERE x."TenantId" = k.tenant_id AND x."ChannelId" = k.channel_id AND x."ContactId" = k.contact_id
                        ORDER BY x."Sequence" DESC LIMIT 1) AS l) AS current ON c."TenantId" = current."TenantId" AND c."Id" = current."Id"
                ORDER BY c."TenantId", c."Id" FOR UPDATE OF c
                """)
            .ToListAsync(ct);
    }

    /// <summary>The keys as parallel arrays (PostgreSQL's <c>unnest</c>); SQLite's <c>IN</c> lists ask for any combination of them.</summary>
    private static (Guid[] Tenants, Guid[] Channels, T[] Values) Columns<T>(IReadOnlyCollection<(Guid Tenant, Guid Channel, T Value)> keys)
    {
        var (tenants, channels, values) = (new Guid[keys.Count], new Guid[keys.Count], new T[keys.Count]);
        var i = 0;
        foreach (var (tenant, channel, value) in keys)
        {
            (tenants[i], channels[i], values[i]) = (tenant, channel, value);
            i++;
        }

        return (tenants, channels, values);
    }
}

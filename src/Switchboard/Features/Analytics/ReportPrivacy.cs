using Switchboard.Common.Persistence;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Analytics;

/// <summary>Contacts who restricted processing or objected are left out of analytics from then on (ADR 0030, 0032).</summary>
internal static class ReportPrivacy
{
    /// <summary>Which of these (tenant, contact) pairs are restricted now.</summary>
    public static async Task<HashSet<(Guid TenantId, Guid ContactId)>> RestrictedAsync(SwitchboardDbContext db, IEnumerable<(Guid TenantId, Guid ContactId)> contacts, CancellationToken ct)
    {
        var restricted = new HashSet<(Guid, Guid)>();
        foreach (var tenant in contacts.Distinct().GroupBy(c => c.TenantId))
        {
            var ids = tenant.Select(c => c.ContactId).ToList();
            foreach (var contact in (await ContactRestrictions.RestrictedSinceAsync(db, tenant.Key, ids, ct)).Keys)
            {
                restricted.Add((tenant.Key, contact));
            }
        }

        return restricted;
    }

    /// <summary>Which of these (tenant, contact) pairs are restricted now, and since when.</summary>
    public static async Task<Dictionary<(Guid TenantId, Guid ContactId), DateTimeOffset>> RestrictedSinceAsync(
        SwitchboardDbContext db, IEnumerable<(Guid TenantId, Guid ContactId)> contacts, CancellationToken ct)
    {
        var restricted = new Dictionary<(Guid, Guid), DateTimeOffset>();
        foreach (var tenant in contacts.Distinct().GroupBy(c => c.TenantId))
        {
            var ids = tenant.Select(c => c.ContactId).ToList();
            foreach (var (contact, since) in await ContactRestrictions.RestrictedSinceAsync(db, tenant.Key, ids, ct))
            {
                restricted[(tenant.Key, contact)] = since;
            }
        }

        return restricted;
    }
}

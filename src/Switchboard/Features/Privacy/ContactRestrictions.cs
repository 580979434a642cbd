using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Whether a contact asked for restriction of processing or objected (a data-rights request, or an admin's flag):
/// bots, analytics and automation ask this before acting on the contact (ADR 0032).
/// </summary>
internal static class ContactRestrictions
{
    public static Task<bool> IsRestrictedAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, CancellationToken ct) =>
        db.ContactPrivacy.AnyAsync(p => p.TenantId == tenantId && p.ContactId == contactId && p.Restricted, ct);

    /// <summary>Of <paramref name="contactIds"/> (all the tenant's when null), the restricted ones and when their flags last changed: analytics counts nothing of them from then on.</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> RestrictedSinceAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<Guid>? contactIds, CancellationToken ct)
    {
        var rows = db.ContactPrivacy.AsNoTracking().Where(p => p.TenantId == tenantId && p.Restricted);
        if (contactIds is not null)
        {
            rows = rows.Where(p => contactIds.Contains(p.ContactId));
        }

        return await rows.ToDictionaryAsync(p => p.ContactId, p => p.UpdatedAt, ct);
    }

    /// <summary>Sets the contact's flags that are given (null: unchanged) in the caller's unit of work; the caller saves.</summary>
    public static async Task<ContactPrivacy> SetAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, bool? minor, bool? restricted, DateTimeOffset now, CancellationToken ct)
    {
        var flags = await db.ContactPrivacy.FirstOrDefaultAsync(p => p.TenantId == tenantId && p.ContactId == contactId, ct);
        if (flags is null)
        {
            flags = new ContactPrivacy { TenantId = tenantId, ContactId = contactId };
            db.ContactPrivacy.Add(flags);
        }

        flags.Minor = minor ?? flags.Minor;
        flags.Restricted = restricted ?? flags.Restricted;
        flags.UpdatedAt = now;
        return flags;
    }
}

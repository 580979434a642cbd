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

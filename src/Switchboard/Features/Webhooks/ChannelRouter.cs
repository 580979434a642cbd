using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Routes a change to a channel by Meta's phone_number_id (or, for account-level fields, the WABA id).
/// When the URL named a tenant, only that tenant's channels count: a number of another tenant is treated
/// as unknown, never guessed into it.
/// </summary>
internal static class ChannelRouter
{
    public static async Task<Channel?> ByPhoneNumberIdAsync(SwitchboardDbContext db, ChannelDirectory channels, string? phoneNumberId, Guid? urlTenant, CancellationToken ct) =>
        string.IsNullOrEmpty(phoneNumberId) || await channels.FindAsync(db, phoneNumberId, ct) is not { } channel || (urlTenant is not null && channel.TenantId != urlTenant)
            ? null
            : channel;

    public static Task<List<Channel>> ByWabaIdAsync(SwitchboardDbContext db, IReadOnlyCollection<string> wabaIds, Guid? urlTenant, CancellationToken ct) =>
        db.Channels.IgnoreQueryFilters()
            .Where(c => wabaIds.Contains(c.WabaId) && (urlTenant == null || c.TenantId == urlTenant))
            .ToListAsync(ct);
}

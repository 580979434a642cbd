using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Channels;

/// <summary>
/// Channels by Meta's phone_number_id, for routing webhooks without a query per change. Entries live a few
/// seconds and are dropped at once when a channel of the tenant changes on any node (rotate, revoke; ADR 0056).
/// </summary>
internal sealed class ChannelDirectory
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Channel? Channel, DateTimeOffset Expires)> byPhoneNumberId = new();
    private readonly TimeProvider clock;

    public ChannelDirectory(ChannelChanges changes, TimeProvider clock)
    {
        this.clock = clock;
        changes.Changed += tenantId =>
        {
            foreach (var entry in byPhoneNumberId.Where(e => tenantId is null || e.Value.Channel is null || e.Value.Channel.TenantId == tenantId))
            {
                byPhoneNumberId.TryRemove(entry.Key, out _);
            }
        };
    }

    /// <summary>A read-only snapshot of the channel with this phone number id, or null.</summary>
    public async Task<Channel?> FindAsync(SwitchboardDbContext db, string phoneNumberId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (byPhoneNumberId.TryGetValue(phoneNumberId, out var cached) && cached.Expires > now)
        {
            return cached.Channel;
        }

        var channel = await db.Channels.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.PhoneNumberId == phoneNumberId, ct);
        byPhoneNumberId[phoneNumberId] = (channel, now + Lifetime);
        return channel;
    }
}

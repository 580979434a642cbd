using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Records value-level errors and non-message fields (account_update, template status, …) as channel
/// events, once each (the caller saves); an account restricted, disabled or removed by Meta marks its channels.
/// </summary>
internal static class RecordChannelEvent
{
    private static readonly HashSet<string> Restricting = ["ACCOUNT_RESTRICTION", "DISABLED_UPDATE", "ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"];
    private static readonly HashSet<string> Restoring = ["ACCOUNT_RECONNECTED"];

    public static async Task HandleAsync(
        SwitchboardDbContext db, Guid tenantId, Guid? channelId, string field, string eventName, JsonElement? error, JsonElement value, DateTimeOffset occurredAt, string dedupeSource, TimeProvider clock, CancellationToken ct)
    {
        var dedupeKey = SHA256.HashData(Encoding.UTF8.GetBytes($"{channelId}|{field}|{eventName}|{dedupeSource}"));
        if (db.ChannelEvents.Local.Any(e => e.TenantId == tenantId && e.DedupeKey.AsSpan().SequenceEqual(dedupeKey))
            || await db.ChannelEvents.AnyAsync(e => e.TenantId == tenantId && e.DedupeKey == dedupeKey, ct))
        {
            return;
        }

        var details = value.GetRawText();
        db.ChannelEvents.Add(new ChannelEvent
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(),
            ChannelId = channelId,
            Field = LenientJson.Storable(field, 64)!,
            Event = LenientJson.Storable(eventName, 64)!,
            Code = (int?)error?.Long("code"),
            Title = LenientJson.Storable(error?.String("title"), 200),
            OccurredAt = occurredAt,
            Details = LenientJson.Storable(details, 16000)!,
            DedupeKey = dedupeKey,
            ReceivedAt = clock.GetUtcNow(),
        });
    }

    /// <summary>Applies what an account_update means for the channels of that account.</summary>
    public static void ApplyAccountUpdate(IEnumerable<Channel> channels, string eventName, JsonElement value, TimeProvider clock)
    {
        var reinstated = eventName == "DISABLED_UPDATE" && value.Get("ban_info")?.String("waba_ban_state") == "REINSTATE";
        foreach (var channel in channels.Where(c => c.Status != ChannelStatus.Revoked))
        {
            if (Restricting.Contains(eventName) && !reinstated)
            {
                channel.Status = ChannelStatus.Restricted;
                channel.UpdatedAt = clock.GetUtcNow();
            }
            else if ((Restoring.Contains(eventName) || reinstated) && channel.Status == ChannelStatus.Restricted)
            {
                channel.Status = ChannelStatus.Active;
                channel.UpdatedAt = clock.GetUtcNow();
            }
        }
    }
}

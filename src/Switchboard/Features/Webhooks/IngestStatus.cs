using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Records one <c>statuses[]</c> item once per (number, wamid, status) and applies it to the message when
/// the message is known. The recipient's phone number is not kept: the wamid says which message it is.
/// </summary>
internal static class IngestStatus
{
    public static async Task HandleAsync(SwitchboardDbContext db, Channel channel, JsonElement status, TimeProvider clock, CancellationToken ct)
    {
        var wamid = status.String("id");
        var state = DeliveryStates.FromWebhook(status.String("status"));
        var timestamp = status.UnixTime("timestamp");
        if (wamid is null || state is null || timestamp is null)
        {
            return;
        }

        if (await db.StatusUpdates.AnyAsync(s => s.TenantId == channel.TenantId && s.ChannelId == channel.Id && s.Wamid == wamid && s.Status == state, ct))
        {
            return;
        }

        var error = status.Array("errors").FirstOrDefault();
        var update = new StatusUpdate
        {
            TenantId = channel.TenantId,
            Id = Guid.CreateVersion7(),
            ChannelId = channel.Id,
            Wamid = wamid,
            Status = state.Value,
            Timestamp = timestamp.Value,
            ErrorCode = (int?)error.Long("code"),
            ErrorTitle = Truncate(error.String("title") ?? error.String("message"), 200),
            ErrorDetails = Truncate(error.Get("error_data")?.String("details"), 1000),
            PricingCategory = Truncate(status.Get("pricing")?.String("category"), 64),
            ReceivedAt = clock.GetUtcNow(),
        };
        db.StatusUpdates.Add(update);

        var message = await db.Messages
            .Where(m => m.TenantId == channel.TenantId && m.ChannelId == channel.Id && m.Wamid == wamid && m.Direction == MessageDirection.Outbound)
            .FirstOrDefaultAsync(ct);
        if (message is not null && DeliveryStatuses.Apply(message, update.Status, update.Timestamp, update.ErrorCode, update.ErrorTitle))
        {
            RealtimeLog.Append(db, channel.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), update.ReceivedAt);
        }

        await db.SaveChangesAsync(ct);
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Moves outbound messages through sent → delivered → read (or failed) from Meta's status webhooks.
/// Only forward: a status ranked lower than the message's current one is recorded but not applied, so
/// out-of-order webhooks cannot send a read message back to delivered.
/// </summary>
internal static class DeliveryStatuses
{
    public static bool Apply(Message message, DeliveryState status, DateTimeOffset timestamp, int? errorCode, string? errorTitle)
    {
        if (DeliveryStates.Rank(status) <= DeliveryStates.Rank(message.Status))
        {
            return false;
        }

        message.Status = status;
        message.StatusAt = timestamp;
        if (status == DeliveryState.Failed)
        {
            message.ErrorCode = errorCode;
            message.ErrorTitle = errorTitle;
        }

        return true;
    }

    /// <summary>
    /// Applies statuses that arrived before the message was known (call when an outbound message gets its wamid).
    /// </summary>
    public static async Task ReconcileAsync(SwitchboardDbContext db, Message message, CancellationToken ct)
    {
        if (message.Wamid is null)
        {
            return;
        }

        var known = await db.StatusUpdates
            .Where(s => s.TenantId == message.TenantId && s.ChannelId == message.ChannelId && s.Wamid == message.Wamid)
            .ToListAsync(ct);
        foreach (var update in known.OrderBy(s => DeliveryStates.Rank(s.Status)))
        {
            Apply(message, update.Status, update.Timestamp, update.ErrorCode, update.ErrorTitle);
        }
    }
}

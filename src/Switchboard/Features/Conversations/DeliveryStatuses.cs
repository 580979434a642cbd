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
    public static Task ReconcileAsync(SwitchboardDbContext db, Message message, CancellationToken ct) => ReconcileAsync(db, [message], ct);

    /// <summary>The same for many messages that just got their wamids, with one query.</summary>
    public static async Task ReconcileAsync(SwitchboardDbContext db, IReadOnlyCollection<Message> messages, CancellationToken ct)
    {
        var sent = messages.Where(m => m.Wamid is not null).ToList();
        if (sent.Count == 0)
        {
            return;
        }

        var tenants = sent.Select(m => m.TenantId).Distinct().ToList();
        var channels = sent.Select(m => m.ChannelId).Distinct().ToList();
        var wamids = sent.Select(m => m.Wamid!).Distinct().ToList();
        var known = (await db.StatusUpdates
            .Where(s => EF.Parameter(tenants).Contains(s.TenantId) && EF.Parameter(channels).Contains(s.ChannelId) && EF.Parameter(wamids).Contains(s.Wamid))
            .ToListAsync(ct))
            .ToLookup(s => (s.TenantId, s.ChannelId, s.Wamid));
        foreach (var message in sent)
        {
            foreach (var update in known[(message.TenantId, message.ChannelId, message.Wamid!)].OrderBy(s => DeliveryStates.Rank(s.Status)))
            {
                Apply(message, update.Status, update.Timestamp, update.ErrorCode, update.ErrorTitle);
            }
        }
    }
}

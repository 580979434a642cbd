using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Moves outbound messages through sent → delivered → read (or failed) from Meta's status webhooks and
/// the sender's outcomes, only as <see cref="DeliveryStates.CanMove"/> allows: a status ranked lower than
/// the message's current one is recorded but not applied, so out-of-order webhooks cannot send a read
/// message back to delivered. Reached through <see cref="ConversationLedger"/>.
/// </summary>
internal static class DeliveryStatuses
{
    /// <summary>Moves the message to <paramref name="status"/> if the rule allows; false (nothing changed) otherwise.</summary>
    public static bool Apply(Message message, DeliveryState status, DateTimeOffset timestamp, int? errorCode, string? errorTitle)
    {
        if (!DeliveryStates.CanMove(message.Status, status))
        {
            return false;
        }

        message.Status = status;
        message.StatusAt = timestamp;
        if (status == DeliveryState.Failed)
        {
            message.ErrorCode = errorCode;
            message.ErrorTitle = errorTitle?.Length > 200 ? errorTitle[..200] : errorTitle;
        }
        else if (status is DeliveryState.Queued or DeliveryState.Unknown)
        {
            (message.ErrorCode, message.ErrorTitle) = (null, null);
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

    /// <summary>
    /// After a commit: applies statuses already recorded for these sent wamids to their outbound messages.
    /// The processor (statuses it could not match) and the sender (wamids it just recorded) both call this
    /// after their own commits, because each transaction may not have seen the other's rows — so whichever
    /// commits last applies them (ADR 0014). One query when nothing is waiting; otherwise one transaction
    /// with the messages locked like the processor locks them, so a status never moves backwards.
    /// </summary>
    public static async Task ApplyRecordedAsync(
        SwitchboardDbContext db, SqliteWriteGate gate, IReadOnlyCollection<(Guid TenantId, Guid ChannelId, string Wamid)> sent, DateTimeOffset now, CancellationToken ct)
    {
        var tenants = sent.Select(s => s.TenantId).Distinct().ToList();
        var channels = sent.Select(s => s.ChannelId).Distinct().ToList();
        var wamids = await db.StatusUpdates.AsNoTracking()
            .Where(s => EF.Parameter(tenants).Contains(s.TenantId) && EF.Parameter(channels).Contains(s.ChannelId) && EF.Parameter(sent.Select(x => x.Wamid).Distinct().ToList()).Contains(s.Wamid))
            .Select(s => s.Wamid)
            .Distinct()
            .ToListAsync(ct);
        if (wamids.Count == 0)
        {
            return;
        }

        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var messages = db.IsSqlite
            ? await db.Messages.Where(m => EF.Parameter(tenants).Contains(m.TenantId) && EF.Parameter(channels).Contains(m.ChannelId) && EF.Parameter(wamids).Contains(m.Wamid!) && m.Direction == MessageDirection.Outbound).ToListAsync(ct)
            : await db.Messages.FromSql(
                    $"SELECT * FROM \"Messages\" WHERE \"TenantId\" = ANY({tenants}) AND \"ChannelId\" = ANY({channels}) AND \"Wamid\" = ANY({wamids}) ORDER BY \"TenantId\", \"Id\" FOR UPDATE")
                .ToListAsync(ct);
        messages = [.. messages.Where(m => m.Direction == MessageDirection.Outbound)];
        var before = messages.ToDictionary(m => m.Id, m => m.Status);
        await ReconcileAsync(db, messages, ct);
        foreach (var message in messages.Where(m => m.Status != before[m.Id]))
        {
            RealtimeLog.Append(db, message.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), now);
        }

        await db.SaveChangesAsync(ct);
        await RealtimeLog.FlushAsync(db, ct);
        await transaction.CommitAsync(ct);
    }
}

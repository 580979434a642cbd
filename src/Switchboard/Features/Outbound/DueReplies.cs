using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Outbound;

/// <summary>
/// What one sender round may take: due replies (number by number, each number's in queue order), the
/// channels they go out on, and each number's share.
/// </summary>
internal sealed record DueRound(List<OutboxItem> Items, Dictionary<Guid, Channel> Channels, Dictionary<Guid, int> Shares, List<Guid> TakenOver)
{
    public static DueRound Empty { get; } = new([], [], [], []);
}

/// <summary>
/// Reads a sender round fairly across numbers. First which numbers have due replies and how many each may
/// take (an active number what fits in its paced lane), the emptiest lanes first, until the shares fill
/// the round; then, per number, its oldest due replies. Reading the oldest due replies of all numbers in
/// one window instead let numbers with older backlogs fill the window while a number whose replies were
/// queued later got none and its lane ran dry (ADR 0013, docs/benchmarks.md "Sending"). Only numbers
/// whose lease this node holds are read (ADR 0055): the others with due replies are taken if free or lapsed.
/// </summary>
internal static class DueReplies
{
    /// <summary>Replies a round takes from a number that is not sending (held, restricted, revoked, gone), to postpone, send or fail them.</summary>
    public const int NotSendingShare = 64;

    /// <summary>
    /// Reads the round. <paramref name="fed"/> are numbers whose lanes are still well fed (left out);
    /// the shares of the numbers read add up to about <paramref name="capacity"/>, the replies the node can
    /// take on now; an active number's share is what fits in its lane up to <paramref name="laneBacklog"/>.
    /// </summary>
    public static async Task<DueRound> ReadAsync(
        SwitchboardDbContext db, Pacer pacer, NumberLeases leases, List<Guid> fed, TimeSpan laneBacklog, int capacity, DateTimeOffset now, CancellationToken ct)
    {
        // A reply leased by another node is due here too: only the number's lease holder may send it, so a
        // lease on a reply left by a node that lost the number counts for nothing.
        var owner = leases.HolderId;
        var due = db.OutboxItems.AsNoTracking().Where(o => o.State == OutboxState.Pending && o.NextAttemptAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now || o.LeaseOwner != owner));
        var waiting = await due.Where(o => !EF.Parameter(fed).Contains(o.ChannelId))
            .GroupBy(o => new { o.TenantId, o.ChannelId })
            .Select(g => new { g.Key.TenantId, g.Key.ChannelId, Since = g.Min(o => o.CreatedAt) })
            .OrderBy(g => g.Since)
            .Take(capacity)
            .ToListAsync(ct);
        if (waiting.Count == 0)
        {
            return DueRound.Empty;
        }

        var takenOver = await leases.TakeAsync(waiting.Select(w => (w.TenantId, w.ChannelId)), ct);
        var ours = waiting.Select(w => w.ChannelId).Where(leases.MaySend).ToList();
        if (ours.Count == 0)
        {
            return DueRound.Empty with { TakenOver = takenOver };
        }

        // The emptiest lanes first (then the longest-waiting replies): when the node is short of capacity, the
        // numbers left out of this round are those that still have the most paced work, not always the same ones.
        var channels = await db.Channels.AsNoTracking().IgnoreQueryFilters().Where(c => EF.Parameter(ours).Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var shares = new Dictionary<Guid, int>();
        var rank = new Dictionary<Guid, int>();
        var total = 0;
        foreach (var channelId in ours.OrderBy(pacer.Backlog))
        {
            var share = channels.TryGetValue(channelId, out var channel) && channel.Status == ChannelStatus.Active
                ? pacer.Room(channelId, channel.MessagesPerSecond, laneBacklog)
                : NotSendingShare;
            if (share <= 0)
            {
                continue;
            }

            shares[channelId] = share;
            rank[channelId] = rank.Count;
            total += share;
            if (total >= capacity)
            {
                break;
            }
        }

        if (shares.Count == 0)
        {
            return DueRound.Empty with { TakenOver = takenOver };
        }

        // Each number's oldest replies, twice its share: the spare ones stand in for replies that wait for
        // their customer's previous reply.
        var lanes = shares.Keys.ToList();
        var perNumber = Math.Min(capacity, 2 * shares.Values.Max());
        var ofLanes = due.Where(o => EF.Parameter(lanes).Contains(o.ChannelId));
        var items = await ofLanes.Select(o => o.ChannelId).Distinct()
            .SelectMany(channelId => ofLanes.Where(o => o.ChannelId == channelId).OrderBy(o => o.CreatedAt).Take(perNumber))
            .Select(o => new OutboxItem { TenantId = o.TenantId, Id = o.Id, MessageId = o.MessageId, ChannelId = o.ChannelId, ContactId = o.ContactId, CreatedAt = o.CreatedAt })
            .ToListAsync(ct);
        return new DueRound([.. items.OrderBy(i => rank[i.ChannelId]).ThenBy(i => i.CreatedAt)], channels, shares, takenOver);
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Counts conversations into and out of a team's queue (ADR 0030): +1 when a saved conversation starts
/// waiting, -1 when it stops (taken, transferred, resolved, erased), so the waiting count at any hour's end
/// is the sum of everything before it. Kept for the tenant, the channel and the queue's team. Routing's
/// automatic assignments leave the queue with a conditional update; <see cref="AssignmentCounting"/> counts those.
/// </summary>
internal sealed class QueueCounting(TimeProvider clock) : ReportCounting<QueueCounting>
{
    protected override async Task CountAsync(SwitchboardDbContext db, List<ReportDelta> added, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var moves = new List<(Conversation Conversation, DateTimeOffset? WasWaiting, Guid? OldTeam, bool IsWaiting)>();
        foreach (var entry in db.DetectedEntries<Conversation>().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            var c = entry.Entity;
            var wasWaiting = entry.State == EntityState.Added ? null : entry.Property(x => x.WaitingSince).OriginalValue;
            var oldTeam = entry.State == EntityState.Added ? null : entry.Property(x => x.TeamId).OriginalValue;
            var isWaiting = entry.State != EntityState.Deleted && c.WaitingSince is not null;
            if ((wasWaiting is not null) == isWaiting && (!isWaiting || oldTeam == c.TeamId))
            {
                continue;
            }

            moves.Add((c, wasWaiting, oldTeam, isWaiting));
        }

        if (moves.Count == 0)
        {
            return;
        }

        var restricted = await ReportPrivacy.RestrictedSinceAsync(db, moves.Select(m => (m.Conversation.TenantId, m.Conversation.ContactId)), ct);
        foreach (var (c, wasWaiting, oldTeam, isWaiting) in moves)
        {
            DateTimeOffset? since = restricted.TryGetValue((c.TenantId, c.ContactId), out var at) ? at : null;

            // Left out from the restriction on; a wait that began before it was counted in, so it is counted out.
            if (wasWaiting is { } began && (since is null || since > began))
            {
                ReportFacts.Count(db, new ReportGroups(c.TenantId, c.ChannelId, oldTeam, null, []), ReportFacts.Stored(now), ReportMetric.Queue, -1, added: added);
            }

            if (isWaiting && since is null)
            {
                ReportFacts.Count(db, new ReportGroups(c.TenantId, c.ChannelId, c.TeamId, null, []), ReportFacts.Stored(c.WaitingSince!.Value), ReportMetric.Queue, 1, added: added);
            }
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// Routing's part in a conversation's changes (ADR 0020, 0022): a conversation a number opens enters the
/// number's default team; a reopened one goes back to its assignee unless they are offline, else to its
/// team's queue; a change by hand is written to the assignment history. After the commit it wakes the dispatcher.
/// </summary>
internal sealed class RoutingStep(RoutingSignal signal) : IConversationStep
{
    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var entering = changes.Where(c => c.Cause is ConversationCause.Opened or ConversationCause.Reopened).ToList();
        if (entering.Count > 0)
        {
            await EnterTeamsAsync(db, entering, ct);
        }

        foreach (var change in changes.Where(c => c.Cause == ConversationCause.Reassigned))
        {
            RecordManualAssignment(db, change);
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        foreach (var (conversation, cause, _) in changes)
        {
            switch (cause)
            {
                case ConversationCause.CustomerMessage or ConversationCause.Replied or ConversationCause.AutoReplied or ConversationCause.SurveyAnswered:
                    break;
                case ConversationCause.Opened or ConversationCause.Reopened when conversation.WaitingSince is not null && conversation.TeamId is { } team:
                    signal.NotifyTeam(conversation.TenantId, team);
                    break;
                case ConversationCause.Opened or ConversationCause.Reopened:
                    break;
                case ConversationCause.Resolved or ConversationCause.Pending when conversation.AssignedUserId is { } assignee:
                    signal.NotifyUser(conversation.TenantId, assignee);
                    break;
                default:
                    // A change by hand: whoever had the conversation before is not known here.
                    signal.Notify();
                    break;
            }
        }
    }

    private static async Task EnterTeamsAsync(SwitchboardDbContext db, List<ConversationChange> entering, CancellationToken ct)
    {
        var tenants = entering.Select(c => c.Conversation.TenantId).Distinct().ToList();
        var channels = entering.Select(c => c.Conversation.ChannelId).Distinct().ToList();
        var defaults = await db.ChannelTeams.AsNoTracking()
            .Where(t => tenants.Contains(t.TenantId) && channels.Contains(t.ChannelId))
            .ToDictionaryAsync(t => (t.TenantId, t.ChannelId), t => t.TeamId, ct);
        var assignees = entering.Where(c => c.Cause == ConversationCause.Reopened && c.Conversation.AssignedUserId is not null)
            .Select(c => c.Conversation.AssignedUserId!.Value).Distinct().ToList();
        var signedIn = assignees.Count == 0
            ? []
            : (await db.AgentStates.AsNoTracking().Where(a => tenants.Contains(a.TenantId) && assignees.Contains(a.UserId) && a.Status != AgentState.Offline)
                .Select(a => new { a.TenantId, a.UserId }).ToListAsync(ct)).Select(a => (a.TenantId, a.UserId)).ToHashSet();
        foreach (var (conversation, cause, at) in entering)
        {
            if (conversation.WaitingSince is not null)
            {
                continue;
            }

            // A returning customer's assignee keeps the conversation while signed in (even over capacity); offline, it goes back to the queue.
            if (cause == ConversationCause.Reopened && conversation.AssignedUserId is { } assignee && signedIn.Contains((conversation.TenantId, assignee)))
            {
                continue;
            }

            var team = conversation.TeamId ?? (defaults.TryGetValue((conversation.TenantId, conversation.ChannelId), out var found) ? found : null);
            if (team is { } teamId)
            {
                ConversationLedger.EnterTeam(conversation, teamId, at);
            }
        }
    }

    /// <summary>An assignment by hand (the API's assign, the dashboard): one history row, unless the writer added its own (a transfer).</summary>
    private static void RecordManualAssignment(SwitchboardDbContext db, ConversationChange change)
    {
        var conversation = change.Conversation;
        if (db.TrackedEntries<AssignmentEntry>().Any(e => e.State == EntityState.Added && e.Entity.ConversationId == conversation.Id))
        {
            return;
        }

        var entry = db.Entry(conversation);
        var from = entry.State == EntityState.Detached ? null : entry.Property(c => c.AssignedUserId).OriginalValue;
        db.Assignments.Add(new AssignmentEntry
        {
            TenantId = conversation.TenantId,
            Id = Guid.CreateVersion7(change.At),
            ConversationId = conversation.Id,
            At = change.At,
            Kind = conversation.AssignedUserId is null ? "unassign" : AssignmentEntry.ManualKind,
            FromUserId = from,
            ToUserId = conversation.AssignedUserId,
            FromTeamId = conversation.TeamId,
            ToTeamId = conversation.TeamId,
        });
    }
}

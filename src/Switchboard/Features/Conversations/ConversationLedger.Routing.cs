using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>A conversation's team, queue entry and assignee, as routing moves them (ADR 0022); the ledger stays their one writer.</summary>
internal sealed partial class ConversationLedger
{
    /// <summary>On a tracked or new row, in the caller's unit of work: the conversation joins the team's queue, unassigned.</summary>
    public static void EnterTeam(Conversation conversation, Guid teamId, DateTimeOffset at)
    {
        conversation.TeamId = teamId;
        conversation.AssignedUserId = null;
        conversation.AssignedAt = null;
        conversation.WaitingSince = at;
    }

    /// <summary>
    /// In the caller's transaction: assigns a conversation still waiting unassigned and open in this team's
    /// queue, with one conditional UPDATE, so a conversation resolved, transferred or taken by hand meanwhile
    /// is left alone (false). On success its realtime event is collected for the caller's flush.
    /// </summary>
    public static async Task<bool> TryAssignWaitingAsync(
        SwitchboardDbContext db, Guid tenantId, Guid conversationId, Guid teamId, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var updated = await db.Conversations
            .Where(c => c.TenantId == tenantId && c.Id == conversationId && c.TeamId == teamId && c.AssignedUserId == null
                && c.WaitingSince != null && c.Status == ConversationStatus.Open)
            .ExecuteUpdateAsync(
                s => s.SetProperty(c => c.AssignedUserId, userId).SetProperty(c => c.AssignedAt, now).SetProperty(c => c.WaitingSince, (DateTimeOffset?)null)
                    .SetProperty(c => c.UpdatedAt, now),
                ct);
        if (updated == 1)
        {
            RealtimeLog.Append(db, tenantId, RealtimeEventTypes.ConversationChanged, conversationId, null, "assigned", now);
        }

        return updated == 1;
    }

    /// <summary>
    /// Transfers the conversation to a user (assigned at once) or to a team (its queue), with <paramref name="with"/>
    /// (the history row) and an optional internal note, in one transaction with its event and the steps' part.
    /// </summary>
    public async Task TransferAsync(
        SwitchboardDbContext db, Conversation conversation, Guid? toUserId, Guid? toTeamId, Message? note, IEnumerable<object> with, DateTimeOffset now, CancellationToken ct)
    {
        ConversationChange[] changes = [new(conversation, ConversationCause.Reassigned, now)];
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (toUserId is { } user)
        {
            conversation.TeamId = toTeamId ?? conversation.TeamId;
            conversation.AssignedUserId = user;
            conversation.AssignedAt = now;
            conversation.WaitingSince = null;
        }
        else if (toTeamId is { } team)
        {
            EnterTeam(conversation, team, now);
        }

        conversation.UpdatedAt = now;
        if (note is not null)
        {
            db.Messages.Add(note);
        }

        db.AddRange(with);
        await PlanAsync(db, Steps, changes, ct);
        if (note is not null)
        {
            RealtimeLog.Append(db, conversation.TenantId, RealtimeEventTypes.MessageQueued, conversation.Id, note.Id, note.Type, now);
        }

        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "transferred", now, ct);
        db.AfterCommit.Add(() => NotifyCommitted(Steps, changes));
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// In the caller's transaction: a deleted member's conversations that are not resolved go back to their team's queue
    /// (waiting from now), or stay unassigned without a team; returns how many were released.
    /// </summary>
    public static async Task<int> ReleaseAssignmentsAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var released = await db.Conversations
            .Where(c => c.TenantId == tenantId && c.AssignedUserId == userId && c.Status != ConversationStatus.Resolved)
            .Select(c => c.Id).ToListAsync(ct);
        await db.Conversations.Where(c => c.TenantId == tenantId && c.AssignedUserId == userId && c.TeamId != null && c.Status != ConversationStatus.Resolved)
            .ExecuteUpdateAsync(
                s => s.SetProperty(c => c.AssignedUserId, (Guid?)null).SetProperty(c => c.AssignedAt, (DateTimeOffset?)null)
                    .SetProperty(c => c.WaitingSince, now).SetProperty(c => c.UpdatedAt, now),
                ct);
        await db.Conversations.Where(c => c.TenantId == tenantId && c.AssignedUserId == userId)
            .ExecuteUpdateAsync(
                s => s.SetProperty(c => c.AssignedUserId, (Guid?)null).SetProperty(c => c.AssignedAt, (DateTimeOffset?)null).SetProperty(c => c.UpdatedAt, now),
                ct);
        foreach (var id in released)
        {
            RealtimeLog.Append(db, tenantId, RealtimeEventTypes.ConversationChanged, id, null, "released", now);
        }

        return released.Count;
    }

    /// <summary>In the caller's transaction: a deleted team's (resolved) conversations keep no team.</summary>
    public static Task LeaveTeamAsync(SwitchboardDbContext db, Guid tenantId, Guid teamId, CancellationToken ct) =>
        db.Conversations.Where(c => c.TenantId == tenantId && c.TeamId == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.TeamId, (Guid?)null).SetProperty(c => c.WaitingSince, (DateTimeOffset?)null), ct);
}

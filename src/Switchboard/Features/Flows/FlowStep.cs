using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Flows;

/// <summary>
/// Flows' part in a conversation's changes (ADR 0029). A customer's message makes the conversation's bot
/// session due (a running flow reads it; without one, the runner matches the triggers); an agent's reply or
/// resolving ends the session, so the bot stops. Only rows in the writer's unit of work: the runner does the rest.
/// </summary>
internal sealed class FlowStep(FlowSignal signal, TimeProvider clock) : IConversationStep
{
    /// <summary>The change lists whose plan made some session due: only their commit wakes the runner (ADR 0070).</summary>
    private readonly ConditionalWeakTable<IReadOnlyList<ConversationChange>, object> madeDue = [];

    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var relevant = changes.Where(c => c.Cause is ConversationCause.Opened or ConversationCause.Reopened or ConversationCause.CustomerMessage
            or ConversationCause.Replied or ConversationCause.Resolved).ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        var tenants = relevant.Select(c => c.Conversation.TenantId).Distinct().ToList();
        var ids = relevant.Select(c => c.Conversation.Id).Distinct().ToList();
        var sessions = (await db.FlowSessions.Where(s => tenants.Contains(s.TenantId) && ids.Contains(s.ConversationId)).ToListAsync(ct))
            .ToDictionary(s => (s.TenantId, s.ConversationId));
        HashSet<Guid>? withFlows = null;
        var now = clock.GetUtcNow();
        foreach (var (conversation, cause, _) in relevant)
        {
            var key = (conversation.TenantId, conversation.Id);
            sessions.TryGetValue(key, out var session);
            var running = session is { State: not FlowSessionState.Ended };
            switch (cause)
            {
                case ConversationCause.Replied or ConversationCause.Resolved:
                    if (running)
                    {
                        var reason = cause == ConversationCause.Replied ? "agent_replied" : "resolved";
                        if (session!.State == FlowSessionState.Active && session.FlowId is { } flowId && session.Version is { } version)
                        {
                            await FlowStats.CountAsync(db, session.TenantId, flowId, version, [], session.NodeId, reason, ct);
                        }

                        End(session, reason, now);
                    }

                    break;
                case var _ when running:
                    session!.DueAt = now;
                    session.UpdatedAt = now;
                    madeDue.AddOrUpdate(changes, changes);
                    break;
                case var _ when conversation.AssignedUserId is null:
                    // Nothing runs: the runner decides whether a flow starts, for tenants that published one.
                    withFlows ??= [.. await db.Flows.AsNoTracking().Where(f => tenants.Contains(f.TenantId) && f.PublishedVersion != null).Select(f => f.TenantId).Distinct().ToListAsync(ct)];
                    if (!withFlows.Contains(conversation.TenantId) || await ContactRestrictions.IsRestrictedAsync(db, conversation.TenantId, conversation.ContactId, ct))
                    {
                        // No flow, or the customer restricted processing or objected: no bot (ADR 0032).
                        break;
                    }

                    if (session is null)
                    {
                        session = new FlowSession { TenantId = conversation.TenantId, ConversationId = conversation.Id };
                        sessions[key] = session;
                        db.FlowSessions.Add(session);
                    }

                    Begin(session, newConversation: cause is ConversationCause.Opened or ConversationCause.Reopened, now);
                    madeDue.AddOrUpdate(changes, changes);
                    break;
            }
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        if (madeDue.Remove(changes))
        {
            signal.Signal.Notify();
        }
    }

    private static void Begin(FlowSession session, bool newConversation, DateTimeOffset now)
    {
        session.State = FlowSessionState.Pending;
        session.FlowId = null;
        session.Version = null;
        session.NodeId = null;
        // The customer's latest messages (stored a moment ago) are what the triggers look at.
        session.InputAfter = now.AddMinutes(-1);
        session.WaitUntil = null;
        session.InvalidAnswers = 0;
        session.Sends = 0;
        session.NewConversation = newConversation;
        session.EndReason = null;
        session.Visited = null;
        session.DueAt = now;
        session.Attempts = 0;
        session.LastError = null;
        session.StartedAt = now;
        session.UpdatedAt = now;
    }

    private static void End(FlowSession session, string reason, DateTimeOffset now)
    {
        session.State = FlowSessionState.Ended;
        session.EndReason = reason;
        session.DueAt = null;
        session.WaitUntil = null;
        session.UpdatedAt = now;
    }
}

/// <summary>What other features may ask about the bot (ADR 0029).</summary>
internal static class FlowSessions
{
    /// <summary>Whether a bot answers this conversation now (a flow runs, or the runner is about to decide): automations stay silent.</summary>
    public static Task<bool> IsActiveAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct) =>
        db.FlowSessions.AsNoTracking().AnyAsync(s => s.TenantId == tenantId && s.ConversationId == conversationId && s.State != FlowSessionState.Ended, ct);
}

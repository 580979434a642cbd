using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// Service levels' part in a conversation's changes (ADR 0023): opening or reopening starts the first
/// response and resolution clocks under the policy its team and labels choose; a customer message starts
/// the next response clock when none runs; a reply stops the response clocks; resolving stops all. Each
/// running clock gets an <see cref="SlaTimer"/> row in the writer's unit of work.
/// </summary>
internal sealed class SlaStep(SlaRulesCache rules, SlaSignal signal, TimeProvider clock) : IConversationStep
{
    /// <summary>The change lists whose plan touched a clock: only their commit wakes the timers (ADR 0070).</summary>
    private readonly ConditionalWeakTable<IReadOnlyList<ConversationChange>, object> timedChanges = [];

    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var relevant = changes.Where(c => c.Cause is not (ConversationCause.Pending or ConversationCause.AutoReplied)).ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        var byTenant = new Dictionary<Guid, TenantSlaRules>();
        foreach (var tenantId in relevant.Select(c => c.Conversation.TenantId).Distinct())
        {
            byTenant[tenantId] = await rules.GetAsync(db, tenantId, ct);
        }

        // Without a policy nothing starts, and a clock started earlier only needs its facts recorded.
        var timed = relevant.Where(c => byTenant[c.Conversation.TenantId].Policies.Count > 0 || c.Conversation.SlaPolicyId is not null).ToList();
        if (timed.Count > 0)
        {
            timedChanges.AddOrUpdate(changes, changes);
        }

        var timers = await TimersOfAsync(db, timed, ct);
        var labels = await LabelsOfAsync(db, timed, ct);
        IReadOnlyCollection<string> LabelsOf(Conversation c) => labels.GetValueOrDefault(c.Id) ?? [];
        var now = clock.GetUtcNow();
        foreach (var (conversation, cause, at) in relevant)
        {
            var tenantRules = byTenant[conversation.TenantId];
            var planner = new Plan(db, tenantRules, timers, conversation, now);
            switch (cause)
            {
                case ConversationCause.Reopened when WasPending(db, conversation):
                    // Pending paused nothing: back to open, the clocks run on.
                    if (conversation.LastInboundAt >= at)
                    {
                        ConversationLedger.RecordAwaitingReply(conversation, at);
                        planner.StartNextResponse();
                    }

                    break;
                case ConversationCause.Opened or ConversationCause.Reopened:
                    ConversationLedger.StartSlaPeriod(conversation, at, customerWrote: cause == ConversationCause.Opened || conversation.LastInboundAt >= at);
                    planner.Start(tenantRules.Choose(TeamOf(conversation), LabelsOf(conversation)), at);
                    break;
                case ConversationCause.CustomerMessage:
                    ConversationLedger.RecordAwaitingReply(conversation, at);
                    planner.StartNextResponse();
                    break;
                case ConversationCause.Replied:
                    ConversationLedger.RecordReplied(conversation, at);
                    break;
                case ConversationCause.Resolved:
                    ConversationLedger.RecordSlaStopped(conversation);
                    break;
                case ConversationCause.Reassigned:
                    planner.Rechoose(tenantRules.Choose(TeamOf(conversation), LabelsOf(conversation)), at);
                    break;
            }
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        if (timedChanges.Remove(changes) && changes.Any(c => c.Cause is ConversationCause.Opened or ConversationCause.Reopened or ConversationCause.CustomerMessage or ConversationCause.Reassigned))
        {
            signal.Signal.Notify();
        }
    }

    /// <summary>Whether the writer moved the conversation out of pending (rather than out of resolved).</summary>
    private static bool WasPending(SwitchboardDbContext db, Conversation conversation) =>
        db.Entry(conversation) is { State: not EntityState.Detached } entry && entry.Property(c => c.Status).OriginalValue == ConversationStatus.Pending;

    /// <summary>The conversation's team (routing sets it before this step runs), which chooses its policy.</summary>
    internal static Guid? TeamOf(Conversation conversation) => conversation.TeamId;

    /// <summary>The label names of the conversations that existed before this change (a new one has none yet).</summary>
    private static async Task<Dictionary<Guid, IReadOnlyList<string>>> LabelsOfAsync(SwitchboardDbContext db, List<ConversationChange> changes, CancellationToken ct)
    {
        var labels = new Dictionary<Guid, IReadOnlyList<string>>();
        foreach (var tenant in changes.Where(c => c.Cause is ConversationCause.Reopened or ConversationCause.Reassigned).GroupBy(c => c.Conversation.TenantId))
        {
            foreach (var (id, names) in await LabelsApi.NamesOfAsync(db, tenant.Key, [.. tenant.Select(c => c.Conversation.Id).Distinct()], ct))
            {
                labels[id] = names;
            }
        }

        return labels;
    }

    private static async Task<Dictionary<(Guid, Guid, SlaKind), SlaTimer>> TimersOfAsync(SwitchboardDbContext db, List<ConversationChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return [];
        }

        var tenants = changes.Select(c => c.Conversation.TenantId).Distinct().ToList();
        var ids = changes.Select(c => c.Conversation.Id).Distinct().ToList();
        var rows = await db.SlaTimers.Where(t => tenants.Contains(t.TenantId) && ids.Contains(t.ConversationId)).ToListAsync(ct);
        return rows.ToDictionary(t => (t.TenantId, t.ConversationId, t.Kind));
    }

    /// <summary>The clocks of one conversation, set through the ledger, with their timer rows.</summary>
    private readonly struct Plan(SwitchboardDbContext db, TenantSlaRules rules, Dictionary<(Guid, Guid, SlaKind), SlaTimer> timers, Conversation c, DateTimeOffset now)
    {
        public void Start(SlaPolicy? policy, DateTimeOffset at)
        {
            if (policy is null)
            {
                ConversationLedger.SetSla(c, default);
                return;
            }

            var firstResponse = rules.Due(policy, at, policy.FirstResponseMinutes);
            var resolution = rules.Due(policy, at, policy.ResolutionMinutes);
            ConversationLedger.SetSla(c, new SlaDue(policy.Id, firstResponse, null, resolution));
            Timer(SlaKind.FirstResponse, policy, at, firstResponse);
            Timer(SlaKind.Resolution, policy, at, resolution);
        }

        /// <summary>After the first response, an unanswered customer message starts the next response clock unless one runs.</summary>
        public void StartNextResponse()
        {
            if (c.Status != ConversationStatus.Open || c.FirstResponseAt is null || c.NextResponseDueAt is not null
                || c.AwaitingReplySince is not { } since || rules.Find(c.SlaPolicyId) is not { } policy)
            {
                return;
            }

            var due = rules.Due(policy, since, policy.NextResponseMinutes);
            ConversationLedger.SetSla(c, new SlaDue(policy.Id, c.FirstResponseDueAt, due, c.ResolutionDueAt));
            Timer(SlaKind.NextResponse, policy, since, due);
        }

        /// <summary>Another team or label may choose another policy: its targets count from the clocks' original starts.</summary>
        public void Rechoose(SlaPolicy? policy, DateTimeOffset at)
        {
            if (policy?.Id == c.SlaPolicyId || c.Status == ConversationStatus.Resolved)
            {
                return;
            }

            if (policy is null)
            {
                ConversationLedger.SetSla(c, default);
                return;
            }

            var firstStart = StartOf(SlaKind.FirstResponse) ?? at;
            var resolutionStart = StartOf(SlaKind.Resolution) ?? at;
            var firstResponse = c.FirstResponseAt is null ? rules.Due(policy, firstStart, policy.FirstResponseMinutes) : c.FirstResponseDueAt;
            var resolution = rules.Due(policy, resolutionStart, policy.ResolutionMinutes);
            var next = c.FirstResponseAt is not null && c.AwaitingReplySince is { } since ? rules.Due(policy, since, policy.NextResponseMinutes) : null;
            ConversationLedger.SetSla(c, new SlaDue(policy.Id, firstResponse, next, resolution));
            if (c.FirstResponseAt is null)
            {
                Timer(SlaKind.FirstResponse, policy, firstStart, firstResponse);
            }

            Timer(SlaKind.Resolution, policy, resolutionStart, resolution);
            if (next is not null)
            {
                Timer(SlaKind.NextResponse, policy, c.AwaitingReplySince!.Value, next);
            }
        }

        private DateTimeOffset? StartOf(SlaKind kind) => timers.TryGetValue((c.TenantId, c.Id, kind), out var t) ? t.StartedAt : null;

        /// <summary>Sets the clock's timer: the warning first when it is still ahead, else the target itself.</summary>
        private void Timer(SlaKind kind, SlaPolicy policy, DateTimeOffset startedAt, DateTimeOffset? target)
        {
            if (target is not { } due)
            {
                return; // a timer left from an earlier clock ends silently: it no longer matches the conversation
            }

            if (!timers.TryGetValue((c.TenantId, c.Id, kind), out var timer))
            {
                timer = new SlaTimer { TenantId = c.TenantId, ConversationId = c.Id, Kind = kind };
                timers[(c.TenantId, c.Id, kind)] = timer;
                db.SlaTimers.Add(timer);
            }

            var warnAt = due.AddMinutes(-policy.WarnBeforeMinutes);
            var warn = policy.WarnBeforeMinutes > 0 && warnAt > now;
            timer.StartedAt = startedAt;
            timer.TargetAt = due;
            timer.Stage = warn ? SlaTimerStage.Warn : SlaTimerStage.Breach;
            timer.DueAt = warn ? warnAt : due;
            timer.Attempts = 0;
            timer.LeaseOwner = null;
            timer.LastError = null;
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Automation;

/// <summary>Wakes the automation runner when jobs were queued.</summary>
internal sealed class AutomationSignal
{
    public WorkSignal Signal { get; } = new();
}

/// <summary>
/// Set on a context while a rule's actions write through it: their changes queue no automation, so a rule
/// can never trigger rules (or itself) again (ADR 0028).
/// </summary>
internal sealed class AutomationOrigin
{
    public Guid? RuleId { get; set; }

    public static bool IsRule(SwitchboardDbContext db) => db.UnitOfWork<AutomationOrigin>().RuleId is not null;
}

/// <summary>
/// Automation's part in a conversation's changes (ADR 0020, 0028): a customer's message and a resolve queue an
/// <see cref="AutomationJob"/> in the writer's transaction; the runner replies and runs rules after the commit.
/// </summary>
internal sealed class AutomationStep(AutomationSignal signal, TimeProvider clock) : IConversationStep
{
    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        if (AutomationOrigin.IsRule(db))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var jobs = new List<(ConversationChange Change, string Trigger)>();
        foreach (var change in changes)
        {
            var trigger = change.Cause switch
            {
                ConversationCause.Opened when change.MessageId is not null => AutomationTrigger.Opened,
                ConversationCause.Reopened or ConversationCause.CustomerMessage when change.MessageId is not null => AutomationTrigger.Message,
                ConversationCause.Resolved => AutomationTrigger.Resolved,
                _ => null,
            };
            if (trigger is not null)
            {
                jobs.Add((change, trigger));
            }
        }

        if (jobs.Count == 0)
        {
            return;
        }

        // A job only where something may act on it: the tenant's automatic replies (customer messages) or an enabled rule for
        // its event. Read in the writer's transaction, so a rule counts from the first event committed after it (ADR 0069).
        var tenants = jobs.Select(j => j.Change.Conversation.TenantId).Distinct().ToList();
        var replying = (await db.AutoReplySettings.AsNoTracking().Where(s => tenants.Contains(s.TenantId)).Select(s => s.TenantId).Distinct().ToListAsync(ct)).ToHashSet();
        var ruled = (await db.AutomationRules.AsNoTracking().Where(r => tenants.Contains(r.TenantId) && r.Enabled)
            .Select(r => new { r.TenantId, r.Event }).Distinct().ToListAsync(ct)).Select(r => (r.TenantId, r.Event)).ToHashSet();
        foreach (var (change, trigger) in jobs)
        {
            var tenantId = change.Conversation.TenantId;
            var replies = trigger != AutomationTrigger.Resolved && replying.Contains(tenantId);
            if (replies || RuleEvents.Of(trigger).Any(e => ruled.Contains((tenantId, e))))
            {
                db.AutomationJobs.Add(Job(tenantId, change.Conversation.Id, trigger, change.At, now, messageId: change.MessageId));
            }
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        if (changes.Any(c => c.MessageId is not null || c.Cause == ConversationCause.Resolved))
        {
            signal.Signal.Notify();
        }
    }

    public static AutomationJob Job(Guid tenantId, Guid conversationId, string trigger, DateTimeOffset at, DateTimeOffset now, Guid? messageId = null, Guid? labelId = null, string? detail = null) => new()
    {
        TenantId = tenantId,
        Id = Guid.CreateVersion7(now),
        ConversationId = conversationId,
        Trigger = trigger,
        MessageId = messageId,
        LabelId = labelId,
        Detail = detail,
        At = at,
        DueAt = now,
    };
}

/// <summary>
/// Queues jobs for the events that are not conversation changes, in the same save as the event: a label put on a
/// conversation (its row added through the ledger) and an SLA warning (raised by the service-level timers).
/// </summary>
internal sealed class AutomationSaveInterceptor(AutomationSignal signal, TimeProvider clock) : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            Queue(db);
        }

        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is SwitchboardDbContext db)
        {
            Queue(db);
        }

        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SwitchboardDbContext db && db.UnitOfWork<QueuedJobs>().Any)
        {
            // A signal before the commit only makes the runner look early; it finds the job once committed (or by its poll).
            db.UnitOfWork<QueuedJobs>().Any = false;
            signal.Signal.Notify();
        }

        return ValueTask.FromResult(result);
    }

    private void Queue(SwitchboardDbContext db)
    {
        var warnings = db.UnitOfWork<RaisedSlaWarnings>().Items;
        var rule = AutomationOrigin.IsRule(db);
        var now = clock.GetUtcNow();
        var queued = false;
        if (!rule)
        {
            foreach (var added in db.TrackedEntries<ConversationLabel>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList())
            {
                db.AutomationJobs.Add(AutomationStep.Job(added.TenantId, added.ConversationId, AutomationTrigger.LabelAdded, now, now, labelId: added.LabelId));
                queued = true;
            }

            foreach (var (tenantId, conversationId, kind, at) in warnings)
            {
                db.AutomationJobs.Add(AutomationStep.Job(tenantId, conversationId, AutomationTrigger.SlaWarning, at, now, detail: SlaKinds.Name(kind)));
                queued = true;
            }
        }

        warnings.Clear();
        if (queued)
        {
            db.UnitOfWork<QueuedJobs>().Any = true;
        }
    }

    private sealed class QueuedJobs
    {
        public bool Any { get; set; }
    }
}

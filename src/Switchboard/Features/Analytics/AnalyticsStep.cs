using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Analytics' part in a conversation's changes (ADR 0030): each change adds its increments to the writer's
/// unit of work, so they commit (or roll back) with it. Times are Meta's for customer messages and the
/// stored reply time for replies; the conversation's state before the change comes from the tracked
/// row's original values (other steps may have moved it already).
/// </summary>
internal sealed class AnalyticsStep(SlaRulesCache slaRules) : IConversationStep
{
    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var labels = await LabelsOfAsync(db, changes, ct);
        var restricted = await ReportPrivacy.RestrictedAsync(db, changes.Select(c => (c.Conversation.TenantId, c.Conversation.ContactId)), ct);
        foreach (var (conversation, cause, changedAt) in changes)
        {
            if (restricted.Contains((conversation.TenantId, conversation.ContactId)))
            {
                continue;
            }

            var before = Before.Of(db, conversation);
            var hours = (await slaRules.GetAsync(db, conversation.TenantId, ct)).BusinessHoursOf(conversation.SlaPolicyId);
            var at = ReportFacts.Stored(changedAt);
            var groups = new ReportGroups(conversation.TenantId, conversation.ChannelId, conversation.TeamId, conversation.AssignedUserId, labels.GetValueOrDefault(conversation.Id) ?? []);
            switch (cause)
            {
                case ConversationCause.Opened:
                    ReportFacts.Count(db, groups, at, ReportMetric.Opened);
                    ReportFacts.Count(db, groups, at, ReportMetric.MessagesIn);
                    break;
                case ConversationCause.Reopened:
                    ReportFacts.Count(db, groups, at, ReportMetric.Reopened);
                    if (conversation.LastInboundAt >= changedAt)
                    {
                        ReportFacts.Count(db, groups, at, ReportMetric.MessagesIn); // reopened by the customer's message
                    }

                    break;
                case ConversationCause.CustomerMessage:
                    ReportFacts.Count(db, groups, at, ReportMetric.MessagesIn);
                    break;
                case ConversationCause.Replied:
                    Replied(db, groups, before, ReplyOf(db, conversation) is { } reply ? Recorded(db, reply, groups) : at, hours);
                    break;
                case ConversationCause.AutoReplied:
                    // A bot's or automation's message is a message out, never a response time (ADR 0029).
                    ReportFacts.Count(db, groups, ReplyOf(db, conversation) is { } auto ? Recorded(db, auto, groups) : at, ReportMetric.MessagesOut);
                    break;
                case ConversationCause.SurveyAnswered:
                    ReportFacts.Count(db, groups, at, ReportMetric.MessagesIn);
                    break;
                case ConversationCause.Resolved:
                    await ResolvedAsync(db, conversation, groups, before, at, hours, ct);
                    break;
                case ConversationCause.Reassigned when conversation.AssignedUserId is not null && conversation.AssignedUserId != before.AssignedUserId:
                    ReportFacts.Count(db, groups, at, ReportMetric.Assigned);
                    if (before.WaitingSince is { } waiting)
                    {
                        ReportFacts.Duration(db, groups, at, ReportMetric.QueueWait, DurationBuckets.Seconds(waiting, at));
                    }

                    break;
            }
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
    }

    private static void Replied(SwitchboardDbContext db, ReportGroups groups, Before before, DateTimeOffset at, BusinessSchedule? hours)
    {
        ReportFacts.Count(db, groups, at, ReportMetric.MessagesOut);
        if (before.AwaitingReplySince is not { } since)
        {
            return;
        }

        var seconds = DurationBuckets.Seconds(since, at);
        var business = DurationBuckets.BusinessSeconds(since, at, hours);
        ReportFacts.Duration(db, groups, at, ReportMetric.Response, seconds);
        ReportFacts.Duration(db, groups, at, ReportMetric.ResponseBusiness, business);
        if (before.FirstResponseAt is null)
        {
            ReportFacts.Duration(db, groups, at, ReportMetric.FirstResponse, seconds);
            ReportFacts.Duration(db, groups, at, ReportMetric.FirstResponseBusiness, business);
            if (before.FirstResponseDueAt is { } due)
            {
                ReportFacts.Count(db, groups, at, at <= due ? ReportMetric.SlaFirstResponseMet : ReportMetric.SlaFirstResponseMissed);
            }
        }
    }

    private static async Task ResolvedAsync(SwitchboardDbContext db, Conversation conversation, ReportGroups groups, Before before, DateTimeOffset at, BusinessSchedule? hours, CancellationToken ct)
    {
        ReportFacts.Count(db, groups, at, ReportMetric.Resolved);
        if (conversation.AssignedUserId is not null)
        {
            ReportFacts.Count(db, groups, at, ReportMetric.Handled);
        }

        // From the customer's first message (Meta's time) of the conversation to now.
        var opened = await db.Set<Message>()
            .Where(m => m.TenantId == conversation.TenantId && m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound)
            .MinAsync(m => (DateTimeOffset?)m.Timestamp, ct);
        if (opened is { } start)
        {
            ReportFacts.Duration(db, groups, at, ReportMetric.Resolution, DurationBuckets.Seconds(start, at));
            ReportFacts.Duration(db, groups, at, ReportMetric.ResolutionBusiness, DurationBuckets.BusinessSeconds(start, at, hours));
        }

        if (before.ResolutionDueAt is { } due)
        {
            ReportFacts.Count(db, groups, at, at <= due ? ReportMetric.SlaResolutionMet : ReportMetric.SlaResolutionMissed);
        }
    }

    /// <summary>The reply this change records (the one outbound message added with it).</summary>
    private static Message? ReplyOf(SwitchboardDbContext db, Conversation conversation) =>
        db.TrackedEntries<Message>()
            .Where(e => e.State == EntityState.Added && e.Entity.ConversationId == conversation.Id && e.Entity.TenantId == conversation.TenantId && e.Entity.Direction == MessageDirection.Outbound)
            .Select(e => e.Entity)
            .FirstOrDefault();

    /// <summary>Records the groups the reply's delivery will count in; returns its stored time.</summary>
    private static DateTimeOffset Recorded(SwitchboardDbContext db, Message reply, ReportGroups groups)
    {
        ReplyGroups.Record(db, reply, groups);
        return ReportFacts.Stored(reply.Timestamp);
    }

    private static async Task<Dictionary<Guid, List<Guid>>> LabelsOfAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var labels = new Dictionary<Guid, List<Guid>>();
        foreach (var tenant in changes.Where(c => c.Cause is not (ConversationCause.Opened or ConversationCause.CustomerMessage)).GroupBy(c => c.Conversation.TenantId))
        {
            var ids = tenant.Select(c => c.Conversation.Id).Distinct().ToList();
            var rows = await db.Set<ConversationLabel>().AsNoTracking()
                .Where(l => l.TenantId == tenant.Key && ids.Contains(l.ConversationId))
                .Select(l => new { l.ConversationId, l.LabelId })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                (labels.TryGetValue(row.ConversationId, out var list) ? list : labels[row.ConversationId] = []).Add(row.LabelId);
            }
        }

        return labels;
    }

    /// <summary>The conversation as stored before this unit of work changed it.</summary>
    private readonly record struct Before(Guid? AssignedUserId, DateTimeOffset? WaitingSince, DateTimeOffset? AwaitingReplySince, DateTimeOffset? FirstResponseAt, DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt)
    {
        public static Before Of(SwitchboardDbContext db, Conversation c)
        {
            if (db.Entry(c) is not { State: EntityState.Modified or EntityState.Unchanged } entry)
            {
                return new(c.AssignedUserId, c.WaitingSince, c.AwaitingReplySince, c.FirstResponseAt, c.FirstResponseDueAt, c.ResolutionDueAt);
            }

            T Original<T>(string property) => (T)entry.Property(property).OriginalValue!;
            return new(
                Original<Guid?>(nameof(Conversation.AssignedUserId)),
                Original<DateTimeOffset?>(nameof(Conversation.WaitingSince)),
                Original<DateTimeOffset?>(nameof(Conversation.AwaitingReplySince)),
                Original<DateTimeOffset?>(nameof(Conversation.FirstResponseAt)),
                Original<DateTimeOffset?>(nameof(Conversation.FirstResponseDueAt)),
                Original<DateTimeOffset?>(nameof(Conversation.ResolutionDueAt)));
        }
    }
}

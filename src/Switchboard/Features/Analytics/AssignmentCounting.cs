using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Counts routing's automatic assignments (ADR 0030): the dispatcher assigns with a conditional update and
/// no conversation step, so its history row is what says a conversation was given to an agent after
/// waiting. The increments join the dispatcher's save; a save tried again counts afresh.
/// </summary>
internal sealed class AssignmentCounting : ReportCounting<AssignmentCounting>
{
    protected override async Task CountAsync(SwitchboardDbContext db, List<ReportDelta> added, CancellationToken ct)
    {
        var automatic = db.TrackedEntries<AssignmentEntry>()
            .Where(e => e.State == EntityState.Added && e.Entity.Kind == AssignmentEntry.Auto && e.Entity.ToUserId != null)
            .Select(e => e.Entity).ToList();
        foreach (var tenant in automatic.GroupBy(a => a.TenantId))
        {
            var ids = tenant.Select(a => a.ConversationId).Distinct().ToList();
            var conversations = await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenant.Key && ids.Contains(c.Id))
                .Select(c => new { c.Id, c.ChannelId, c.ContactId }).ToDictionaryAsync(c => c.Id, ct);
            var labels = (await db.Set<ConversationLabel>().AsNoTracking().Where(l => l.TenantId == tenant.Key && ids.Contains(l.ConversationId))
                .Select(l => new { l.ConversationId, l.LabelId }).ToListAsync(ct)).ToLookup(l => l.ConversationId, l => l.LabelId);
            var restricted = await ReportPrivacy.RestrictedSinceAsync(db, conversations.Values.Select(c => (tenant.Key, c.ContactId)), ct);
            foreach (var assignment in tenant)
            {
                if (!conversations.TryGetValue(assignment.ConversationId, out var c))
                {
                    continue;
                }

                var at = ReportFacts.Stored(assignment.At);
                var began = assignment.At.AddMilliseconds(-(assignment.WaitedMs ?? 0));
                if (restricted.TryGetValue((tenant.Key, c.ContactId), out var since))
                {
                    if (since > began)
                    {
                        // Its wait was counted into the queue before the restriction: counted out of it (QueueCounting).
                        ReportFacts.Count(db, new ReportGroups(tenant.Key, c.ChannelId, assignment.FromTeamId, null, []), at, ReportMetric.Queue, -1, added: added);
                    }

                    continue;
                }

                ReportFacts.Count(db, new ReportGroups(tenant.Key, c.ChannelId, assignment.FromTeamId, null, []), at, ReportMetric.Queue, -1, added: added);
                var groups = new ReportGroups(tenant.Key, c.ChannelId, assignment.ToTeamId, assignment.ToUserId, [.. labels[c.Id]]);
                ReportFacts.Count(db, groups, at, ReportMetric.Assigned, added: added);
                if (assignment.WaitedMs is { } waited)
                {
                    ReportFacts.Duration(db, groups, at, ReportMetric.QueueWait, waited / 1000, added);
                }
            }
        }
    }
}

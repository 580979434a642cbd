using System.Data;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;
using Switchboard.Features.Privacy;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Analytics;

/// <summary>
/// Recounts a tenant's rollups from its messages and statuses (ADR 0030): the metrics in
/// <see cref="ReportMetric.Recountable"/> are replaced; lifecycle facts that no source row keeps
/// (resolutions, reopenings, assignments, queue waits, SLA outcomes) stay as counted. Groups follow the
/// conversations' current channel, team, agent and labels. One transaction that sees one snapshot
/// (repeatable read on PostgreSQL), so events committed meanwhile are counted once: by their own deltas.
/// </summary>
internal sealed class RebuildReports(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, SlaRulesCache slaRules)
{
    public async Task<int> RebuildAsync(Guid tenantId, Action<string> progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(db.IsSqlite ? IsolationLevel.Serializable : IsolationLevel.RepeatableRead, ct);
        var recountable = ReportMetric.Recountable.ToList();
        await db.ReportDeltas.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportDayRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);

        var conversations = await db.Set<Conversation>().AsNoTracking().Where(c => c.TenantId == tenantId)
            .Select(c => new { c.Id, c.ChannelId, c.TeamId, c.AssignedUserId, c.SlaPolicyId })
            .ToDictionaryAsync(c => c.Id, ct);
        var labels = (await db.Set<ConversationLabel>().AsNoTracking().Where(l => l.TenantId == tenantId).Select(l => new { l.ConversationId, l.LabelId }).ToListAsync(ct))
            .ToLookup(l => l.ConversationId, l => l.LabelId);
        progress($"tenant {tenantId}: {conversations.Count} conversations");

        var rules = await slaRules.GetAsync(db, tenantId, ct);

        // The groups each reply was written in: its delivery counts there (they are not recounted from the conversation's groups now).
        var replyGroups = (await db.Set<ReportReplyGroup>().AsNoTracking().Where(g => g.TenantId == tenantId).ToListAsync(ct)).ToLookup(g => g.MessageId);
        var restricted = await ContactRestrictions.RestrictedSinceAsync(db, tenantId, null, ct);
        var counters = new ReportCounters(tenantId);
        var messages = db.Set<Message>().AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.Direction != MessageDirection.Note)
            .OrderBy(m => m.ConversationId).ThenBy(m => m.Timestamp).ThenBy(m => m.Id)
            .Select(m => new { m.Id, m.ConversationId, m.ChannelId, m.ContactId, m.Direction, m.Timestamp, m.Status, m.ErrorCode })
            .AsAsyncEnumerable();
        Guid? current = null;
        var thread = new Thread();
        ReportGroups groups = default;
        BusinessSchedule? hours = null;
        long read = 0;
        await foreach (var m in messages.WithCancellation(ct))
        {
            if (m.ConversationId != current)
            {
                current = m.ConversationId;
                thread = new Thread();
                var c = conversations.GetValueOrDefault(m.ConversationId);
                groups = new ReportGroups(tenantId, m.ChannelId, c?.TeamId, c?.AssignedUserId, [.. labels[m.ConversationId]]);
                hours = rules.BusinessHoursOf(c?.SlaPolicyId);
            }

            if (restricted.TryGetValue(m.ContactId, out var restrictedAt) && m.Timestamp >= restrictedAt)
            {
                continue; // restricted processing: nothing counted from then on
            }

            if (m.Direction == MessageDirection.Inbound)
            {
                if (!thread.Opened)
                {
                    thread.Opened = true;
                    counters.Add(groups, m.Timestamp, ReportMetric.Opened);
                }

                counters.Add(groups, m.Timestamp, ReportMetric.MessagesIn);
                thread.AwaitingSince ??= m.Timestamp;
            }
            else
            {
                counters.Add(groups, m.Timestamp, ReportMetric.MessagesOut);
                if (thread.AwaitingSince is { } since)
                {
                    var seconds = DurationBuckets.Seconds(since, m.Timestamp);
                    var business = DurationBuckets.BusinessSeconds(since, m.Timestamp, hours);
                    counters.Add(groups, m.Timestamp, ReportMetric.Response, DurationBuckets.Of(seconds), seconds);
                    counters.Add(groups, m.Timestamp, ReportMetric.ResponseBusiness, DurationBuckets.Of(business), business);
                    if (!thread.Answered)
                    {
                        counters.Add(groups, m.Timestamp, ReportMetric.FirstResponse, DurationBuckets.Of(seconds), seconds);
                        counters.Add(groups, m.Timestamp, ReportMetric.FirstResponseBusiness, DurationBuckets.Of(business), business);
                    }

                    thread.Answered = true;
                    thread.AwaitingSince = null;
                }

                var delivery = ReplyGroups.Of(tenantId, m.ChannelId, replyGroups[m.Id]);
                if (DeliveryCounting.IsSent(m.Status))
                {
                    counters.Add(delivery, m.Timestamp, ReportMetric.RepliesSent);
                }

                if (DeliveryCounting.IsDelivered(m.Status))
                {
                    counters.Add(delivery, m.Timestamp, ReportMetric.RepliesDelivered);
                }

                if (DeliveryCounting.IsRead(m.Status))
                {
                    counters.Add(delivery, m.Timestamp, ReportMetric.RepliesRead);
                }

                if (m.Status == DeliveryState.Failed)
                {
                    counters.Add(delivery, m.Timestamp, ReportMetric.RepliesFailed, m.ErrorCode ?? 0);
                }
            }

            if (++read % 100_000 == 0)
            {
                progress($"tenant {tenantId}: {read} messages");
            }
        }

        var priced = db.Set<StatusUpdate>().AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Status == DeliveryState.Sent && s.PricingCategory != null)
            .Select(s => new { s.ChannelId, s.Timestamp, s.PricingCategory })
            .AsAsyncEnumerable();
        await foreach (var s in priced.WithCancellation(ct))
        {
            counters.Add(new ReportGroups(tenantId, s.ChannelId, null, null, []), s.Timestamp, ReportMetric.Pricing, PricingCategories.Of(s.PricingCategory!));
        }

        // The recounted metrics' rows were deleted above, so plain inserts (COPY on PostgreSQL) add them afresh, hours and days.
        var rows = counters.Rows();
        foreach (var chunk in rows.Chunk(50_000))
        {
            await BulkInsert.InsertAsync(db, chunk, ct);
        }

        foreach (var chunk in counters.DayRows().Chunk(50_000))
        {
            await BulkInsert.InsertAsync(db, chunk, ct);
        }

        await transaction.CommitAsync(ct);
        progress($"tenant {tenantId}: {read} messages, {rows.Count} counters rebuilt");
        return rows.Count;
    }

    private sealed class Thread
    {
        public bool Opened { get; set; }

        public bool Answered { get; set; }

        public DateTimeOffset? AwaitingSince { get; set; }
    }
}

/// <summary><c>switchboard rebuild-reports [--tenant ID]</c>: recounts the report rollups of one tenant or of all, printing progress.</summary>
public static class RebuildReportsCommand
{
    public const string Name = "rebuild-reports";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var (tenants, exitCode) = await TenantArguments.ResolveAsync(services, args, Name, mustExist: false, error);
        if (tenants is null)
        {
            return exitCode;
        }

        var rebuild = services.GetRequiredService<RebuildReports>();
        for (var i = 0; i < tenants.Count; i++)
        {
            await output.WriteLineAsync($"[{i + 1}/{tenants.Count}] rebuilding tenant {tenants[i]}");
            await rebuild.RebuildAsync(tenants[i], line => output.WriteLine(line), CancellationToken.None);
        }

        await output.WriteLineAsync($"rebuild-reports: {tenants.Count} tenant(s) done");
        return 0;
    }
}

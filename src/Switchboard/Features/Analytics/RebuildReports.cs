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
/// (repeatable read on PostgreSQL), so events committed meanwhile are counted once: by their own deltas;
/// inside it, conversations are counted a chunk at a time and each chunk's counters added to the rollups (ADR 0054).
/// </summary>
internal sealed class RebuildReports(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, SlaRulesCache slaRules)
{
    /// <summary>Conversations per chunk: their messages' counters are gathered, then added to the rollups before the next chunk (ADR 0054, 0058).</summary>
    public const int ChunkConversations = 10_000;

    public Task<long> RebuildAsync(Guid tenantId, Action<string> progress, CancellationToken ct) => RebuildAsync(tenantId, ChunkConversations, progress, ct);

    /// <summary>The same with <paramref name="chunkConversations"/> conversations per chunk.</summary>
    public async Task<long> RebuildAsync(Guid tenantId, int chunkConversations, Action<string> progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30)); // a batch command: deleting a tenant's recounted rows alone can take minutes
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(db.IsSqlite ? IsolationLevel.Serializable : IsolationLevel.RepeatableRead, ct);
        var recountable = ReportMetric.Recountable.ToList();
        await db.ReportDeltas.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportDayRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportWeekRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportMonthRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);
        await db.ReportYearRollups.Where(r => r.TenantId == tenantId && recountable.Contains(r.Metric)).ExecuteDeleteAsync(ct);

        var total = await db.Set<Conversation>().CountAsync(c => c.TenantId == tenantId, ct);
        progress($"tenant {tenantId}: {total} conversations");
        var rules = await slaRules.GetAsync(db, tenantId, ct);
        var restricted = await ContactRestrictions.RestrictedSinceAsync(db, tenantId, null, ct);
        var counters = new ReportCounters(tenantId);
        long read = 0, written = 0;
        var done = 0;
        var after = long.MinValue;
        while (true)
        {
            // A chunk of conversations in number order, with everything their messages count by: groups, labels, the reply groups of their replies.
            var conversations = await db.Set<Conversation>().AsNoTracking()
                .Where(c => c.TenantId == tenantId && c.Number > after)
                .OrderBy(c => c.Number).Take(chunkConversations)
                .Select(c => new { c.Id, c.Number, c.TeamId, c.AssignedUserId, c.SlaPolicyId })
                .ToListAsync(ct);
            if (conversations.Count == 0)
            {
                break;
            }

            after = conversations[^1].Number;
            var ids = conversations.Select(c => c.Id).ToList();
            var byId = conversations.ToDictionary(c => c.Id);
            var labels = (await db.Set<ConversationLabel>().AsNoTracking().Where(l => l.TenantId == tenantId && ids.Contains(l.ConversationId)).Select(l => new { l.ConversationId, l.LabelId }).ToListAsync(ct))
                .ToLookup(l => l.ConversationId, l => l.LabelId);
            var messages = await db.Set<Message>().AsNoTracking()
                .Where(m => m.TenantId == tenantId && ids.Contains(m.ConversationId) && m.Direction != MessageDirection.Note)
                .OrderBy(m => m.ConversationId).ThenBy(m => m.Timestamp).ThenBy(m => m.Id)
                .Select(m => new { m.Id, m.ConversationId, m.ChannelId, m.ContactId, m.Direction, m.Timestamp, m.Status, m.ErrorCode })
                .ToListAsync(ct);

            // The groups each reply was written in: its delivery counts there (they are not recounted from the conversation's groups now).
            var replyGroups = await ReplyGroups.OfMessagesAsync(db, [.. messages.Where(m => m.Direction == MessageDirection.Outbound).Select(m => (tenantId, m.Id))], ct);
            Guid? current = null;
            var thread = new Thread();
            ReportGroups groups = default;
            BusinessSchedule? hours = null;
            foreach (var m in messages)
            {
                if (m.ConversationId != current)
                {
                    current = m.ConversationId;
                    thread = new Thread();
                    var c = byId[m.ConversationId];
                    groups = new ReportGroups(tenantId, m.ChannelId, c.TeamId, c.AssignedUserId, [.. labels[m.ConversationId]]);
                    hours = rules.BusinessHoursOf(c.SlaPolicyId);
                }

                if (restricted.TryGetValue(m.ContactId, out var restrictedAt) && m.Timestamp >= restrictedAt)
                {
                    continue; // restricted processing: nothing counted from then on
                }

                Count(counters, thread, groups, hours, ReplyGroups.Of(tenantId, m.ChannelId, replyGroups[m.Id]), m.Direction, m.Timestamp, m.Status, m.ErrorCode);
            }

            read += messages.Count;
            done += conversations.Count;
            written += await counters.FlushAsync(db, ct);
            progress($"tenant {tenantId}: {done} of {total} conversations, {read} messages, {written} counters");
        }

        var priced = db.Set<StatusUpdate>().AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Status == DeliveryState.Sent && s.PricingCategory != null)
            .Select(s => new { s.ChannelId, s.Timestamp, s.PricingCategory })
            .AsAsyncEnumerable();
        var pricing = new List<(Guid ChannelId, DateTimeOffset Timestamp, string Category)>();
        await foreach (var s in priced.WithCancellation(ct))
        {
            pricing.Add((s.ChannelId, s.Timestamp, s.PricingCategory!));
            if (pricing.Count == 100_000)
            {
                written += await CountPricingAsync(db, counters, tenantId, pricing, ct);
            }
        }

        written += await CountPricingAsync(db, counters, tenantId, pricing, ct);
        await transaction.CommitAsync(ct);
        progress($"tenant {tenantId}: {read} messages, {written} counters rebuilt");
        return written;
    }

    /// <summary>Counts one message of a conversation read in order: opened, messages in and out, (first) response times, reply states.</summary>
    private static void Count(ReportCounters counters, Thread thread, ReportGroups groups, BusinessSchedule? hours, ReportGroups delivery, MessageDirection direction, DateTimeOffset at, DeliveryState status, int? errorCode)
    {
        if (direction == MessageDirection.Inbound)
        {
            if (!thread.Opened)
            {
                thread.Opened = true;
                counters.Add(groups, at, ReportMetric.Opened);
            }

            counters.Add(groups, at, ReportMetric.MessagesIn);
            thread.AwaitingSince ??= at;
            return;
        }

        counters.Add(groups, at, ReportMetric.MessagesOut);
        if (thread.AwaitingSince is { } since)
        {
            var seconds = DurationBuckets.Seconds(since, at);
            var business = DurationBuckets.BusinessSeconds(since, at, hours);
            counters.Add(groups, at, ReportMetric.Response, DurationBuckets.Of(seconds), seconds);
            counters.Add(groups, at, ReportMetric.ResponseBusiness, DurationBuckets.Of(business), business);
            if (!thread.Answered)
            {
                counters.Add(groups, at, ReportMetric.FirstResponse, DurationBuckets.Of(seconds), seconds);
                counters.Add(groups, at, ReportMetric.FirstResponseBusiness, DurationBuckets.Of(business), business);
            }

            thread.Answered = true;
            thread.AwaitingSince = null;
        }

        if (DeliveryCounting.IsSent(status))
        {
            counters.Add(delivery, at, ReportMetric.RepliesSent);
        }

        if (DeliveryCounting.IsDelivered(status))
        {
            counters.Add(delivery, at, ReportMetric.RepliesDelivered);
        }

        if (DeliveryCounting.IsRead(status))
        {
            counters.Add(delivery, at, ReportMetric.RepliesRead);
        }

        if (status == DeliveryState.Failed)
        {
            counters.Add(delivery, at, ReportMetric.RepliesFailed, errorCode ?? 0);
        }
    }

    private static async Task<int> CountPricingAsync(SwitchboardDbContext db, ReportCounters counters, Guid tenantId, List<(Guid ChannelId, DateTimeOffset Timestamp, string Category)> pricing, CancellationToken ct)
    {
        foreach (var (channelId, timestamp, category) in pricing)
        {
            counters.Add(new ReportGroups(tenantId, channelId, null, null, []), timestamp, ReportMetric.Pricing, PricingCategories.Of(category));
        }

        pricing.Clear();
        return await counters.FlushAsync(db, ct);
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

using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Analytics;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Tenants;
using Switchboard.Hosting;

namespace Switchboard.ReportBench;

/// <summary>
/// The reports on one tenant with a year of history (issue 19 item 7, ADR 0030). Seeds conversations and
/// messages with COPY (5 numbers, 5 teams of 10 agents, 8 labels, alternating customer and agent messages
/// with delivery states), lets Switchboard's own <c>rebuild-reports</c> code count what it can recount from
/// the rows, adds the counters only the live path writes (resolved, assigned, handled, queue wait,
/// resolution) the way the live path groups them, and times each report use case — the code behind
/// <c>GET …/reports/*</c> and the dashboard's charts — on a fresh context per run. Usage:
/// <c>dotnet run -c Release --project bench/Switchboard.ReportBench -- "Host=…;Database=…" [messages=10000000] [runs=30] [reuse]</c>;
/// <c>reuse</c> keeps an earlier run's data set (rebuilding its reports) instead of seeding another tenant, <c>reuse-only</c> without the rebuild;
/// a fifth argument times only the reports whose name contains it (<c>agents</c>, <c>timeseries</c>, …).
/// </summary>
internal static class ReportBenchmark
{
    private const int Batch = 50_000;

    private const string TenantName = "Report benchmark";

    /// <summary>When set, only the reports whose name contains it are timed.</summary>
    private static string? only;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: ReportBench <PostgreSQL connection string> [messages] [runs] [seed|reuse|reuse-only] [report name filter]");
            return 2;
        }

        var messageTarget = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        var reuse = args.Length > 3 && args[3] is "reuse" or "reuse-only";
        var rebuild = !(args.Length > 3 && args[3] == "reuse-only");
        only = args.Length > 4 ? args[4] : null;
        var builder = WebApplication.CreateBuilder([
            "--Switchboard:Database:Provider=postgres", $"--ConnectionStrings:Switchboard={args[0]}",
            $"--Switchboard:MasterKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            $"--Switchboard:DataDirectory={Path.Combine(Path.GetTempPath(), "switchboard-reportbench")}", "--Logging:LogLevel:Default=Warning",
            "--Switchboard:PublicBaseUrl=https://bench.invalid", "--Switchboard:OperatorApiKey=bench-operator-key-not-used-0123456789"]);
        builder.AddSwitchboard();
        await using var app = builder.Build();
        var services = app.Services;
        var dbFactory = services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30)); // a migration that fills rollups from an earlier run's rows
            await db.Database.MigrateAsync();
        }

        var seedClock = Stopwatch.StartNew();
        Guid tenantId;
        long conversations = 0, messages = 0;
        TimeSpan seeded, rebuilt;
        long recounted;
        Guid[] teams, agents, labels;
        Tenant? existing;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            existing = reuse ? await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Name == TenantName) : null;
        }

        if (existing is not null)
        {
            // An earlier run's data set: rebuild its reports with this code (ADR 0054), then time them.
            tenantId = existing.Id;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                conversations = await db.Set<Conversation>().LongCountAsync(c => c.TenantId == tenantId);
                messages = await db.Set<Message>().LongCountAsync(m => m.TenantId == tenantId);
                teams = [.. await db.ReportDayRollups.Where(r => r.TenantId == tenantId && r.Dimension == ReportDimension.Team && r.Metric == ReportMetric.Assigned).Select(r => r.DimensionId).Distinct().OrderBy(id => id).ToListAsync()];
                agents = [.. (await ReportRows.AgentsAsync(db, tenantId, default)).Order()];
                labels = [.. await db.Set<Label>().Where(l => l.TenantId == tenantId).OrderBy(l => l.Name).Select(l => l.Id).ToListAsync()];
            }

            seeded = TimeSpan.Zero;
        }
        else
        {
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                var (tenant, _) = await CreateTenant.ProvisionAsync(db, services.GetRequiredService<KeyRing>(), TimeProvider.System, Guid.CreateVersion7(), TenantName, AuditActor.System, default);
                tenantId = tenant.Id;
            }

            var seed = new Seed(tenantId, messageTarget);
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                db.Set<Label>().AddRange(seed.Labels.Select((id, i) => new Label { TenantId = tenantId, Id = id, Name = $"Label {i}", Color = "#336699", CreatedAt = DateTimeOffset.UtcNow }));
                await db.SaveChangesAsync();
            }

            while (messages < messageTarget)
            {
                // Each batch with the counters only the live path writes (resolved, assigned, handled, queue waits,
                // resolution), added to hours, days and months as the fold adds them: never recounted by the rebuild.
                var (conversationRows, messageRows, labelRows) = seed.Next(Batch);
                await using var db = await dbFactory.CreateDbContextAsync();
                await using var transaction = await db.Database.BeginTransactionAsync();
                await BulkInsert.InsertAsync(db, conversationRows, default);
                await BulkInsert.InsertAsync(db, messageRows, default);
                await BulkInsert.InsertAsync(db, labelRows, default);
                await seed.Live.FlushAsync(db, default);
                await transaction.CommitAsync();
                conversations += conversationRows.Count;
                messages += messageRows.Count;
                Console.Error.Write($"\r  seeded {messages:N0} of {messageTarget:N0} messages, {conversations:N0} conversations, {seedClock.Elapsed.TotalSeconds:F0} s   ");
            }

            Console.Error.WriteLine();
            seeded = seedClock.Elapsed;
            (teams, agents, labels) = (seed.Teams, seed.Agents, seed.Labels);
        }

        var rebuildClock = Stopwatch.StartNew();
        recounted = !rebuild ? 0 : await services.GetRequiredService<RebuildReports>().RebuildAsync(tenantId, line => Console.Error.Write($"\r  rebuild-reports: {line} ({rebuildClock.Elapsed.TotalSeconds:F0} s)   "), default);
        Console.Error.WriteLine();
        rebuilt = rebuildClock.Elapsed;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            // One statement each: VACUUM cannot run in the implicit transaction of a multi-statement command.
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"Messages\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"Conversations\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ReportRollups\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ReportDayRollups\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ReportWeekRollups\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ReportMonthRollups\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ReportYearRollups\"");
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"ConversationLabels\"");
        }

        long rollups, dayRollups, weekRollups, monthRollups, yearRollups;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            rollups = await db.ReportRollups.LongCountAsync(r => r.TenantId == tenantId);
            dayRollups = await db.ReportDayRollups.LongCountAsync(r => r.TenantId == tenantId);
            weekRollups = await db.ReportWeekRollups.LongCountAsync(r => r.TenantId == tenantId);
            monthRollups = await db.ReportMonthRollups.LongCountAsync(r => r.TenantId == tenantId);
            yearRollups = await db.ReportYearRollups.LongCountAsync(r => r.TenantId == tenantId);
        }

        Console.WriteLine($"### Reports — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, PostgreSQL");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average at start {LoadAverage()}.");
        Console.WriteLine($"Tenant: {messages:N0} messages in {conversations:N0} conversations over 365 days; 5 numbers, 5 teams, 50 agents, 8 labels; seeded with COPY in {seeded.TotalSeconds:F0} s; "
            + $"rebuild-reports recounted {recounted:N0} counters in {rebuilt.TotalSeconds:F0} s; {rollups:N0} hour, {dayRollups:N0} day, {weekRollups:N0} week, {monthRollups:N0} month and {yearRollups:N0} year rollup rows in all.");
        Console.WriteLine();
        Console.WriteLine("| report | range | group | runs | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var today = DateTime.UtcNow.Date;
        foreach (var days in new[] { 7, 30, 365 })
        {
            var from = today.AddDays(-days + 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var range = $"{days} days";
            var interval = days == 7 ? "hour" : days == 30 ? "day" : "week";
            (string Group, Guid? Channel, Guid? Team, Guid? Agent, Guid? Label)[] groups =
                [("tenant", null, null, null, null), ("team", null, teams[0], null, null), ("agent", null, null, agents[0], null), ("label", null, null, null, labels[0])];
            foreach (var (group, channel, team, agent, label) in groups)
            {
                var query = ReportQuery.Parse(from, to, channel, team, agent, label, null, DateTimeOffset.UtcNow).Value!;
                await TimeAsync("summary", range, group, runs, dbFactory, db => Reports.SummaryAsync(db, tenantId, query, default));
                var series = ReportQuery.Parse(from, to, channel, team, agent, label, null, DateTimeOffset.UtcNow, "firstResponseSeconds", interval, series: true).Value!;
                await TimeAsync($"timeseries firstResponseSeconds by {interval}", range, group, runs, dbFactory, db => Reports.SeriesAsync(db, tenantId, series, default));
            }

            var tenantQuery = ReportQuery.Parse(from, to, null, null, null, null, null, DateTimeOffset.UtcNow).Value!;
            var opened = ReportQuery.Parse(from, to, null, null, null, null, null, DateTimeOffset.UtcNow, "conversationsOpened", interval, series: true).Value!;
            await TimeAsync($"timeseries conversationsOpened by {interval}", range, "tenant", runs, dbFactory, db => Reports.SeriesAsync(db, tenantId, opened, default));
            await TimeAsync("agents", range, "tenant", runs, dbFactory, db => Reports.AgentsAsync(db, tenantId, tenantQuery, DateTimeOffset.UtcNow, default));
            await TimeAsync("heat map (dashboard)", range, "tenant", runs, dbFactory, db => Reports.HeatMapAsync(db, tenantId, tenantQuery, default));
            await TimeAsync("first response distribution (dashboard)", range, "tenant", runs, dbFactory, db => ReportCharts.DistributionAsync(db, tenantId, tenantQuery, ReportMetric.FirstResponse, default));
            await TimeAsync("platform (operator)", range, "all tenants", runs, dbFactory, db => Reports.PlatformAsync(db, tenantQuery.Range, default));
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at the end: {LoadAverage()}.");
        return 0;
    }

    private static async Task TimeAsync<T>(string report, string range, string group, int runs, IDbContextFactory<SwitchboardDbContext> dbFactory, Func<SwitchboardDbContext, Task<T>> run)
    {
        if (only is not null && !report.Contains(only, StringComparison.Ordinal))
        {
            return;
        }

        var times = new List<double>(runs);
        for (var i = 0; i < runs + 1; i++)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var watch = Stopwatch.StartNew();
            await run(db);
            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds); // the first run warms the plan cache and is left out
            }
        }

        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        Console.WriteLine($"| {report} | {range} | {group} | {runs} | {P(0.50):F1} | {P(0.95):F1} | {times[^1]:F1} |");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>
    /// A year of conversations, spread evenly in time: each opens with a customer message, is assigned after a
    /// queue wait, and alternates customer and agent messages (2–18, 10 on average); 95 % are resolved.
    /// </summary>
    private sealed class Seed(Guid tenantId, long messageTarget)
    {
        public ReportCounters Live { get; } = new(tenantId);
        private static readonly byte[] Opaque = new byte[80];
        private readonly Random random = new(19);
        private readonly DateTimeOffset start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-365);
        private readonly Guid[] channels = [.. Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7())];
        private readonly Guid[] contacts = [.. Enumerable.Range(0, (int)Math.Max(10, messageTarget / 20)).Select(_ => Guid.CreateVersion7())];
        private readonly Dictionary<(Guid, Guid), int> sequences = [];
        private long made;
        private long number;

        public Guid[] Teams { get; } = [.. Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7())];

        public Guid[] Agents { get; } = [.. Enumerable.Range(0, 50).Select(_ => Guid.CreateVersion7())];

        public Guid[] Labels { get; } = [.. Enumerable.Range(0, 8).Select(_ => Guid.CreateVersion7())];

        public (List<Conversation>, List<Message>, List<ConversationLabel>) Next(int batch)
        {
            var conversations = new List<Conversation>();
            var messages = new List<Message>(batch + 20);
            var labels = new List<ConversationLabel>();
            var span = TimeSpan.FromDays(365) - TimeSpan.FromHours(6);
            while (messages.Count < batch && made < messageTarget)
            {
                var opened = start + (span * (made / (double)messageTarget)) + TimeSpan.FromSeconds(random.Next(0, 600));
                var team = random.Next(Teams.Length);
                var agent = Agents[(team * 10) + random.Next(10)];
                var (channel, contact) = (channels[random.Next(channels.Length)], contacts[random.Next(contacts.Length)]);
                var sequence = sequences[(channel, contact)] = sequences.GetValueOrDefault((channel, contact)) + 1;
                var conversation = new Conversation
                {
                    TenantId = tenantId,
                    Id = Guid.CreateVersion7(opened),
                    ChannelId = channel,
                    ContactId = contact,
                    Sequence = sequence,
                    Number = ++number,
                    TeamId = Teams[team],
                    AssignedUserId = agent,
                    CreatedAt = opened,
                };
                var labelIds = Enumerable.Range(0, random.Next(3)).Select(_ => Labels[random.Next(Labels.Length)]).Distinct().ToList();
                labels.AddRange(labelIds.Select(l => new ConversationLabel { TenantId = tenantId, ConversationId = conversation.Id, LabelId = l }));
                var groups = new ReportGroups(tenantId, conversation.ChannelId, conversation.TeamId, agent, labelIds);
                var waited = (long)Exponential(60);
                conversation.AssignedAt = opened.AddSeconds(waited);
                Live.Add(groups, conversation.AssignedAt.Value, ReportMetric.Assigned);
                Live.Add(groups, conversation.AssignedAt.Value, ReportMetric.QueueWait, DurationBuckets.Of(waited), waited);

                var count = (int)Math.Min(messageTarget - made, random.Next(2, 19));
                var at = opened;
                for (var i = 0; i < count; i++)
                {
                    var inbound = i % 2 == 0;
                    if (i > 0)
                    {
                        at = at.AddSeconds(Math.Max(1, Exponential(inbound ? 600 : 180)));
                    }

                    var message = new Message
                    {
                        TenantId = tenantId,
                        Id = Guid.CreateVersion7(at),
                        ConversationId = conversation.Id,
                        ChannelId = conversation.ChannelId,
                        ContactId = conversation.ContactId,
                        Wamid = "wamid.report" + (made + i).ToString(CultureInfo.InvariantCulture),
                        Direction = inbound ? MessageDirection.Inbound : MessageDirection.Outbound,
                        Type = "text",
                        Timestamp = at,
                        StatusAt = at,
                        CreatedAt = at,
                        Content = Opaque,
                        Text = Opaque,
                        AuthorUserId = inbound ? null : agent,
                    };
                    var roll = random.NextDouble();
                    message.Status = inbound ? DeliveryState.Received
                        : roll < 0.70 ? DeliveryState.Read : roll < 0.88 ? DeliveryState.Delivered : roll < 0.98 ? DeliveryState.Sent : DeliveryState.Failed;
                    message.ErrorCode = message.Status == DeliveryState.Failed ? 131047 : null;
                    if (!inbound && conversation.FirstResponseAt is null)
                    {
                        conversation.FirstResponseAt = at;
                    }

                    conversation.LastInboundAt = inbound ? at : conversation.LastInboundAt;
                    messages.Add(message);
                }

                made += count;
                conversation.LastMessageAt = conversation.UpdatedAt = at;
                if (random.NextDouble() < 0.95)
                {
                    var resolved = at.AddSeconds(Exponential(1800));
                    conversation.Status = ConversationStatus.Resolved;
                    conversation.UpdatedAt = resolved;
                    var seconds = (long)(resolved - opened).TotalSeconds;
                    Live.Add(groups, resolved, ReportMetric.Resolved);
                    Live.Add(groups, resolved, ReportMetric.Handled);
                    Live.Add(groups, resolved, ReportMetric.Resolution, DurationBuckets.Of(seconds), seconds);
                }

                conversations.Add(conversation);
            }

            return (conversations, messages, labels);
        }

        private double Exponential(double mean) => -Math.Log(1 - random.NextDouble()) * mean;
    }
}

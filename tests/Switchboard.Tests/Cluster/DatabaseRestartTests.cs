using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchboard.Tests.Cluster;

/// <summary>
/// PostgreSQL crashes and comes back under load (issue 22 item 3): a real Switchboard process on a PostgreSQL server of
/// the test's own takes webhooks and queues replies while the server is stopped the hard way and started again. While it
/// is down no webhook gets a 200 and no reply a 202 (503, or the connection fails); once it is back everything recovers
/// by itself: every acknowledged webhook is processed and every queued reply reaches Meta exactly once.
/// </summary>
[Collection(Serial.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int Rate = 20;

    [Fact]
    public async Task A_database_restarted_under_load_gets_no_false_acknowledgement_and_everything_recovers_without_help()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var database = new PostgresTestDatabase(postgres.ServerConnectionString);
        await database.CreateAsync();
        await using var cluster = await SwitchboardCluster.StartAsync(1, Rate, database: database);
        var (tenantId, apiKey) = await cluster.CreateTenantAsync("Database restart");
        var phone = Builders.NewPhoneNumberId();
        var channelId = await cluster.CreateNumberAsync(tenantId, apiKey, phone, Rate);
        var customers = Enumerable.Range(0, 20).Select(i => $"1652{Random.Shared.Next(100_000, 999_999)}{i:D2}").ToList();
        var first = new List<string>();
        foreach (var customer in customers)
        {
            var wamid = $"wamid.restart-{customer}-first";
            (await cluster.PostInboundAsync(0, tenantId, phone, customer, wamid)).Should().Be(HttpStatusCode.OK);
            first.Add(wamid);
        }

        var conversations = await cluster.WaitForConversationsAsync(tenantId, first);

        // Webhooks in (about 40/s) and replies out (about 20/s, the number's rate), each request timed on one clock.
        var clock = Stopwatch.StartNew();
        var webhooks = new ConcurrentBag<(string Wamid, TimeSpan Sent, TimeSpan Answered, HttpStatusCode? Status)>();
        var replies = new ConcurrentBag<(string Text, TimeSpan Sent, TimeSpan Answered, HttpStatusCode? Status)>();
        var queued = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var posting = Task.Run(async () =>
        {
            for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                var wamid = $"wamid.restart-{sequence}-{Guid.NewGuid():N}";
                var sent = clock.Elapsed;
                var status = await cluster.PostInboundAsync(0, tenantId, phone, customers[sequence % customers.Count], wamid);
                webhooks.Add((wamid, sent, clock.Elapsed, status));
                await Task.Delay(25);
            }
        });
        var replying = Task.Run(async () =>
        {
            for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                var text = $"restart reply {sequence} {Guid.NewGuid():N}";
                var sent = clock.Elapsed;
                var status = await cluster.ReplyAsync(0, tenantId, apiKey, conversations[sequence % conversations.Count], text, queued);
                replies.Add((text, sent, clock.Elapsed, status));
                await Task.Delay(50);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.CrashAsync();
        var down = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var up = clock.Elapsed;
        await postgres.StartServerAsync();
        output.WriteLine($"PostgreSQL down from {down.TotalSeconds:F1} s to {up.TotalSeconds:F1} s, back at {clock.Elapsed.TotalSeconds:F1} s");

        // Load goes on until webhooks and replies have been acknowledged again for a few seconds.
        var recovered = await Eventually.PollValueAsync(
            () => Task.FromResult(webhooks.Any(w => w.Sent > up && w.Status == HttpStatusCode.OK) && replies.Any(r => r.Sent > up && r.Status == HttpStatusCode.Accepted) ? clock.Elapsed : (TimeSpan?)null),
            seconds: 60);
        output.WriteLine($"Acknowledging again {(recovered - up).TotalSeconds:F1} s after PostgreSQL was started");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(posting, replying);

        var whileDown = webhooks.Where(w => w.Sent > down && w.Answered < up).ToList();
        var repliesWhileDown = replies.Where(r => r.Sent > down && r.Answered < up).ToList();
        output.WriteLine($"{webhooks.Count} webhooks ({webhooks.Count(w => w.Status == HttpStatusCode.OK)} acknowledged), {whileDown.Count} while down: "
            + string.Join(", ", whileDown.GroupBy(w => w.Status?.ToString() ?? "no answer").Select(g => $"{g.Count()} {g.Key}")));
        output.WriteLine($"{replies.Count} replies ({queued.Count} queued), {repliesWhileDown.Count} while down: "
            + string.Join(", ", repliesWhileDown.GroupBy(r => r.Status?.ToString() ?? "no answer").Select(g => $"{g.Count()} {g.Key}")));
        whileDown.Should().NotBeEmpty("webhooks kept coming while the database was down");
        whileDown.Should().OnlyContain(w => w.Status == null || (int)w.Status >= 500, "nothing is acknowledged that is not stored");
        repliesWhileDown.Should().NotBeEmpty();
        repliesWhileDown.Should().OnlyContain(r => r.Status == null || (int)r.Status >= 500, "no reply is accepted that is not queued");

        var acknowledged = webhooks.Where(w => w.Status == HttpStatusCode.OK).Select(w => w.Wamid).ToList();
        await cluster.WaitForConversationsAsync(tenantId, acknowledged, seconds: 60);
        var items = await cluster.WaitUntilSettledAsync(tenantId, TimeSpan.FromSeconds(90));
        var sent = await cluster.SentByTextAsync();
        output.WriteLine($"{items.Count} replies: {items.Count(o => o.State == OutboxState.Done)} sent, {items.Count(o => o.State == OutboxState.Unknown)} unknown, {items.Count(o => o.State == OutboxState.Failed)} failed");
        items.Count.Should().BeGreaterThanOrEqualTo(queued.Count, "every reply that was accepted was queued (one whose commit the crash cut may be queued without a 202)");
        items.Should().OnlyContain(o => o.State == OutboxState.Done, "the database coming back is no reason to give up on a reply or to doubt it");
        queued.Where(t => sent.GetValueOrDefault(t) != 1).Should().BeEmpty("every queued reply reaches Meta exactly once");
        var pacing = await cluster.PacingAsync(phone, channelId);
        output.WriteLine(pacing.ToString());
        pacing.BusiestCalls.Should().BeLessThanOrEqualTo(Rate);
        pacing.BusiestInTime.Should().BeLessThanOrEqualTo(Rate, "arrivals later than the pacer allows for are the simulator's (ADR 0068)");
    }
}

using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchboard.Tests.Outbound;

/// <summary>Three Switchboard processes on one PostgreSQL, started once for the tests of <see cref="ThreeNodeSendingTests"/>.</summary>
public sealed class ThreeNodeFixture : IAsyncLifetime
{
    /// <summary>Each number's rate, Switchboard's setting and the simulator's limit alike.</summary>
    public const int Rate = 20;

    private SwitchboardCluster? cluster;

    /// <summary>Started by the first test that asks, so a skipped class starts no processes.</summary>
    public async Task<SwitchboardCluster> ClusterAsync() => cluster ??= await SwitchboardCluster.StartAsync(3, Rate);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// Three nodes on one PostgreSQL (ADR 0055): webhooks through any node are all processed; replies to one
/// number queued through all three go out at no more than the number's rate in any second, as the nodes
/// started the calls and as they arrived at Meta's end (the simulator's own log, throttled ones included;
/// ADR 0068), because one node at a time holds the number's lease; when that node is SIGKILLed another takes over within seconds, and every
/// reply ends sent, failed or unknown, none sent twice. Then ten SIGKILLs of random nodes under mixed load.
/// </summary>
[Collection(Serial.Name)]
public sealed class ThreeNodeSendingTests(ThreeNodeFixture fixture, ITestOutputHelper output) : IClassFixture<ThreeNodeFixture>
{
    private SwitchboardCluster Cluster { get; set; } = null!;

    [Fact]
    public async Task Replies_to_one_number_through_three_nodes_keep_its_rate_and_a_killed_holder_is_replaced_within_seconds()
    {
        Cluster = await fixture.ClusterAsync();
        await Cluster.EnsureLiveAsync();
        var (tenantId, apiKey) = await CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channelId = await CreateNumberAsync(tenantId, apiKey, phone);

        // Webhooks spread over the nodes are all processed.
        var customers = Enumerable.Range(0, 45).Select(i => $"1650{Random.Shared.Next(100_000, 999_999)}{i:D2}").ToList();
        var acked = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(customers.Select((c, i) => (c, i)), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (x, _) =>
        {
            var wamid = await PostInboundAsync(x.i % Cluster.Size, tenantId, phone, x.c);
            wamid.Should().NotBeNull("every node is up");
            acked.Add(wamid!);
        });
        var conversations = await WaitForConversationsAsync(tenantId, [.. acked]);

        // Replies queued through all three nodes, four per customer.
        var texts = new ConcurrentBag<string>();
        await QueueRepliesAsync(tenantId, apiKey, conversations, perConversation: 4, nodes: [0, 1, 2], texts);
        var items = await WaitUntilSettledAsync(tenantId, TimeSpan.FromSeconds(60));
        items.Should().OnlyContain(o => o.State == OutboxState.Done, "all nodes are up and Meta accepts everything in rate");
        (await SentTwiceAsync([.. texts])).Should().BeEmpty();
        var pacing = await Cluster.PacingAsync(phone, channelId);
        output.WriteLine($"{texts.Count} replies through 3 nodes (rate {ThreeNodeFixture.Rate}); {pacing}");
        ShouldKeepTheRate(pacing);

        // The node holding the number is killed while a backlog of replies is being sent.
        var holder = await HolderAsync(channelId);
        holder.Node.Should().BeGreaterThanOrEqualTo(0, "the holder is one of the nodes");
        var survivors = Enumerable.Range(0, Cluster.Size).Where(n => n != holder.Node).ToArray();
        var before = (await Cluster.Meta.ArrivalsAsync(phone)).Accepted.Length;
        await QueueRepliesAsync(tenantId, apiKey, conversations, perConversation: 4, nodes: survivors, texts);
        await Eventually.PollValueAsync(async () => (await Cluster.Meta.ArrivalsAsync(phone)).Accepted.Length >= before + 40 ? true : (bool?)null);
        var killedAt = DateTimeOffset.UtcNow;
        Cluster.Kill(holder.Node);
        try
        {
            // Replies queued after the kill: a survivor takes a number over only to send for it, and on a loaded machine the
            // killed node may have sent the whole backlog before the kill (every reply Done, nothing for anyone to take).
            await QueueRepliesAsync(tenantId, apiKey, conversations, perConversation: 1, nodes: survivors, texts);

            (int Node, Guid Holder) next;
            try
            {
                next = await Eventually.PollValueAsync<(int Node, Guid Holder)>(async () =>
                {
                    var now = await HolderAsync(channelId);
                    return now.Holder != holder.Holder ? now : null;
                });
            }
            catch (TimeoutException)
            {
                await using var db = Cluster.Database.NewDbContext();
                var leases = await db.Database.SqlQueryRaw<string>(
                    "SELECT concat_ws(' ', \"ChannelId\", \"Holder\", \"Node\", \"ExpiresAt\", now()) AS \"Value\" FROM \"NumberLeases\"").ToListAsync();
                output.WriteLine($"Killed node {holder.Node} (holder {holder.Holder}); leases (number, holder, node, expires, now): {string.Join("; ", leases)}");
                var sessions = await db.Database.SqlQueryRaw<string>(
                    "SELECT concat_ws(' ', pid, state, xact_start, wait_event_type, wait_event, left(query, 80)) AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").ToListAsync();
                output.WriteLine($"Sessions: {string.Join(Environment.NewLine, sessions)}");
                var pending = await db.OutboxItems.IgnoreQueryFilters().Where(o => o.ChannelId == channelId).GroupBy(o => o.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
                output.WriteLine($"Replies of the number by state: {string.Join(", ", pending.Select(p => $"{p.Key} {p.Count}"))}");
                output.WriteLine(Cluster.Outputs());
                throw;
            }

            var takeover = DateTimeOffset.UtcNow - killedAt;
            output.WriteLine($"Killed node {holder.Node}; node {next.Node} took the number over after {takeover.TotalSeconds:F1} s");
            takeover.Should().BeLessThan(TimeSpan.FromSeconds(15));
            next.Node.Should().BeOneOf(survivors);

            items = await WaitUntilSettledAsync(tenantId, TimeSpan.FromSeconds(90));
            items.Should().OnlyContain(o => o.State == OutboxState.Done || o.State == OutboxState.Unknown, "a reply the killed node was sending is unknown, the rest are sent");
            var sentAfter = (await Cluster.Meta.ArrivalsAsync(phone)).Accepted.Select(FromMicroseconds).Where(t => t > killedAt).Min();
            output.WriteLine($"First send after the kill {(sentAfter - killedAt).TotalSeconds:F1} s later; {items.Count(o => o.State == OutboxState.Unknown)} of {items.Count} replies unknown");
            (await SentTwiceAsync([.. texts])).Should().BeEmpty("no reply reaches Meta twice");
            var window = await Cluster.BusiestWindowAsync(phone);
            output.WriteLine($"Busiest second at Meta: {window.Count}, arrivals at {string.Join(", ", window.Arrivals.Select(a => $"{(a - killedAt).TotalMilliseconds:F0}"))} ms after the kill");
            pacing = await Cluster.PacingAsync(phone, channelId);
            output.WriteLine(pacing.ToString());
            ShouldKeepTheRate(pacing, "the new holder starts only after the old one's lease lapsed");
        }
        finally
        {
            await Cluster.StartNodeAsync(holder.Node);
        }
    }

    [Fact]
    public async Task Ten_random_kills_under_mixed_load_lose_no_acknowledged_event_send_nothing_twice_and_keep_each_rate()
    {
        Cluster = await fixture.ClusterAsync();
        await Cluster.EnsureLiveAsync();
        var (tenantId, apiKey) = await CreateTenantAsync();
        string[] phones = [Builders.NewPhoneNumberId(), Builders.NewPhoneNumberId()];
        var channels = new List<Guid>();
        foreach (var phone in phones)
        {
            channels.Add(await CreateNumberAsync(tenantId, apiKey, phone));
        }

        var customers = Enumerable.Range(0, 40).Select(i => (Phone: phones[i % 2], Customer: $"1651{Random.Shared.Next(100_000, 999_999)}{i:D2}")).ToList();
        var acked = new ConcurrentBag<string>();
        foreach (var (phone, customer) in customers)
        {
            acked.Add((await PostInboundAsync(0, tenantId, phone, customer))!);
        }

        var conversations = await WaitForConversationsAsync(tenantId, [.. acked]);
        var texts = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        // Webhooks in (about 40/s) and replies out (about 30/s, more than the two numbers' 40/s can take at times), to random live nodes.
        var webhooks = Task.Run(async () =>
        {
            var sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                var (phone, customer) = customers[Random.Shared.Next(customers.Count)];
                if (await PostInboundAsync(RandomLiveNode(), tenantId, phone, customer, sequence++) is { } wamid)
                {
                    acked.Add(wamid);
                }

                await Task.Delay(25);
            }
        });
        var replies = Task.Run(async () =>
        {
            var sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                await TryReplyAsync(RandomLiveNode(), tenantId, apiKey, conversations[Random.Shared.Next(conversations.Count)], $"mixed {sequence++}", texts);
                await Task.Delay(33);
            }
        });

        // A node is killed every few seconds while at least one other is up; each comes back in the background.
        var restarts = new List<Task>();
        for (var kill = 0; kill < 10; kill++)
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await Eventually.PollValueAsync(() => Task.FromResult(Cluster.LiveNodes.Count() >= 2 ? true : (bool?)null), seconds: 300);
            var live = Cluster.LiveNodes.ToList();
            var victim = live[Random.Shared.Next(live.Count)];
            Cluster.Kill(victim);
            output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} kill {kill + 1}: node {victim}");
            restarts.Add(Cluster.RestartAsync(victim, CancellationToken.None));
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(webhooks, replies);
        await Task.WhenAll(restarts);

        var items = await WaitUntilSettledAsync(tenantId, TimeSpan.FromSeconds(90));
        var lost = await LostAsync(tenantId, [.. acked]);
        output.WriteLine($"{acked.Count} webhooks acknowledged, {lost.Count} lost; {items.Count} replies: {items.Count(o => o.State == OutboxState.Done)} sent, {items.Count(o => o.State == OutboxState.Unknown)} unknown, {items.Count(o => o.State == OutboxState.Failed)} failed");
        lost.Should().BeEmpty("an acknowledged event is durably stored and processed whatever node dies");
        items.Should().OnlyContain(o => o.State == OutboxState.Done || o.State == OutboxState.Unknown || o.State == OutboxState.Failed);
        items.Count.Should().BeGreaterThanOrEqualTo(texts.Count, "every acknowledged reply was queued");
        (await SentTwiceAsync([.. texts])).Should().BeEmpty("no reply reaches Meta twice");
        foreach (var (phone, channelId) in phones.Zip(channels))
        {
            var pacing = await Cluster.PacingAsync(phone, channelId);
            var (accepted, throttled) = await Cluster.Meta.ArrivalsAsync(phone);
            output.WriteLine($"Number {phone}: {accepted.Length} accepted, {throttled.Length} throttled; {pacing}");
            ShouldKeepTheRate(pacing);
        }
    }

    /// <summary>
    /// The nodes together start no more calls than the rate in any second, and Meta gets no more than that in any second from the
    /// calls that reached it within the way the pacer allows for (ADR 0068); a late arrival is the simulator's, not the nodes'.
    /// </summary>
    private static void ShouldKeepTheRate(Pacing pacing, string because = "one node at a time paces the number")
    {
        pacing.BusiestCalls.Should().BeLessThanOrEqualTo(ThreeNodeFixture.Rate, because);
        pacing.BusiestInTime.Should().BeLessThanOrEqualTo(ThreeNodeFixture.Rate, because);
    }

    private int RandomLiveNode()
    {
        var live = Cluster.LiveNodes.ToList();
        return live.Count == 0 ? 0 : live[Random.Shared.Next(live.Count)];
    }

    private Task<(Guid TenantId, string ApiKey)> CreateTenantAsync() => Cluster.CreateTenantAsync("Three nodes");

    private Task<Guid> CreateNumberAsync(Guid tenantId, string apiKey, string phone) => Cluster.CreateNumberAsync(tenantId, apiKey, phone, ThreeNodeFixture.Rate);

    /// <summary>One message per POST; its wamid if the node acknowledged it (200), else null.</summary>
    private async Task<string?> PostInboundAsync(int node, Guid tenantId, string phone, string customer, int sequence = 0)
    {
        var wamid = $"wamid.cluster-{customer}-{sequence}-{Guid.NewGuid():N}";
        return await Cluster.PostInboundAsync(node, tenantId, phone, customer, wamid) == HttpStatusCode.OK ? wamid : null;
    }

    private Task<List<Guid>> WaitForConversationsAsync(Guid tenantId, List<string> wamids) => Cluster.WaitForConversationsAsync(tenantId, wamids);

    private async Task QueueRepliesAsync(Guid tenantId, string apiKey, List<Guid> conversations, int perConversation, int[] nodes, ConcurrentBag<string> texts)
    {
        var replies = Enumerable.Range(0, perConversation).SelectMany(k => conversations.Select((c, i) => (Conversation: c, Text: $"reply {texts.Count + (k * conversations.Count) + i} {Guid.NewGuid():N}"))).ToList();
        await Parallel.ForEachAsync(replies.Select((r, i) => (r, i)), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (x, _) =>
            (await TryReplyAsync(nodes[x.i % nodes.Length], tenantId, apiKey, x.r.Conversation, x.r.Text, texts)).Should().BeTrue("every node it is sent to is up"));
    }

    private async Task<bool> TryReplyAsync(int node, Guid tenantId, string apiKey, Guid conversationId, string text, ConcurrentBag<string> texts) =>
        await Cluster.ReplyAsync(node, tenantId, apiKey, conversationId, text, texts) == HttpStatusCode.Accepted;

    private Task<List<OutboxItem>> WaitUntilSettledAsync(Guid tenantId, TimeSpan timeout) => Cluster.WaitUntilSettledAsync(tenantId, timeout);

    private Task<List<string>> LostAsync(Guid tenantId, List<string> wamids) => Cluster.LostAsync(tenantId, wamids);

    /// <summary>The node (index in the cluster) and holder id of the number's lease.</summary>
    private async Task<(int Node, Guid Holder)> HolderAsync(Guid channelId)
    {
        await using var db = Cluster.Database.NewDbContext();
        var lease = await db.NumberLeases.IgnoreQueryFilters().SingleAsync(l => l.ChannelId == channelId);
        var processId = int.Parse(lease.Node.Split(':')[^2], System.Globalization.CultureInfo.InvariantCulture);
        return (Cluster.NodeOfProcess(processId), lease.Holder);
    }

    private Task<List<string>> SentTwiceAsync(List<string> texts) => Cluster.SentTwiceAsync(texts);

    private static DateTimeOffset FromMicroseconds(long microseconds) => new(microseconds * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;

namespace Switchboard.Tests.Infrastructure;

/// <summary>What the tests of a cluster send through it and read back: tenants, numbers, webhooks, replies, and what reached Meta.</summary>
public sealed partial class SwitchboardCluster
{
    public async Task<(Guid TenantId, string ApiKey)> CreateTenantAsync(string name)
    {
        using var client = Client(0, OperatorKey);
        var tenant = (await (await client.PostAsJsonAsync("/api/v1/tenants", new { name })).Content.ReadFromJsonAsync<JsonObject>())!;
        return (tenant["id"]!.GetValue<Guid>(), tenant["apiKey"]!.GetValue<string>());
    }

    /// <summary>Connects the number (the simulator answers for it) and sets its rate; its channel id.</summary>
    public async Task<Guid> CreateNumberAsync(Guid tenantId, string apiKey, string phone, int messagesPerSecond)
    {
        using var client = Client(0, apiKey);
        var created = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest(phone));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var channelId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        (await client.PutAsJsonAsync($"/api/v1/tenants/{tenantId}/channels/{channelId}/throughput", new { messagesPerSecond })).EnsureSuccessStatusCode();
        return channelId;
    }

    /// <summary>One message per POST, as Meta sends under ordinary load; the node's status code, or null when the request failed.</summary>
    public async Task<HttpStatusCode?> PostInboundAsync(int node, Guid tenantId, string phone, string customer, string wamid)
    {
        var body = WebhookPayloads.Messages(phone, new WebhookPayloads.Inbound(wamid, customer, "Hello?", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        try
        {
            using var client = Client(node);
            return (await client.PostWebhookAsync(tenantId, body, WebhookSender.Sign(body))).StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Queues a reply; the node's status code, or null when the request failed. Texts the node accepted (202) are added to <paramref name="accepted"/>.</summary>
    public async Task<HttpStatusCode?> ReplyAsync(int node, Guid tenantId, string apiKey, Guid conversationId, string text, ConcurrentBag<string> accepted)
    {
        try
        {
            using var client = Client(node, apiKey);
            var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages", new { type = "text", text });
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(text);
            }

            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until every one of the webhooks is stored as an inbound message; the tenant's conversations.</summary>
    public async Task<List<Guid>> WaitForConversationsAsync(Guid tenantId, IReadOnlyCollection<string> wamids, int seconds = 30)
    {
        await Eventually.PollValueAsync(
            async () =>
            {
                try
                {
                    return (await LostAsync(tenantId, wamids)).Count == 0 ? true : (bool?)null;
                }
                catch (Npgsql.NpgsqlException)
                {
                    return null; // A pooled connection from before a database restart: the next poll takes another.
                }
            },
            seconds);
        await using var db = Database.NewDbContext();
        return await db.Messages.IgnoreQueryFilters().Where(m => m.TenantId == tenantId && m.Direction == MessageDirection.Inbound).Select(m => m.ConversationId).Distinct().ToListAsync();
    }

    /// <summary>Those of the webhooks' messages that are not stored.</summary>
    public async Task<List<string>> LostAsync(Guid tenantId, IReadOnlyCollection<string> wamids)
    {
        await using var db = Database.NewDbContext();
        var stored = (await db.Messages.IgnoreQueryFilters().Where(m => m.TenantId == tenantId && m.Direction == MessageDirection.Inbound).Select(m => m.Wamid).ToListAsync()).ToHashSet();
        return [.. wamids.Where(w => !stored.Contains(w))];
    }

    /// <summary>Waits until no reply of the tenant is pending or being sent; returns them all.</summary>
    internal async Task<List<OutboxItem>> WaitUntilSettledAsync(Guid tenantId, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var db = Database.NewDbContext();
                var items = await db.OutboxItems.AsNoTracking().IgnoreQueryFilters().Where(o => o.TenantId == tenantId && o.Kind == OutboxKind.Message).ToListAsync();
                if (items.All(o => o.State is not (OutboxState.Pending or OutboxState.Sending)))
                {
                    return items;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException($"{items.Count(o => o.State is OutboxState.Pending or OutboxState.Sending)} replies still pending or sending after {timeout.TotalSeconds} s.");
                }
            }
            catch (Npgsql.NpgsqlException) when (DateTimeOffset.UtcNow <= deadline)
            {
                // The database is not back yet.
            }

            await Task.Delay(250);
        }
    }

    /// <summary>How many times each business message reached a customer at Meta, by its text.</summary>
    public Task<Dictionary<string, int>> SentByTextAsync() => Meta.SentByTextAsync();

    /// <summary>Those of the texts that reached Meta more than once.</summary>
    public async Task<List<string>> SentTwiceAsync(IEnumerable<string> texts)
    {
        var counts = await SentByTextAsync();
        return [.. texts.Where(t => counts.GetValueOrDefault(t) > 1)];
    }

    /// <summary>
    /// The number's pacing as the nodes and the simulator saw it (ADR 0068): the most calls the nodes together started within any one
    /// second (<see cref="OutboxItem.CalledAt"/>); the most arrivals at the simulator within any one second (accepted or throttled);
    /// and that again without the accepted arrivals that came more than <see cref="Pacer.MaxHold"/> after their call started, which
    /// is as long on the way as the pacer's guarantee covers — a simulator process that got no CPU for longer stamps late.
    /// </summary>
    public async Task<Pacing> PacingAsync(string phone, Guid channelId)
    {
        await using var db = Database.NewDbContext();
        var calls = await db.OutboxItems.AsNoTracking().IgnoreQueryFilters()
            .Where(o => o.ChannelId == channelId && o.CalledAt != null && o.MessageId != null)
            .Select(o => new { o.TenantId, MessageId = o.MessageId!.Value, CalledAt = o.CalledAt!.Value })
            .ToListAsync();
        var messageIds = calls.Select(c => c.MessageId).ToList();
        var wamids = await db.Messages.AsNoTracking().IgnoreQueryFilters()
            .Where(m => messageIds.Contains(m.Id) && m.Wamid != null)
            .ToDictionaryAsync(m => m.Id, m => m.Wamid!);
        var calledAt = calls.Where(c => wamids.ContainsKey(c.MessageId)).ToDictionary(c => wamids[c.MessageId], c => Microseconds(c.CalledAt));

        var (accepted, throttled) = await Meta.SendsAsync(phone);
        var hold = (long)Pacer.MaxHold.TotalMicroseconds;
        var delays = accepted.Where(a => calledAt.ContainsKey(a.Wamid)).Select(a => (Arrival: a, Delay: a.At - calledAt[a.Wamid])).OrderBy(d => d.Delay).ToList();
        var late = delays.Where(d => d.Delay > hold).Select(d => d.Arrival).ToList();
        return new Pacing(
            Busiest(calls.Select(c => Microseconds(c.CalledAt))),
            Busiest(accepted.Select(a => a.At).Concat(throttled)),
            Busiest(accepted.Except(late).Select(a => a.At).Concat(throttled)),
            late.Count,
            delays.Count == 0 ? 0 : delays[delays.Count / 2].Delay / 1000.0,
            delays.Count == 0 ? 0 : delays[^1].Delay / 1000.0,
            accepted.Count - delays.Count);

        static long Microseconds(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerMicrosecond;
    }

    /// <summary>The most of the times (microseconds) within any one second.</summary>
    private static int Busiest(IEnumerable<long> microseconds) => BusiestWindow([.. microseconds.Order()]).Count;

    /// <summary>The busiest second of the ordered times (microseconds): how many fall in it, and the index of its first.</summary>
    private static (int Count, int From) BusiestWindow(long[] times)
    {
        var (busiest, from) = (0, 0);
        for (int first = 0, last = 0; last < times.Length; last++)
        {
            while (times[last] - times[first] >= 1_000_000)
            {
                first++;
            }

            if (last - first + 1 > busiest)
            {
                (busiest, from) = (last - first + 1, first);
            }
        }

        return (busiest, from);
    }

    /// <summary>The busiest second of the number at the simulator: how many sends arrived in it, and when each did.</summary>
    public async Task<(int Count, DateTimeOffset[] Arrivals)> BusiestWindowAsync(string phone)
    {
        var (accepted, throttled) = await Meta.ArrivalsAsync(phone);
        var arrivals = accepted.Concat(throttled).Order().ToArray();
        var (busiest, from) = BusiestWindow(arrivals);
        return (busiest, [.. arrivals.Skip(from).Take(busiest).Select(a => new DateTimeOffset(a * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero))]);
    }
}

/// <summary>
/// See <see cref="SwitchboardCluster.PacingAsync"/>: the busiest second of the nodes' call starts, of the simulator's arrivals, and of
/// the arrivals that came in time; how many accepted arrivals came late; the median and longest way from a call's start to its
/// arrival; and how many accepted arrivals the nodes have no call on record for (one in flight when its node was killed).
/// </summary>
public sealed record Pacing(int BusiestCalls, int BusiestArrivals, int BusiestInTime, int Late, double MedianDelayMs, double MaxDelayMs, int Unmatched)
{
    public override string ToString() =>
        $"busiest second: {BusiestCalls} calls started, {BusiestArrivals} arrivals at Meta, {BusiestInTime} arrivals in time; "
        + $"call to arrival median {MedianDelayMs:F1} ms, longest {MaxDelayMs:F1} ms, {Late} later than the pacer's hold; {Unmatched} arrivals without a call on record";
}

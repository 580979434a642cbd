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

    /// <summary>The most sends of the number that reached the simulator (accepted or throttled) within any one second.</summary>
    public async Task<int> BusiestSecondAsync(string phone) => (await BusiestWindowAsync(phone)).Count;

    /// <summary>The busiest second of the number at the simulator: how many sends arrived in it, and when each did.</summary>
    public async Task<(int Count, DateTimeOffset[] Arrivals)> BusiestWindowAsync(string phone)
    {
        var (accepted, throttled) = await Meta.ArrivalsAsync(phone);
        var arrivals = accepted.Concat(throttled).Order().ToArray();
        var (busiest, from) = (0, 0);
        for (int first = 0, last = 0; last < arrivals.Length; last++)
        {
            while (arrivals[last] - arrivals[first] >= 1_000_000)
            {
                first++;
            }

            if (last - first + 1 > busiest)
            {
                (busiest, from) = (last - first + 1, first);
            }
        }

        return (busiest, [.. arrivals.Skip(from).Take(busiest).Select(a => new DateTimeOffset(a * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero))]);
    }
}

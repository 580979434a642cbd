using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// Sending marks are committed in batches ahead of each reply's paced slot (here 3 s ahead, on a number
/// that allows one reply a second, so that a batch of marked replies waits for its slots). The node is
/// SIGKILLed while the first replies are with Meta (unanswered) and several more are committed as Sending
/// but not yet called. After the restart every reply that was Sending is unknown — whether or not it had
/// been called — none of them is sent again, and replies that were never marked Sending (leased by the dead
/// node or not: the new holder of the number takes them at once, ADR 0055) go out once.
/// </summary>
public abstract class BatchedSendCrashTests(DatabaseProvider provider)
{
    private const int Customers = 14;

    [Fact]
    public async Task A_crash_after_a_batched_sending_mark_leaves_every_marked_reply_unknown_and_sends_none_twice()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        graph.Answer = _ => FakeGraphApi.SendAnswer.Hang(TimeSpan.FromSeconds(30));
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        var settings = SwitchboardProcess.Settings(database, "batched-send-crash", "operator-key-for-batched-send-crash");
        settings["Switchboard:WhatsApp:GraphApiBaseUrl"] = graph.GraphApiBaseUrl;
        settings["Switchboard:Outbound:SendTimeout"] = "00:00:10";
        settings["Switchboard:Outbound:SendingLeaseMargin"] = "00:00:01";
        settings["Switchboard:Outbound:SendingMarkAhead"] = "00:00:03";
        var port = SwitchboardProcess.FreePort();
        var phone = Builders.NewPhoneNumberId();
        var customers = Enumerable.Range(0, Customers).Select(i => $"1650555{i:D4}").ToList();
        Guid tenantId;

        await using (var server = await SwitchboardProcess.StartAsync(settings, port))
        {
            using var client = server.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", "operator-key-for-batched-send-crash");
            var tenant = (await (await client.PostAsJsonAsync("/api/v1/tenants", new { name = "Batched send crash" })).Content.ReadFromJsonAsync<JsonObject>())!;
            tenantId = tenant["id"]!.GetValue<Guid>();
            client.DefaultRequestHeaders.Authorization = new("Bearer", tenant["apiKey"]!.GetValue<string>());
            var created = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest(phone));
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            var channelId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
            (await client.PutAsJsonAsync($"/api/v1/tenants/{tenantId}/channels/{channelId}/throughput", new { messagesPerSecond = 1 })).EnsureSuccessStatusCode();

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var body = WebhookPayloads.Messages(phone, [.. customers.Select(c => new WebhookPayloads.Inbound("wamid.batch-crash-" + c, c, "Hello?", now))]);
            (await client.PostWebhookAsync(tenantId, body, WebhookSender.Sign(body))).StatusCode.Should().Be(HttpStatusCode.OK);
            var conversations = await Eventually.PollAsync(async () =>
            {
                var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations");
                var ids = page!["items"]!.AsArray().Select(c => c!["id"]!.GetValue<Guid>()).ToList();
                return ids.Count == Customers ? ids : null;
            });
            foreach (var conversationId in conversations)
            {
                (await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages", new { type = "text", text = "One moment please." }))
                    .StatusCode.Should().Be(HttpStatusCode.Accepted);
            }

            // Some calls are with Meta, and more replies than that are committed as Sending ahead of their slots.
            await Eventually.PollValueAsync(async () =>
            {
                await using var db = database.NewDbContext();
                var sending = await db.OutboxItems.CountAsync(o => o.TenantId == tenantId && o.State == OutboxState.Sending);
                return !graph.Sends.IsEmpty && sending >= graph.Sends.Count + 2 ? true : (bool?)null;
            });

            server.KillHard();
        }

        List<Guid> sendingAtCrash;
        List<Guid> unmarkedAtCrash;
        await using (var db = database.NewDbContext())
        {
            sendingAtCrash = await db.OutboxItems.Where(o => o.TenantId == tenantId && o.State == OutboxState.Sending).Select(o => o.Id).ToListAsync();
            unmarkedAtCrash = await db.OutboxItems.Where(o => o.TenantId == tenantId && o.State == OutboxState.Pending).Select(o => o.Id).ToListAsync();
        }

        var sentBeforeCrash = graph.Sends.Count;
        sendingAtCrash.Should().HaveCountGreaterThan(sentBeforeCrash, "replies beyond those with Meta were marked in advance");
        graph.Answer = _ => FakeGraphApi.SendAnswer.Accept();
        await using (await SwitchboardProcess.StartAsync(settings, port))
        {
            await Eventually.PollValueAsync(async () =>
            {
                await using var db = database.NewDbContext();
                var items = await db.OutboxItems.AsNoTracking().Where(o => o.TenantId == tenantId).ToListAsync();
                var settled = items.Where(o => sendingAtCrash.Contains(o.Id)).All(o => o.State == OutboxState.Unknown)
                    && items.Where(o => unmarkedAtCrash.Contains(o.Id)).All(o => o.State == OutboxState.Done);
                return settled ? true : (bool?)null;
            });

            await Task.Delay(TimeSpan.FromSeconds(2));
            await using var check = database.NewDbContext();
            var items = await check.OutboxItems.AsNoTracking().Where(o => o.TenantId == tenantId).ToListAsync();
            var messages = await check.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.Direction == MessageDirection.Outbound).ToListAsync();
            foreach (var item in items.Where(o => sendingAtCrash.Contains(o.Id)))
            {
                item.State.Should().Be(OutboxState.Unknown);
                messages.Single(m => m.Id == item.MessageId).Status.Should().Be(DeliveryState.Unknown, "nobody knows whether Meta got it");
            }

            graph.Sends.Count.Should().Be(sentBeforeCrash + unmarkedAtCrash.Count, "only replies that were never marked are sent after the restart");
            foreach (var customer in customers)
            {
                graph.Sends.Count(s => s.Body.Contains(customer, StringComparison.Ordinal)).Should().BeLessThanOrEqualTo(1, "no reply is ever sent twice");
            }
        }
    }
}

public sealed class BatchedSendCrashTests_Sqlite() : BatchedSendCrashTests(DatabaseProvider.Sqlite);

public sealed class BatchedSendCrashTests_Postgres() : BatchedSendCrashTests(DatabaseProvider.Postgres);

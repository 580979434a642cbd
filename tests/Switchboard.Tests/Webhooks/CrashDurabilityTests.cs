using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// The server process is SIGKILLed in the middle of a stream of webhooks and started again: every webhook
/// that was answered 200 is stored and ends up as exactly one message; nothing is processed twice.
/// </summary>
public abstract class CrashDurabilityTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Every_acknowledged_webhook_survives_a_SIGKILL_and_is_processed_exactly_once()
    {
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        var settings = SwitchboardProcess.Settings(database, "crash", "operator-key-for-crash-test");
        var port = SwitchboardProcess.FreePort();
        var phone = Builders.NewPhoneNumberId();
        Guid tenantId;
        var acknowledged = new ConcurrentBag<string>();
        var attempted = 0;

        await using (var server = await SwitchboardProcess.StartAsync(settings, port))
        {
            using var client = server.CreateClient();
            tenantId = await ProvisionAsync(client, phone);

            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                using var sender = server.CreateClient();
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var message = WebhookPayloads.Text($"worker {worker} message {i}", 1_750_000_000 + i, from: $"1650555{worker:D4}");
                    var body = WebhookPayloads.Messages(phone, message);
                    Interlocked.Increment(ref attempted);
                    try
                    {
                        var response = await sender.PostWebhookAsync(tenantId, body, WebhookSender.Sign(body));
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(message.Wamid);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The process is gone mid-request: no answer, so Meta would retry; nothing is promised.
                        return;
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            var clock = Stopwatch.StartNew();
            while (acknowledged.Count < 150 && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(10);
            }

            server.KillHard();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        acknowledged.Should().HaveCountGreaterThan(100, "the stream was running when the process was killed");

        await using (await SwitchboardProcess.StartAsync(settings, port))
        {
            await using var db = database.NewDbContext();
            await WaitUntilProcessedAsync(db);

            var stored = await db.Messages.Where(m => m.TenantId == tenantId).Select(m => m.Wamid!).ToListAsync();
            stored.Should().OnlyHaveUniqueItems("no webhook is processed twice");
            stored.Should().Contain(acknowledged, "every webhook answered 200 was durable");
            stored.Count.Should().BeLessThanOrEqualTo(attempted);
            (await db.WebhookEvents.CountAsync(e => e.State != WebhookEventState.Processed)).Should().Be(0);
        }
    }

    private static async Task<Guid> ProvisionAsync(HttpClient client, string phone)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants") { Content = JsonContent.Create(new { name = "Crash test" }) };
        create.Headers.Authorization = new("Bearer", "operator-key-for-crash-test");
        var tenant = (await (await client.SendAsync(create)).Content.ReadFromJsonAsync<JsonObject>())!;
        var tenantId = Guid.Parse(tenant["id"]!.GetValue<string>());
        using var channel = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenantId}/channels") { Content = JsonContent.Create(Builders.ChannelRequest(phone)) };
        channel.Headers.Authorization = new("Bearer", tenant["apiKey"]!.GetValue<string>());
        (await client.SendAsync(channel)).StatusCode.Should().Be(HttpStatusCode.Created);
        return tenantId;
    }

    private static async Task WaitUntilProcessedAsync(SwitchboardDbContext db)
    {
        for (var i = 0; i < 600; i++)
        {
            if (!await db.WebhookEvents.AnyAsync(e => e.State == WebhookEventState.Pending))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The restarted server did not finish processing within 60 s.");
    }

}

public sealed class CrashDurabilityTests_Sqlite() : CrashDurabilityTests(DatabaseProvider.Sqlite);

public sealed class CrashDurabilityTests_Postgres() : CrashDurabilityTests(DatabaseProvider.Postgres);

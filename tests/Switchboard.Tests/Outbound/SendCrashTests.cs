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
/// The server is SIGKILLed after Meta received a reply but before the answer was recorded. After the
/// restart nobody can know whether the customer got it: the reply is marked unknown and never sent again.
/// </summary>
public abstract class SendCrashTests(DatabaseProvider provider)
{
    [Fact]
    public async Task A_crash_between_the_call_and_recording_it_never_leads_to_a_second_send()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        graph.Answer = _ => FakeGraphApi.SendAnswer.Hang(TimeSpan.FromSeconds(30));
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        var settings = SwitchboardProcess.Settings(database, "send-crash", "operator-key-for-send-crash");
        settings["Switchboard:WhatsApp:GraphApiBaseUrl"] = graph.GraphApiBaseUrl;
        settings["Switchboard:Outbound:SendTimeout"] = "00:00:10";
        settings["Switchboard:Outbound:SendingLeaseMargin"] = "00:00:01";
        var port = SwitchboardProcess.FreePort();
        var phone = Builders.NewPhoneNumberId();
        Guid tenantId;
        Guid replyId;

        await using (var server = await SwitchboardProcess.StartAsync(settings, port))
        {
            using var client = server.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", "operator-key-for-send-crash");
            var tenant = (await (await client.PostAsJsonAsync("/api/v1/tenants", new { name = "Send crash" })).Content.ReadFromJsonAsync<JsonObject>())!;
            tenantId = tenant["id"]!.GetValue<Guid>();
            client.DefaultRequestHeaders.Authorization = new("Bearer", tenant["apiKey"]!.GetValue<string>());
            (await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest(phone))).StatusCode.Should().Be(HttpStatusCode.Created);
            var body = WebhookPayloads.Messages(phone, WebhookPayloads.Text("Are you there?"));
            (await client.PostWebhookAsync(tenantId, body, WebhookSender.Sign(body))).StatusCode.Should().Be(HttpStatusCode.OK);
            var conversationId = await Eventually.PollValueAsync(async () =>
            {
                var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations");
                return page!["items"]!.AsArray().FirstOrDefault()?["id"]?.GetValue<Guid>();
            });

            var reply = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages", new { type = "text", text = "Yes! How can I help?" });
            replyId = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
            await Eventually.PollValueAsync(() => Task.FromResult(graph.Sends.IsEmpty ? (bool?)null : true));

            // Meta has the request; Switchboard has not heard back. Pull the plug.
            server.KillHard();
        }

        graph.Answer = _ => FakeGraphApi.SendAnswer.Accept();
        await using (await SwitchboardProcess.StartAsync(settings, port))
        {
            await using var db = database.NewDbContext();
            var message = await Eventually.PollAsync(async () =>
            {
                var m = await db.Messages.AsNoTracking().SingleAsync(m => m.TenantId == tenantId && m.Id == replyId);
                return m.Status == DeliveryState.Unknown ? m : null;
            });

            await Task.Delay(TimeSpan.FromSeconds(3));
            graph.Sends.Should().HaveCount(1, "the restarted node must not send it a second time");
            message.Wamid.Should().BeNull();
            (await db.OutboxItems.AsNoTracking().SingleAsync(o => o.MessageId == replyId)).State.Should().Be(OutboxState.Unknown);
        }
    }

}

public sealed class SendCrashTests_Sqlite() : SendCrashTests(DatabaseProvider.Sqlite);

public sealed class SendCrashTests_Postgres() : SendCrashTests(DatabaseProvider.Postgres);

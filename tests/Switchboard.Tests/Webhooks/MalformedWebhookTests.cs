using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// Payloads that are signed but can never be processed as they are: strings .NET refuses to read, ids and
/// senders of the wrong kind. One bad item never holds back the rest of its payload or its neighbours,
/// and is never retried (ADR 0018).
/// </summary>
public abstract class MalformedWebhookTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_lone_surrogate_in_one_message_reads_as_a_replacement_character_and_the_whole_payload_is_stored()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Body(phone, MessageJson("\"16505551234\"", $"\"wamid.lone-{Guid.NewGuid():N}\"", "broken \\udc00 text"), MessageJson("\"16505551234\"", $"\"wamid.fine-{Guid.NewGuid():N}\"", "fine text \\ud83d\\ude2e"));

        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitSettledAsync(tenant.Id);

        var texts = (await App.MessagesAsync(tenant)).Select(m => (string?)m["text"]).ToList();
        texts.Should().BeEquivalentTo(["broken \uFFFD text", "fine text \U0001F62E"]);
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.SingleAsync(e => e.TenantId == tenant.Id)).Should().BeEquivalentTo(new { State = WebhookEventState.Processed, Attempts = 0 });
    }

    [Fact]
    public async Task A_stored_payload_holding_a_lone_surrogate_is_still_listed()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("stored before the fix", 1_750_000_000)));
        await WaitSettledAsync(tenant.Id);
        await using (var db = App.NewDbContext())
        {
            // As an older version stored it: the raw message object, lone surrogate escape and all.
            var message = await db.Messages.SingleAsync(m => m.TenantId == tenant.Id);
            var contact = await db.Contacts.SingleAsync(c => c.TenantId == tenant.Id && c.Id == message.ContactId);
            var key = await App.Services.GetRequiredService<ContactKeys>().KeyOfAsync(contact, default);
            message.Content = Sealer.Seal(key, message.SealContext(nameof(Message.Content)), """{"type":"text","text":{"body":"x"},"referral":{"headline":"\udc00 ad"}}""");
            await db.SaveChangesAsync();
        }

        using var client = App.ClientWithKey(tenant.ApiKey);
        var conversation = (await App.ConversationsAsync(tenant)).Single()!;
        var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation["id"]}/messages");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var page = await response.Content.ReadFromJsonAsync<JsonObject>();
        ((string?)page!["items"]![0]!["payload"]!["referral"]!["headline"]).Should().Be("\uFFFD ad");
    }

    [Fact]
    public async Task Malformed_events_are_quarantined_once_without_retries_or_splits_and_every_valid_message_is_stored()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var malformed = new[]
        {
            MessageJson("\"16505551234\"", "12345", "an id that is a number"),
            MessageJson("{\"phone\":\"16505551234\"}", $"\"wamid.m-{Guid.NewGuid():N}\"", "a from that is an object"),
            MessageJson(null, $"\"wamid.m-{Guid.NewGuid():N}\"", "neither from nor from_user_id"),
            "42",
        };
        var bodies = new List<byte[]>();
        var valid = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var text = $"valid {i}";
            valid.Add(text);
            bodies.Add(Body(phone, MessageJson($"\"1650555{i:D4}\"", $"\"wamid.v-{Guid.NewGuid():N}\"", text)));
            if (i % 2 == 0)
            {
                // A malformed event alone, and one sharing its payload with a valid message.
                bodies.Add(Body(phone, malformed[i / 2 % malformed.Length]));
                var neighbour = $"beside malformed {i}";
                valid.Add(neighbour);
                bodies.Add(Body(phone, malformed[(i / 2 + 1) % malformed.Length], MessageJson("\"16505559999\"", $"\"wamid.n-{Guid.NewGuid():N}\"", neighbour)));
            }
        }

        var responses = await Task.WhenAll(bodies.Select(b => App.PostSignedAsync(tenant.Id, b)));
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        await WaitSettledAsync(tenant.Id);

        (await App.MessagesAsync(tenant)).Select(m => (string?)m["text"]).Should().BeEquivalentTo(valid);
        await using var db = App.NewDbContext();
        var events = await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).ToListAsync();
        events.Should().HaveCount(80).And.OnlyContain(e => e.Attempts == 0, "a shape error is never retried");
        events.Where(e => e.State == WebhookEventState.Quarantined).Should().HaveCount(40).And.OnlyContain(e => e.Reason == "malformed-message");
        events.Where(e => e.State == WebhookEventState.Processed).Should().HaveCount(40);
        App.Logs.AllText.Should().NotContain("processing it in halves").And.NotContain("failed attempt");
    }

    [Fact]
    public async Task A_malformed_status_is_quarantined_once_and_its_neighbours_are_recorded()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var good = $"wamid.s-{Guid.NewGuid():N}";
        var json = $$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
              "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"{{{phone}}}"},
              "statuses":[{"id":{"not":"a string"},"status":"sent","timestamp":"1750000000","recipient_id":"16505551234"},
                          {"id":"{{{new string('w', 300)}}}","status":"sent","timestamp":"1750000000","recipient_id":"16505551234"},
                          {"id":"{{{good}}}","status":"sent","timestamp":"1750000000","recipient_id":"16505551234"}]}}]}]}
            """;

        (await App.PostSignedAsync(tenant.Id, Encoding.UTF8.GetBytes(json))).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitSettledAsync(tenant.Id);

        await using var db = App.NewDbContext();
        (await db.StatusUpdates.Where(s => s.TenantId == tenant.Id).Select(s => s.Wamid).ToListAsync()).Should().Equal(good);
        (await db.WebhookEvents.SingleAsync(e => e.TenantId == tenant.Id)).Should().BeEquivalentTo(new { State = WebhookEventState.Quarantined, Reason = "malformed-status", Attempts = 0 });
    }

    [Fact]
    public async Task A_copy_of_a_message_whose_timestamp_is_not_metas_time_is_quarantined_and_the_message_stored_once()
    {
        // Found by WebhookFuzzTests (seed 20261205, case 30543): a stand-in time stored the copy beside the original.
        var (tenant, phone) = await TenantWithChannelAsync();
        var wamid = $"wamid.ts-{Guid.NewGuid():N}";
        var good = MessageJson("\"16505551234\"", $"\"{wamid}\"", "Does it come in another color?");
        var body = Body(phone, good.Replace("\"1750000000\"", "\"17<0000000\"", StringComparison.Ordinal), good);

        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitSettledAsync(tenant.Id);

        await using var db = App.NewDbContext();
        (await db.Messages.Where(m => m.TenantId == tenant.Id).Select(m => new { m.Wamid, m.Timestamp }).ToListAsync())
            .Should().BeEquivalentTo([new { Wamid = wamid, Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000) }]);
        (await db.WebhookEvents.SingleAsync(e => e.TenantId == tenant.Id)).Should().BeEquivalentTo(new { State = WebhookEventState.Quarantined, Reason = "malformed-message", Attempts = 0 });
    }

    /// <summary>One inbound text as raw JSON, so that ids, senders and escapes can be of any kind.</summary>
    internal static string MessageJson(string? from, string id, string body) =>
        "{" + (from is null ? "" : $"\"from\":{from},") + $"\"id\":{id},\"timestamp\":\"1750000000\",\"type\":\"text\",\"text\":{{\"body\":\"{body}\"}}}}";

    internal static byte[] Body(string phone, params string[] messages) => Encoding.UTF8.GetBytes($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"{{{phone}}}"},
          "messages":[{{{string.Join(",", messages)}}}]}}]}]}
        """);

    /// <summary>Until every event of the tenant is finished or waits for a retry (which the tests then see as a failure).</summary>
    private async Task WaitSettledAsync(Guid tenantId)
    {
        for (var i = 0; i < 600; i++)
        {
            await using var db = App.NewDbContext();
            if (!await db.WebhookEvents.AnyAsync(e => e.TenantId == tenantId && e.State == WebhookEventState.Pending && e.Attempts == 0))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Webhook events were still waiting for their first try after 30 s.");
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}

public sealed class MalformedWebhookTests_Sqlite(SqliteAppFixture fixture) : MalformedWebhookTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class MalformedWebhookTests_Postgres(PostgresAppFixture fixture) : MalformedWebhookTests(fixture), IClassFixture<PostgresAppFixture>;

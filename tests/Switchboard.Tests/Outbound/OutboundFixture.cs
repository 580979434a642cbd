using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>Switchboard wired to a fake Graph API, with short retry delays so that tests run quickly.</summary>
public abstract class OutboundFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public FakeGraphApi Graph { get; private set; } = null!;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Graph.DisposeAsync();
    }

    protected override async Task<IDictionary<string, string?>?> SettingsAsync()
    {
        Graph = await FakeGraphApi.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = Graph.GraphApiBaseUrl,
            ["Switchboard:Outbound:RetryBaseDelay"] = "00:00:00.050",
            ["Switchboard:Outbound:SendTimeout"] = "00:00:03",
            ["Switchboard:Outbound:MaxAttempts"] = "3",
            ["Switchboard:Media:RetryBaseDelay"] = "00:00:00.050",
        };
    }
}

public sealed class SqliteOutboundFixture() : OutboundFixture(DatabaseProvider.Sqlite);

public sealed class PostgresOutboundFixture() : OutboundFixture(DatabaseProvider.Postgres);

/// <summary>A customer who just wrote (so the 24-hour window is open), and ways to reply and watch.</summary>
public sealed record Chat(SwitchboardApp App, TestTenant Tenant, string Phone, Guid ConversationId, Guid InboundMessageId, string InboundWamid)
{
    public static async Task<Chat> StartAsync(SwitchboardApp app, string customer = "16505551234", string? inboundWamid = null, long? timestamp = null, TestTenant? tenant = null, string? phone = null)
    {
        tenant ??= await app.CreateTenantAsync();
        if (phone is null)
        {
            phone = Builders.NewPhoneNumberId();
            await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        }

        var wamid = inboundWamid ?? "wamid.in-" + Guid.NewGuid().ToString("N");
        var inbound = new WebhookPayloads.Inbound(wamid, customer, "Hello, I have a question", timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, inbound))).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        await using var db = app.NewDbContext();
        var message = await db.Messages.SingleAsync(m => m.TenantId == tenant.Id && m.Wamid == wamid);
        return new Chat(app, tenant, phone, message.ConversationId, message.Id, wamid);
    }

    public async Task<HttpResponseMessage> ReplyAsync(object body, string? idempotencyKey = null)
    {
        using var client = App.ClientWithKey(Tenant.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{Tenant.Id}/conversations/{ConversationId}/messages") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public async Task<Guid> ReplyAcceptedAsync(object body, string? idempotencyKey = null)
    {
        var response = await ReplyAsync(body, idempotencyKey);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        json["status"]!.GetValue<string>().Should().Be("queued");
        return json["id"]!.GetValue<Guid>();
    }

    /// <summary>Waits until the reply has left the outbox (accepted, failed or unknown) and returns it.</summary>
    internal async Task<Message> WaitForOutcomeAsync(Guid messageId, Func<Message, bool>? until = null)
    {
        until ??= m => m.Wamid is not null || m.Status is DeliveryState.Failed or DeliveryState.Unknown;
        for (var i = 0; i < 300; i++)
        {
            await using var db = App.NewDbContext();
            var message = await db.Messages.AsNoTracking().SingleAsync(m => m.TenantId == Tenant.Id && m.Id == messageId);
            if (until(message))
            {
                return message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Reply {messageId} was still in the outbox after 15 s.");
    }
}

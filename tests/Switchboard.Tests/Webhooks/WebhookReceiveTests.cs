using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>The webhook endpoint itself: handshake, signature, size, and what is (not) stored.</summary>
public abstract class WebhookReceiveTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task The_handshake_echoes_the_challenge_for_a_verify_token_of_the_tenant()
    {
        var tenant = await App.CreateTenantAsync();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(verifyToken: "first-token"));
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(verifyToken: "second-token"));
        using var client = App.CreateClient();

        var response = await client.GetAsync($"/webhooks/whatsapp/{tenant.Id}?hub.mode=subscribe&hub.verify_token=second-token&hub.challenge=1158201444");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Be("1158201444");
    }

    [Theory]
    [InlineData("subscribe", "wrong-token")]
    [InlineData("unsubscribe", "first-token")]
    [InlineData("subscribe", "")]
    [InlineData("subscribe", "FIRST-TOKEN")]
    public async Task The_handshake_is_403_for_anything_else(string mode, string token)
    {
        var tenant = await App.CreateTenantAsync();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(verifyToken: "first-token"));
        using var client = App.CreateClient();

        var response = await client.GetAsync($"/webhooks/whatsapp/{tenant.Id}?hub.mode={mode}&hub.verify_token={token}&hub.challenge=42");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Another_tenants_token_a_revoked_channels_token_and_an_unknown_tenant_fail_the_handshake()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        await App.CreateChannelAsync(a, Builders.ChannelRequest(verifyToken: "token-of-a"));
        var revoked = await App.CreateChannelAsync(b, Builders.ChannelRequest(verifyToken: "token-of-b"));
        using var admin = App.ClientWithKey(b.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{b.Id}/channels/{revoked["id"]}/revoke", null)).EnsureSuccessStatusCode();
        using var client = App.CreateClient();

        (await client.GetAsync($"/webhooks/whatsapp/{b.Id}?hub.mode=subscribe&hub.verify_token=token-of-a&hub.challenge=1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/webhooks/whatsapp/{b.Id}?hub.mode=subscribe&hub.verify_token=token-of-b&hub.challenge=1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/webhooks/whatsapp/{Guid.CreateVersion7()}?hub.mode=subscribe&hub.verify_token=token-of-a&hub.challenge=1")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_signed_webhook_is_acknowledged_stored_sealed_and_processed()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var body = Payloads.ForChannel("01-meta-text.json", phone);

        var response = await App.PostSignedAsync(tenant.Id, body);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var stored = await db.WebhookEvents.SingleAsync(e => e.TenantId == tenant.Id);
        stored.State.Should().Be(WebhookEventState.Processed);
        Encoding.UTF8.GetString(stored.Body).Should().NotContain("Does it come in another color");
        var message = (await App.MessagesAsync(tenant)).Single();
        message["text"]!.GetValue<string>().Should().Be("Does it come in another color?");
        message["timestamp"]!.GetValue<DateTimeOffset>().Should().Be(DateTimeOffset.FromUnixTimeSeconds(1749416383), "message time is Meta's, never processing time");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public async Task A_missing_or_wrong_signature_is_401_and_nothing_is_stored(string? signature)
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        using var client = App.CreateClient();

        var response = await client.PostWebhookAsync(tenant.Id, Payloads.ForChannel("01-meta-text.json", phone), signature);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(0);
    }

    [Fact]
    public async Task A_body_signed_by_another_tenants_secret_or_a_revoked_channel_is_401()
    {
        var (a, phone) = await TenantWithChannelAsync();
        var b = await App.CreateTenantAsync();
        var bChannel = await App.CreateChannelAsync(b, Builders.ChannelRequest(appSecret: "secret-of-tenant-b-000"));
        var body = Payloads.ForChannel("01-meta-text.json", phone);

        (await App.PostSignedAsync(a.Id, body, "secret-of-tenant-b-000")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await App.PostSignedAsync(Guid.CreateVersion7(), body)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var admin = App.ClientWithKey(b.ApiKey);
        (await App.PostSignedAsync(b.Id, body, "secret-of-tenant-b-000")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync($"/api/v1/tenants/{b.Id}/channels/{bChannel["id"]}/revoke", null)).EnsureSuccessStatusCode();
        (await App.PostSignedAsync(b.Id, body, "secret-of-tenant-b-000")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a revoked channel's secret no longer opens the door");
    }

    [Fact]
    public async Task A_rotated_app_secret_takes_over_at_once()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var channelId = (await App.ConversationsAsync(tenant)).Count == 0
            ? (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/channels"))!["items"]![0]!["id"]!.GetValue<string>()
            : throw new InvalidOperationException();
        var body = Payloads.ForChannel("02-pywa-text.json", phone);

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/credentials", new { appSecret = "the-new-app-secret-1" })).EnsureSuccessStatusCode();

        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await App.PostSignedAsync(tenant.Id, body, "the-new-app-secret-1")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_body_over_3_MB_is_413_and_nothing_is_stored()
    {
        var (tenant, _) = await TenantWithChannelAsync();
        var body = Encoding.UTF8.GetBytes("{\"object\":\"whatsapp_business_account\",\"pad\":\"" + new string('x', (3 * 1024 * 1024) + 10) + "\"}");

        var response = await App.PostSignedAsync(tenant.Id, body);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(0);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"object\":\"whatsapp_business_account\",\"entry\":\"nope\"}")]
    [InlineData("[1,2,3]")]
    public async Task A_signed_body_that_does_not_parse_is_acknowledged_and_quarantined(string garbage)
    {
        var (tenant, _) = await TenantWithChannelAsync();

        var response = await App.PostSignedAsync(tenant.Id, Encoding.UTF8.GetBytes(garbage));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var stored = await db.WebhookEvents.SingleAsync(e => e.TenantId == tenant.Id);
        stored.State.Should().Be(WebhookEventState.Quarantined);
        stored.Reason.Should().Be("unparseable");
    }

    [Fact]
    public async Task An_unknown_number_is_quarantined_listed_for_the_operator_and_replayable_once_connected()
    {
        var (tenant, _) = await TenantWithChannelAsync();
        var unknown = Builders.NewPhoneNumberId();

        (await App.PostSignedAsync(tenant.Id, Payloads.ForChannel("01-meta-text.json", unknown))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(tenant)).Should().BeEmpty("an unknown number is never guessed into a tenant");
        using var operatorClient = App.OperatorClient();
        var quarantine = await operatorClient.GetFromJsonAsync<JsonObject>("/api/v1/operator/quarantine?limit=200");
        var item = quarantine!["items"]!.AsArray().Single(i => i!["tenantId"]?.GetValue<Guid>() == tenant.Id);
        item!["reason"]!.GetValue<string>().Should().Be("unknown-number");

        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(unknown));
        (await operatorClient.PostAsync($"/api/v1/operator/quarantine/{item["id"]}/replay", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(tenant)).Should().ContainSingle(m => m["text"]!.GetValue<string>() == "Does it come in another color?");
    }

    [Fact]
    public async Task A_number_of_another_tenant_posted_to_this_tenants_url_is_quarantined_not_delivered_there()
    {
        var (a, _) = await TenantWithChannelAsync();
        var (b, bPhone) = await TenantWithChannelAsync();

        (await App.PostSignedAsync(a.Id, Payloads.ForChannel("01-meta-text.json", bPhone))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(a)).Should().BeEmpty();
        (await App.MessagesAsync(b)).Should().BeEmpty();
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.SingleAsync(e => e.TenantId == a.Id)).Reason.Should().Be("unknown-number");
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}

public sealed class WebhookReceiveTests_Sqlite(SqliteAppFixture fixture) : WebhookReceiveTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class WebhookReceiveTests_Postgres(PostgresAppFixture fixture) : WebhookReceiveTests(fixture), IClassFixture<PostgresAppFixture>;

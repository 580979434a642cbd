using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Channels;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Webhooks;

/// <summary>The shared platform URL: one Meta app for many tenants, routed by phone_number_id only.</summary>
public abstract class PlatformWebhookTests(PlatformWebhookTests.Fixture fixture)
{
    private const string PlatformSecret = "platform-app-secret-42";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task One_post_carrying_two_tenants_numbers_lands_in_each_tenant()
    {
        var (a, aPhone) = await TenantWithChannelAsync();
        var (b, bPhone) = await TenantWithChannelAsync();
        var body = Envelope([[
            Change(aPhone, contacts: [new { profile = new { name = "Ann" }, wa_id = "16505550001" }], messages: [Message("for tenant A", "16505550001")]),
            Change(bPhone, contacts: [new { profile = new { name = "Ben" }, wa_id = "16505550002" }], messages: [Message("for tenant B", "16505550002")]),
        ]]);
        using var client = App.CreateClient();

        (await client.PostWebhookAsync(null, body, WebhookSender.Sign(body, PlatformSecret))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        (await App.MessagesAsync(a)).Select(m => m["text"]!.GetValue<string>()).Should().Equal("for tenant A");
        (await App.MessagesAsync(b)).Select(m => m["text"]!.GetValue<string>()).Should().Equal("for tenant B");
        await using var db = App.NewDbContext();
        var stored = await db.WebhookEvents.OrderByDescending(e => e.Id).FirstAsync(e => e.TenantId == null);
        Encoding.UTF8.GetString(stored.Body).Should().NotContain("for tenant", "platform events are sealed too");
    }

    [Fact]
    public async Task A_tenants_own_secret_does_not_open_the_platform_url_and_an_unknown_number_is_quarantined()
    {
        var (_, phone) = await TenantWithChannelAsync();
        var unknown = Builders.NewPhoneNumberId();
        var body = Messages(unknown, Text("nobody's number"));
        using var client = App.CreateClient();

        (await client.PostWebhookAsync(null, body, WebhookSender.Sign(body))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await client.PostWebhookAsync(null, body, WebhookSender.Sign(body, PlatformSecret))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        var quarantined = await db.WebhookEvents.Where(e => e.TenantId == null && e.State == WebhookEventState.Quarantined).ToListAsync();
        quarantined.Should().Contain(e => e.Reason == "unknown-number");
        phone.Should().NotBe(unknown);
    }

    [Fact]
    public async Task An_account_update_for_an_account_whose_numbers_belong_to_several_tenants_is_quarantined_not_guessed()
    {
        await TenantWithChannelAsync();
        await TenantWithChannelAsync();
        var body = Payloads.ForChannel("51-pywa-account-update-restriction.json", "unused", wabaId: "102290129340398");
        using var client = App.CreateClient();

        (await client.PostWebhookAsync(null, body, WebhookSender.Sign(body, PlatformSecret))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        (await db.WebhookEvents.OrderByDescending(e => e.Id).FirstAsync(e => e.TenantId == null)).Reason.Should().Be("ambiguous-account");
        (await db.Channels.AnyAsync(c => c.Status == Switchboard.Features.Channels.ChannelStatus.Restricted)).Should().BeFalse();
    }

    [Fact]
    public async Task The_platform_handshake_uses_the_platform_verify_token()
    {
        using var client = App.CreateClient();

        (await client.GetStringAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=platform-verify&hub.challenge=777")).Should().Be("777");
        (await client.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=777")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private static object Message(string body, string from) => new
    {
        from,
        id = "wamid." + Guid.NewGuid().ToString("N"),
        timestamp = "1750000000",
        type = "text",
        text = new { body },
    };

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }

    public abstract class Fixture(DatabaseProvider provider) : AppFixture(provider)
    {
        protected override Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?>
        {
            ["Switchboard:WhatsApp:PlatformAppSecret"] = PlatformSecret,
            ["Switchboard:Webhooks:PlatformVerifyToken"] = "platform-verify",
        });
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class PlatformWebhookTests_Sqlite(PlatformWebhookTests.SqliteFixture fixture) : PlatformWebhookTests(fixture), IClassFixture<PlatformWebhookTests.SqliteFixture>;

public sealed class PlatformWebhookTests_Postgres(PlatformWebhookTests.PostgresFixture fixture) : PlatformWebhookTests(fixture), IClassFixture<PlatformWebhookTests.PostgresFixture>;

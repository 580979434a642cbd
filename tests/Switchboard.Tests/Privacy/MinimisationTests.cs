using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Privacy;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Privacy;

/// <summary>Data minimisation (issue 20 item 8, ADR 0047): the stored rows, decrypted, with the tenant's setting off and on.</summary>
public abstract class MinimisationTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Off_keeps_whatsapps_whole_object_on_keeps_the_minimum_drops_raw_events_and_retention_trims_what_was_kept()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/privacy/minimisation";
        (await admin.GetFromJsonAsync<JsonObject>(url))!["minimalMessages"]!.GetValue<bool>().Should().BeFalse("off by default");

        var before = await PostAsync(tenant, phone, "wamid.before-" + Guid.NewGuid().ToString("N"), "kept whole");
        var whole = JsonNode.Parse(await ContentAsync(tenant.Id, before))!.AsObject();
        whole["referral"].Should().NotBeNull("with the setting off the whole WhatsApp object is kept");
        whole["context"]!["from"].Should().NotBeNull();
        await using (var db = App.NewDbContext())
        {
            (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id && e.State == WebhookEventState.Processed)).Should().Be(1, "the raw event is kept for the replay window");
        }

        var bad = await admin.PutAsJsonAsync(url, new { });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["minimalMessages"].Should().NotBeNull();
        var on = await admin.PutAsJsonAsync(url, new { minimalMessages = true });
        on.StatusCode.Should().Be(HttpStatusCode.OK, await on.Content.ReadAsStringAsync());
        (await admin.GetFromJsonAsync<JsonObject>(url))!["minimalMessages"]!.GetValue<bool>().Should().BeTrue();

        var wamid = "wamid.after-" + Guid.NewGuid().ToString("N");
        var after = await PostAsync(tenant, phone, wamid, "only the minimum");
        var minimum = JsonNode.Parse(await ContentAsync(tenant.Id, after))!.AsObject();
        minimum.Select(p => p.Key).Should().BeEquivalentTo(["id", "from", "timestamp", "type", "context", "text"]);
        minimum["id"]!.GetValue<string>().Should().Be(wamid);
        minimum["text"]!["body"]!.GetValue<string>().Should().Be("only the minimum");
        minimum["context"]!.AsObject().Select(p => p.Key).Should().Equal(["id"]);

        // The raw events of this tenant go once processed, the one from before the setting too.
        await Eventually.PollAsync(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.WebhookEvents.AnyAsync(e => e.TenantId == tenant.Id) ? null : "dropped";
        });

        // What was kept whole before is trimmed by the retention run; the API still shows both texts.
        var run = await Enforcer().RunAsync(tenant.Id, default);
        run.Messages.Should().Be(0, "trimming deletes nothing");
        JsonNode.Parse(await ContentAsync(tenant.Id, before))!.AsObject()["referral"].Should().BeNull();
        await using (var db = App.NewDbContext())
        {
            var entry = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action == PrivacyAudit.RetentionRun).OrderByDescending(e => e.Sequence).FirstAsync();
            JsonNode.Parse(entry.Detail!)!["trimmedMessages"]!.GetValue<int>().Should().Be(1);
            (await db.AuditEntries.AnyAsync(e => e.TenantId == tenant.Id && e.Action == PrivacyAudit.MinimisationChanged)).Should().BeTrue();
        }

        var conversation = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations"))!["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>();
        var texts = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages"))!["items"]!.AsArray().Select(m => m!["text"]!.GetValue<string>());
        texts.Should().Equal(["kept whole", "only the minimum"]);

        // Off again: whole objects are kept again.
        (await admin.PutAsJsonAsync(url, new { minimalMessages = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await PostAsync(tenant, phone, "wamid.again-" + Guid.NewGuid().ToString("N"), "whole again");
        JsonNode.Parse(await ContentAsync(tenant.Id, again))!.AsObject()["referral"].Should().NotBeNull();
    }

    private async Task<Guid> PostAsync(TestTenant tenant, string phone, string wamid, string text)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Mini Mal" }, wa_id = "16505550909" }],
            messages: [new
            {
                from = "16505550909", id = wamid, timestamp = now, type = "text", text = new { body = text },
                context = new { from = "15550001111", id = "wamid.quoted", forwarded = true },
                referral = new { source_url = "https://ads.example/1", source_type = "ad", headline = "An ad", ctwa_clid = "clid-1" },
            }])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        return await db.Messages.Where(m => m.TenantId == tenant.Id && m.Wamid == wamid).Select(m => m.Id).SingleAsync();
    }

    private async Task<string> ContentAsync(Guid tenantId, Guid messageId)
    {
        await using var db = App.NewDbContext();
        var message = await db.Messages.SingleAsync(m => m.TenantId == tenantId && m.Id == messageId);
        var contact = await db.Contacts.SingleAsync(c => c.TenantId == tenantId && c.Id == message.ContactId);
        var key = await App.Services.GetRequiredService<ContactKeys>().KeyOfAsync(contact, default);
        return Sealer.OpenString(key, message.SealContext(nameof(Message.Content)), message.Content);
    }

    private RetentionEnforcer Enforcer() => new(
        App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<ErasureSteps>(),
        App.Services.GetRequiredService<BlobStore>(), App.Services.GetRequiredService<MinimalMessages>(),
        App.Services.GetRequiredService<IOptions<RetentionOptions>>(), new FakeTimeProvider(DateTimeOffset.UtcNow));
}

public sealed class MinimisationTests_Sqlite(SqliteAppFixture fixture) : MinimisationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class MinimisationTests_Postgres(PostgresAppFixture fixture) : MinimisationTests(fixture), IClassFixture<PostgresAppFixture>;

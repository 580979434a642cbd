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

/// <summary>Data minimisation (issue 20 item 8, ADR 0051): the stored rows, decrypted, with the tenant's setting off and on.</summary>
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
        (await ProcessedEventsAsync(tenant.Id)).Should().Be(1, "the raw event is kept for the replay window");

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
        (await ProcessedEventsAsync(tenant.Id)).Should().Be(1, "the new event went in the transaction that stored its message; the old one waits for the retention run");

        // Meta delivers the same message again: the raw event is gone, the message's own (number, wamid, time) keeps it one row.
        await PostAsync(tenant, phone, wamid, "only the minimum");
        await using (var db = App.NewDbContext())
        {
            (await db.Messages.CountAsync(m => m.TenantId == tenant.Id && m.Wamid == wamid)).Should().Be(1);
        }

        // What was kept whole before is trimmed by the retention run, once; the API still shows both texts.
        var run = await Enforcer().RunAsync(tenant.Id, default);
        run.Messages.Should().Be(0, "trimming deletes nothing");
        run.RawEvents.Should().Be(1, "the event processed before the setting was on goes, whatever its age");
        JsonNode.Parse(await ContentAsync(tenant.Id, before))!.AsObject()["referral"].Should().BeNull();
        (await TrimmedByLastRunAsync(tenant.Id)).Should().Be(1);
        await Enforcer().RunAsync(tenant.Id, default);
        (await TrimmedByLastRunAsync(tenant.Id)).Should().Be(0, "the pass over stored messages runs once after the setting is turned on");
        await using (var db = App.NewDbContext())
        {
            (await db.WebhookEvents.AnyAsync(e => e.TenantId == tenant.Id)).Should().BeFalse();
            var change = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action == PrivacyAudit.MinimisationChanged).SingleAsync();
            JsonNode.Parse(change.Detail!)!["to"]!["minimalMessages"]!.GetValue<bool>().Should().BeTrue();
        }

        var conversation = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations"))!["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>();
        var messages = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages"))!["items"]!.AsArray();
        messages.Select(m => m!["text"]!.GetValue<string>()).Should().Equal(["kept whole", "only the minimum"]);
        messages.Select(m => m!["replyTo"]?["wamid"]?.GetValue<string>()).Should().Equal(["wamid.quoted", "wamid.quoted"], "the reply context is a column and stays");

        // Off again: whole objects and raw events are kept again.
        (await admin.PutAsJsonAsync(url, new { minimalMessages = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await PostAsync(tenant, phone, "wamid.again-" + Guid.NewGuid().ToString("N"), "whole again");
        JsonNode.Parse(await ContentAsync(tenant.Id, again))!.AsObject()["referral"].Should().NotBeNull();
        (await ProcessedEventsAsync(tenant.Id)).Should().Be(1);
    }

    [Fact]
    public async Task Quarantined_events_stay_for_the_operator_and_another_tenants_events_are_untouched()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var other = await App.CreateTenantAsync();
        var otherPhone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(other, Builders.ChannelRequest(otherPhone));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/minimisation", new { minimalMessages = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await App.PostSignedAsync(tenant.Id, Messages(Builders.NewPhoneNumberId(), Text("to a number nobody has")))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("stored, then its event dropped")))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await App.PostSignedAsync(other.Id, Messages(otherPhone, Text("another tenant's")))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        await using var db = App.NewDbContext();
        (await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.State).ToListAsync()).Should().Equal([WebhookEventState.Quarantined]);
        (await db.WebhookEvents.Where(e => e.TenantId == other.Id).Select(e => e.State).ToListAsync()).Should().Equal([WebhookEventState.Processed]);
        (await db.Messages.CountAsync(m => m.TenantId == tenant.Id)).Should().Be(1);
    }

    [Fact]
    public async Task The_minimum_keeps_every_body_the_product_shows_and_what_flows_read()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/minimisation", new { minimalMessages = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        object Message(string type, string key, object content) => new Dictionary<string, object>
        {
            ["from"] = "16505550910",
            ["id"] = $"wamid.{type}-{Guid.NewGuid():N}",
            ["timestamp"] = now,
            ["type"] = type,
            [key] = content,
            ["referral"] = new { source_url = "https://ads.example/2", ctwa_clid = "clid-2" },
        };

        var body = Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Mini Mal" }, wa_id = "16505550910" }],
            messages:
            [
                Message("location", "location", new { latitude = 52.52, longitude = 13.405, name = "Alexanderplatz", address = "10178 Berlin", url = "https://maps.example" }),
                Message("contacts", "contacts", new[] { new { name = new { formatted_name = "Grace Hopper", first_name = "Grace" }, phones = new[] { new { phone = "+1 555 0100", type = "WORK", wa_id = "15550100" } }, emails = new[] { new { email = "grace@example.com" } } } }),
                Message("interactive", "interactive", new { type = "list_reply", list_reply = new { id = "row-2", title = "Billing", description = "Invoices and refunds" } }),
                Message("button", "button", new { payload = "YES", text = "Yes please" }),
                Message("order", "order", new { catalog_id = "cat-1", text = "by Friday", product_items = new[] { new { product_retailer_id = "sku-9", quantity = 2, item_price = 9.5, currency = "EUR" } } }),
                Message("image", "image", new { id = "media-77", mime_type = "image/jpeg", sha256 = "abc", caption = "the broken part" }),
            ])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        var conversation = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations"))!["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>();
        var items = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages"))!["items"]!.AsArray()
            .ToDictionary(m => m!["type"]!.GetValue<string>(), m => m!.AsObject());
        items.Should().HaveCount(6);
        items.Values.Should().OnlyContain(m => m["payload"]!["referral"] == null, "ad data is no body");

        var location = items["location"]["payload"]!["location"]!;
        (location["latitude"]!.GetValue<double>(), location["longitude"]!.GetValue<double>(), location["name"]!.GetValue<string>(), location["address"]!.GetValue<string>())
            .Should().Be((52.52, 13.405, "Alexanderplatz", "10178 Berlin"));
        var card = items["contacts"]["payload"]!["contacts"]![0]!;
        JsonNode.DeepEquals(card, JsonNode.Parse("""{"name":{"formatted_name":"Grace Hopper"},"phones":[{"phone":"+1 555 0100","type":"WORK"}]}""")).Should().BeTrue(card.ToJsonString());
        JsonNode.DeepEquals(items["interactive"]["payload"]!["interactive"]!, JsonNode.Parse("""{"type":"list_reply","list_reply":{"id":"row-2","title":"Billing","description":"Invoices and refunds"}}""")).Should().BeTrue(items["interactive"]["payload"]!["interactive"]!.ToJsonString());
        JsonNode.DeepEquals(items["button"]["payload"]!["button"]!, JsonNode.Parse("""{"payload":"YES","text":"Yes please"}""")).Should().BeTrue(items["button"]["payload"]!["button"]!.ToJsonString());
        JsonNode.DeepEquals(items["order"]["payload"]!["order"]!, JsonNode.Parse("""{"catalog_id":"cat-1","text":"by Friday","product_items":[{"product_retailer_id":"sku-9","quantity":2,"item_price":9.5,"currency":"EUR"}]}""")).Should().BeTrue(items["order"]["payload"]!["order"]!.ToJsonString());
        JsonNode.DeepEquals(items["image"]["payload"]!["image"]!, JsonNode.Parse("""{"id":"media-77","mime_type":"image/jpeg","sha256":"abc","caption":"the broken part"}""")).Should().BeTrue(items["image"]["payload"]!["image"]!.ToJsonString());
        items["image"]["media"].Should().NotBeNull("the media reference is kept and fetched");
        items["location"]["text"]!.GetValue<string>().Should().Be("[Location] Alexanderplatz, 10178 Berlin (52.52, 13.405)");
        items["contacts"]["text"]!.GetValue<string>().Should().Be("[Contact] Grace Hopper (+1 555 0100)");
    }

    [Fact]
    public async Task A_setting_out_of_bounds_or_of_another_tenant_changes_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/privacy/minimisation";

        var tooShort = await admin.PutAsJsonAsync(url, new { minimalMessages = true, credentialRotationDays = 1 });
        tooShort.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooShort.ReadJsonAsync())["errors"]!["credentialRotationDays"].Should().NotBeNull();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/privacy/minimisation", new { minimalMessages = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync($"/api/v1/tenants/{other.Id}/privacy/reminders")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var settings = (await admin.GetFromJsonAsync<JsonObject>(url))!;
        settings["minimalMessages"]!.GetValue<bool>().Should().BeFalse();
        settings["credentialRotationDays"]!.GetValue<int>().Should().Be(90, "the platform default");
        await using var db = App.NewDbContext();
        (await db.Tenants.Where(t => t.Id == other.Id).Select(t => t.MinimalMessages).SingleAsync()).Should().BeFalse();
        (await db.AuditEntries.AnyAsync(e => (e.TenantId == tenant.Id || e.TenantId == other.Id) && e.Action == PrivacyAudit.MinimisationChanged)).Should().BeFalse();
    }

    private async Task<Guid> PostAsync(TestTenant tenant, string phone, string wamid, string text)
    {
        var body = Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Mini Mal" }, wa_id = "16505550909" }],
            messages: [new
            {
                from = "16505550909", id = wamid, timestamp = "1765000000", type = "text", text = new { body = text },
                context = new { from = "15550001111", id = "wamid.quoted", forwarded = true },
                referral = new { source_url = "https://ads.example/1", source_type = "ad", headline = "An ad", ctwa_clid = "clid-1" },
            }])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        return await db.Messages.Where(m => m.TenantId == tenant.Id && m.Wamid == wamid).Select(m => m.Id).SingleAsync();
    }

    private async Task<int> ProcessedEventsAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        return await db.WebhookEvents.CountAsync(e => e.TenantId == tenantId && e.State == WebhookEventState.Processed);
    }

    private async Task<int> TrimmedByLastRunAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        var entry = await db.AuditEntries.Where(e => e.TenantId == tenantId && e.Action == PrivacyAudit.RetentionRun).OrderByDescending(e => e.Sequence).FirstAsync();
        return JsonNode.Parse(entry.Detail!)!["trimmedMessages"]!.GetValue<int>();
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

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Privacy;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>Crypto-erase of a customer, and deletion of a conversation or a message, for the tenant's records.</summary>
public abstract class ErasureTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    /// <summary>Whether the <c>files</c> store is configured (the default), rather than the database or a bucket.</summary>
    private bool InFiles => !App.Settings.TryGetValue("Switchboard:Media:Store", out var store) || store is null or "files";

    [Fact]
    public async Task An_erased_contact_is_gone_from_every_listing_export_table_file_and_raw_event_and_the_other_stays()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        var contactExport = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, s.Ada));
        var tenantExport = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, null));
        (await StoredAsync(s.Tenant.Id, s.AdaMedia)).Should().BeTrue();
        File.Exists(FilePathOf(s.Tenant.Id, s.AdaMedia)).Should().Be(InFiles, "the configured store holds the file");
        int AdaEvents, BobEvents;
        (AdaEvents, BobEvents) = await RawEventsNamingAsync(s);
        AdaEvents.Should().BeGreaterThan(0, "the control: Ada's raw events are there before the erase");
        (await SearchAsync(client, s, "private")).Should().HaveCount(2, "the control: both customers' words are findable before the erase");

        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts?phone=%2B{PrivacyScenario.AdaWaId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}/messages")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/media/{s.AdaMedia}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await App.ConversationsAsync(s.Tenant)).Select(c => c!["id"]!.GetValue<Guid>()).Should().Equal(s.BobConversation);
        (await App.MessagesAsync(s.Tenant)).Select(m => m["text"]!.GetValue<string>()).Should().Equal(PrivacyScenario.BobText);
        foreach (var export in new[] { contactExport, tenantExport })
        {
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/exports/{export["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "exports that held the customer go with them");
            (await StoredAsync(s.Tenant.Id, export["id"]!.GetValue<Guid>())).Should().BeFalse();
        }

        (await client.PostAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/exports", new { contactId = s.Ada })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var fresh = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, null));
        var text = PrivacyScenario.AllText(PrivacyScenario.Entries(await PrivacyScenario.DownloadAsync(client, fresh)));
        text.Should().NotContain(PrivacyScenario.AdaText).And.NotContain(PrivacyScenario.AdaWaId).And.NotContain("Lovelace").And.NotContain(s.Ada.ToString());
        text.Should().Contain(PrivacyScenario.BobText);

        await using var db = App.NewDbContext();
        (await db.Contacts.AnyAsync(c => c.Id == s.Ada)).Should().BeFalse("the contact row, and with it the wrapped key, is gone");
        (await db.Messages.AnyAsync(m => m.ContactId == s.Ada)).Should().BeFalse();
        (await db.Conversations.AnyAsync(c => c.ContactId == s.Ada)).Should().BeFalse();
        (await db.MediaObjects.AnyAsync(m => m.ContactId == s.Ada)).Should().BeFalse();
        (await db.OutboxItems.AnyAsync(o => o.ContactId == s.Ada)).Should().BeFalse();
        (await db.StatusUpdates.AnyAsync(u => u.Wamid == s.AdaReplyWamid)).Should().BeFalse();
        (await db.RealtimeEvents.AnyAsync(e => e.ConversationId == s.AdaConversation)).Should().BeFalse();
        (await StoredAsync(s.Tenant.Id, s.AdaMedia)).Should().BeFalse();
        (await RawEventsNamingAsync(s)).Should().Be((0, BobEvents), "raw events naming Ada are purged, Bob's stay");
        (await db.Messages.CountAsync(m => m.ContactId == s.Bob)).Should().Be(1);
        (await db.MessageSearchTokens.AnyAsync(r => r.ContactId == s.Ada)).Should().BeFalse("search rows go with the contact");
        (await SearchAsync(client, s, "private")).Select(h => h["snippet"]!.GetValue<string>()).Should().ContainSingle().Which.Should().Contain("bob");

        var erased = await db.AuditEntries.SingleAsync(e => e.TenantId == s.Tenant.Id && e.Action == AuditActions.ContactErased);
        erased.Target.Should().Be($"contact:{s.Ada}");
        erased.Detail.Should().NotContain(PrivacyScenario.AdaWaId).And.NotContain("Lovelace");
        (await (await client.PostAsync($"/api/v1/tenants/{s.Tenant.Id}/audit/verify", null)).ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue();
        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_same_customer_writing_again_after_the_erase_is_a_new_contact_with_nothing_of_before()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await App.PostSignedAsync(s.Tenant.Id, WebhookPayloads.Messages(s.Phone, WebhookPayloads.Text("ada again", from: PrivacyScenario.AdaWaId)))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        var again = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{s.Tenant.Id}/contacts?phone={PrivacyScenario.AdaWaId}"))!;
        again["id"]!.GetValue<Guid>().Should().NotBe(s.Ada);
        (await App.MessagesAsync(s.Tenant)).Select(m => m["text"]!.GetValue<string>()).Should().BeEquivalentTo([PrivacyScenario.BobText, "ada again"]);
    }

    [Fact]
    public async Task A_deleted_message_and_a_deleted_conversation_leave_the_rest_and_are_audited()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        await using var db = App.NewDbContext();
        var image = await db.Messages.SingleAsync(m => m.ConversationId == s.AdaConversation && m.Type == "image");
        (await StoredAsync(s.Tenant.Id, s.AdaMedia)).Should().BeTrue();

        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.BobConversation}/messages/{image.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the message is in another conversation");
        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}/messages/{image.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var left = (await App.MessagesAsync(s.Tenant)).Select(m => m["text"]!.GetValue<string>()).ToList();
        left.Should().BeEquivalentTo([PrivacyScenario.AdaText, "our reply to ada", PrivacyScenario.BobText]);
        (await db.MediaObjects.AnyAsync(m => m.Id == s.AdaMedia)).Should().BeFalse();
        (await StoredAsync(s.Tenant.Id, s.AdaMedia)).Should().BeFalse();

        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await App.ConversationsAsync(s.Tenant)).Select(c => c!["id"]!.GetValue<Guid>()).Should().Equal(s.BobConversation);
        (await db.Messages.AnyAsync(m => m.ConversationId == s.AdaConversation)).Should().BeFalse();
        (await db.MessageSearchTokens.AnyAsync(r => r.ContactId == s.Ada)).Should().BeFalse("a deleted conversation's messages leave search");
        (await SearchAsync(client, s, "private")).Should().ContainSingle();
        (await db.StatusUpdates.AnyAsync(u => u.Wamid == s.AdaReplyWamid)).Should().BeFalse();
        (await db.OutboxItems.AnyAsync(o => o.ContactId == s.Ada)).Should().BeFalse();
        (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.OK, "deleting a conversation keeps the contact");
        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var actions = (await App.AuditAsync(s.Tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        actions.Should().Contain([AuditActions.MessageDeleted, AuditActions.ConversationDeleted]);
    }

    private static async Task<List<JsonNode>> SearchAsync(HttpClient client, PrivacyScenario s, string q) =>
        [.. (await client.GetJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/search?q={q}"))["items"]!.AsArray().Select(i => i!)];

    [Fact]
    public async Task Agents_and_managers_may_neither_erase_nor_export()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var (_, readOnly) = await App.CreateTokenAsync(s.Tenant, [Switchboard.Common.Security.Permissions.ConversationsRead, Switchboard.Common.Security.Permissions.ConversationsWrite]);
        using var client = App.ClientWithKey(readOnly);

        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/exports", new { contactId = s.Ada })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        Switchboard.Common.Security.Permissions.Of(Switchboard.Common.Security.TenantRole.Manager).Should().NotContain([Switchboard.Common.Security.Permissions.PrivacyErase, Switchboard.Common.Security.Permissions.PrivacyExport]);

        await using var db = App.NewDbContext();
        (await db.Messages.CountAsync(m => m.ContactId == s.Ada)).Should().Be(3);
        (await db.Exports.CountAsync(e => e.TenantId == s.Tenant.Id)).Should().Be(0);
    }

    [Fact]
    public async Task Erasing_a_tenant_removes_its_stored_files_and_leaves_another_tenants()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var other = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        var export = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, null));
        (await StoredOfTenantAsync(s.Tenant.Id)).Should().BeEquivalentTo([s.AdaMedia, export["id"]!.GetValue<Guid>()], "the control: the picture and the export are stored");

        using var operatorClient = App.OperatorClient();
        (await operatorClient.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await StoredOfTenantAsync(s.Tenant.Id)).Should().BeEmpty();
        (await StoredOfTenantAsync(other.Tenant.Id)).Should().Equal(other.AdaMedia);
        using var otherClient = App.ClientWithKey(other.Tenant.ApiKey);
        (await (await otherClient.GetAsync($"/api/v1/tenants/{other.Tenant.Id}/media/{other.AdaMedia}")).Content.ReadAsByteArrayAsync()).Should().Equal(other.AdaPicture);
    }

    /// <summary>Whether the configured media store (a file, a row of the database store, or an object in the bucket) still holds this sealed file.</summary>
    private async Task<bool> StoredAsync(Guid tenantId, Guid id) => (await StoredOfTenantAsync(tenantId)).Contains(id);

    private Task<List<Guid>> StoredOfTenantAsync(Guid tenantId) => StoredFiles.OfTenantAsync(fixture, tenantId);

    private string FilePathOf(Guid tenantId, Guid id) => Path.Combine(App.DataDirectory, "media", tenantId.ToString("N"), id.ToString("N") + ".bin");

    /// <summary>How many of the tenant's raw events name Ada's and Bob's numbers, opened as the processor opens them.</summary>
    private async Task<(int Ada, int Bob)> RawEventsNamingAsync(PrivacyScenario s)
    {
        var sealer = App.Services.GetRequiredService<WebhookSealer>();
        await using var db = App.NewDbContext();
        var (ada, bob) = (0, 0);
        foreach (var item in await db.WebhookEvents.AsNoTracking().Where(e => e.TenantId == s.Tenant.Id).ToListAsync())
        {
            var body = System.Text.Encoding.UTF8.GetString(await sealer.OpenAsync(item, default));
            ada += body.Contains(PrivacyScenario.AdaWaId, StringComparison.Ordinal) ? 1 : 0;
            bob += body.Contains(PrivacyScenario.BobWaId, StringComparison.Ordinal) ? 1 : 0;
        }

        return (ada, bob);
    }
}

public sealed class ErasureTests_Sqlite(SqliteAppFixture fixture) : ErasureTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ErasureTests_Postgres(PostgresAppFixture fixture) : ErasureTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>The same erasures with media in the database store (ADR 0056), where every node reads them.</summary>
public sealed class ErasureTests_DatabaseMedia_Sqlite(ErasureTests_DatabaseMedia_Sqlite.Fixture fixture) : ErasureTests(fixture), IClassFixture<ErasureTests_DatabaseMedia_Sqlite.Fixture>
{
    public sealed class Fixture() : DatabaseMediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Sqlite);
}

public sealed class ErasureTests_DatabaseMedia_Postgres(ErasureTests_DatabaseMedia_Postgres.Fixture fixture) : ErasureTests(fixture), IClassFixture<ErasureTests_DatabaseMedia_Postgres.Fixture>
{
    public sealed class Fixture() : DatabaseMediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Postgres);
}

public abstract class DatabaseMediaFixture(Switchboard.Common.Configuration.DatabaseProvider provider) : AppFixture(provider)
{
    protected override Task<IDictionary<string, string?>?> SettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?> { ["Switchboard:Media:Store"] = "database" });
}

/// <summary>The same erasures with media in a bucket of a real S3-compatible server (s3rver), under a key prefix (ADR 0061).</summary>
public sealed class ErasureTests_S3Media_Sqlite(ErasureTests_S3Media_Sqlite.Fixture fixture) : ErasureTests(fixture), IClassFixture<ErasureTests_S3Media_Sqlite.Fixture>
{
    public sealed class Fixture() : S3MediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Sqlite);
}

public sealed class ErasureTests_S3Media_Postgres(ErasureTests_S3Media_Postgres.Fixture fixture) : ErasureTests(fixture), IClassFixture<ErasureTests_S3Media_Postgres.Fixture>
{
    public sealed class Fixture() : S3MediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Postgres);
}

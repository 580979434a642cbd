using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Conversations;

/// <summary>Labels: the tenant's definitions (name and colour), a conversation's labels, the inbox filter, and who may do what.</summary>
public abstract class LabelsApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Labels_are_created_listed_renamed_and_deleted_with_a_conflict_for_a_taken_name_and_field_errors_for_bad_input()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var labels = $"/api/v1/tenants/{tenant.Id}/labels";

        var created = await client.PostAsJsonAsync(labels, new { name = "vip", color = "#1F883D" });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var vip = await created.ReadJsonAsync();
        vip["name"]!.GetValue<string>().Should().Be("vip");
        vip["color"]!.GetValue<string>().Should().Be("#1f883d", "colours are kept in lower case");
        (await client.PostAsJsonAsync(labels, new { name = "billing", color = "#0969da" })).StatusCode.Should().Be(HttpStatusCode.Created);

        var taken = await client.PostAsJsonAsync(labels, new { name = " vip ", color = "#000000" });
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await taken.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("/conflict");

        var badColor = await client.PostAsJsonAsync(labels, new { name = "urgent", color = "red" });
        badColor.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badColor.ReadJsonAsync())["errors"]!["color"].Should().NotBeNull();
        var blank = await client.PostAsJsonAsync(labels, new { name = "   ", color = "#ff0000" });
        blank.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await blank.ReadJsonAsync())["errors"]!["name"].Should().NotBeNull();

        var list = await client.GetFromJsonAsync<JsonObject>(labels);
        list!["items"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()).Should().Equal("billing", "vip");

        var renamed = await client.PutAsJsonAsync($"{labels}/{vip["id"]}", new { name = "gold", color = "#bf8700" });
        renamed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await renamed.ReadJsonAsync())["name"]!.GetValue<string>().Should().Be("gold");
        (await client.PutAsJsonAsync($"{labels}/{vip["id"]}", new { name = "billing", color = "#bf8700" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        (await client.DeleteAsync($"{labels}/{vip["id"]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await client.DeleteAsync($"{labels}/{vip["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetFromJsonAsync<JsonObject>(labels))!["items"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()).Should().Equal("billing");

        var audit = (await App.AuditAsync(tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>());
        audit.Where(a => a.StartsWith("label.", StringComparison.Ordinal)).Should().Equal("label.created", "label.created", "label.updated", "label.deleted");
    }

    [Fact]
    public async Task A_conversation_gets_labels_by_name_the_inbox_filters_by_them_and_an_unknown_label_changes_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var (first, second) = await TwoConversationsAsync(tenant);
        foreach (var (name, color) in new[] { ("vip", "#1f883d"), ("billing", "#0969da") })
        {
            (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/labels", new { name, color })).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        var conversations = $"/api/v1/tenants/{tenant.Id}/conversations";
        long before;
        await using (var db = App.NewDbContext())
        {
            before = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id).MaxAsync(e => (long?)e.Sequence) ?? 0;
        }

        var set = await client.PutAsJsonAsync($"{conversations}/{first}/labels", new { labels = new[] { "vip", "billing" } });
        set.StatusCode.Should().Be(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        (await set.ReadJsonAsync())["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Should().Equal("billing", "vip");

        (await client.GetFromJsonAsync<JsonObject>($"{conversations}/{first}"))!["labels"]!.AsArray().Should().HaveCount(2);
        (await client.GetFromJsonAsync<JsonObject>($"{conversations}?label=vip"))!["items"]!.AsArray()
            .Select(c => c!["id"]!.GetValue<Guid>()).Should().Equal(first);
        (await client.GetFromJsonAsync<JsonObject>($"{conversations}?label=nobody"))!["items"]!.AsArray().Should().BeEmpty();
        var all = (await client.GetFromJsonAsync<JsonObject>(conversations))!["items"]!.AsArray();
        all.Should().HaveCount(2);
        all.Single(c => c!["id"]!.GetValue<Guid>() == second)!["labels"]!.AsArray().Should().BeEmpty();

        await using (var db = App.NewDbContext())
        {
            var events = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id && e.Sequence > before).ToListAsync();
            events.Should().ContainSingle().Which.Should().Match<RealtimeEvent>(e => e.Type == "conversation.changed" && e.ConversationId == first && e.Detail == "labels");
        }

        var unknown = await client.PutAsJsonAsync($"{conversations}/{first}/labels", new { labels = new[] { "vip", "nobody" } });
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.ReadJsonAsync())["errors"]!["labels[1]"].Should().NotBeNull();
        (await client.GetFromJsonAsync<JsonObject>($"{conversations}/{first}"))!["labels"]!.AsArray().Select(l => l!.GetValue<string>())
            .Should().Equal(["billing", "vip"], "a refused request changes nothing");

        var vipId = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/labels"))!["items"]!.AsArray()
            .Single(l => l!["name"]!.GetValue<string>() == "vip")!["id"]!.GetValue<Guid>();
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/labels/{vipId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await client.GetFromJsonAsync<JsonObject>($"{conversations}/{first}"))!["labels"]!.AsArray().Select(l => l!.GetValue<string>())
            .Should().Equal("billing");

        (await client.PutAsJsonAsync($"{conversations}/{first}/labels", new { labels = Array.Empty<string>() })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<JsonObject>($"{conversations}/{first}"))!["labels"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Agents_label_conversations_but_only_managers_and_admins_define_labels()
    {
        var tenant = await App.CreateTenantAsync();
        var (conversation, _) = await TwoConversationsAsync(tenant);
        var agent = await App.CreateUserAsync(tenant, "agent");
        var manager = await App.CreateUserAsync(tenant, "manager");
        using var asAgent = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent, Permissions.Of(TenantRole.Agent)));
        using var asManager = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, manager, Permissions.Of(TenantRole.Manager)));
        var labels = $"/api/v1/tenants/{tenant.Id}/labels";

        var refused = await asAgent.PostAsJsonAsync(labels, new { name = "vip", color = "#1f883d" });
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asManager.PostAsJsonAsync(labels, new { name = "vip", color = "#1f883d" })).StatusCode.Should().Be(HttpStatusCode.Created);

        (await asAgent.GetFromJsonAsync<JsonObject>(labels))!["items"]!.AsArray().Should().ContainSingle();
        var set = await asAgent.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/labels", new { labels = new[] { "vip" } });
        set.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_tenants_labels_are_unknown_names_and_its_label_ids_are_404()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var (conversation, _) = await TwoConversationsAsync(b);
        using var asA = App.ClientWithKey(a.ApiKey);
        using var asB = App.ClientWithKey(b.ApiKey);
        var aLabel = await (await asA.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/labels", new { name = "secret-a", color = "#000000" })).ReadJsonAsync();

        var set = await asB.PutAsJsonAsync($"/api/v1/tenants/{b.Id}/conversations/{conversation}/labels", new { labels = new[] { "secret-a" } });
        set.StatusCode.Should().Be(HttpStatusCode.BadRequest, "B has no label of that name");
        (await asB.PutAsJsonAsync($"/api/v1/tenants/{b.Id}/labels/{aLabel["id"]}", new { name = "x", color = "#000000" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asB.DeleteAsync($"/api/v1/tenants/{b.Id}/labels/{aLabel["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asB.GetAsync($"/api/v1/tenants/{a.Id}/labels")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asA.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{a.Id}/labels"))!["items"]!.AsArray().Single()!["name"]!.GetValue<string>().Should().Be("secret-a");
    }

    private async Task<(Guid First, Guid Second)> TwoConversationsAsync(TestTenant tenant)
    {
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("first", from: "16505550101")));
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("second", from: "16505550102")));
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var ids = await db.Conversations.Where(c => c.TenantId == tenant.Id).OrderBy(c => c.Number).Select(c => c.Id).ToListAsync();
        ids.Should().HaveCount(2);
        return (ids[0], ids[1]);
    }
}

public sealed class LabelsApiTests_Sqlite(SqliteAppFixture fixture) : LabelsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class LabelsApiTests_Postgres(PostgresAppFixture fixture) : LabelsApiTests(fixture), IClassFixture<PostgresAppFixture>;

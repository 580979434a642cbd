using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Common.Security;
using Switchboard.Features.Workspace;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Workspace;

/// <summary>Canned responses: shared ones managed by managers and admins, personal ones of their owner only, shortcuts unique in the tenant.</summary>
public abstract class CannedResponsesApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_canned_response_is_created_listed_changed_and_deleted_and_a_taken_shortcut_is_a_conflict()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var canned = $"/api/v1/tenants/{tenant.Id}/canned-responses";

        var created = await client.PostAsJsonAsync(canned, new { shortcut = "Hello", text = "Hi {{contact.name}}, this is {{agent.name}}." });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var hello = await created.ReadJsonAsync();
        hello["shortcut"]!.GetValue<string>().Should().Be("hello", "shortcuts are matched without case");
        hello["personal"]!.GetValue<bool>().Should().BeFalse();
        created.Headers.Location!.ToString().Should().EndWith($"/canned-responses/{hello["id"]}");

        var taken = await client.PostAsJsonAsync(canned, new { shortcut = "HELLO", text = "again" });
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await taken.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("/conflict");

        var bad = await client.PostAsJsonAsync(canned, new { shortcut = "two words", text = "" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await bad.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo("shortcut", "text");

        (await client.PostAsJsonAsync(canned, new { shortcut = "bye", text = "Goodbye!" })).StatusCode.Should().Be(HttpStatusCode.Created);
        var list = (await client.GetFromJsonAsync<JsonObject>(canned))!["items"]!.AsArray();
        list.Select(c => c!["shortcut"]!.GetValue<string>()).Should().Equal("bye", "hello");

        var changed = await client.PutAsJsonAsync($"{canned}/{hello["id"]}", new { shortcut = "hi", text = "Hi there" });
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<JsonObject>($"{canned}/{hello["id"]}"))!["text"]!.GetValue<string>().Should().Be("Hi there");
        (await client.PutAsJsonAsync($"{canned}/{hello["id"]}", new { shortcut = "bye", text = "x" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        (await client.DeleteAsync($"{canned}/{hello["id"]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await client.GetAsync($"{canned}/{hello["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var audit = (await Identity.IdentityTestHelpers.AuditAsync(App, tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>());
        audit.Where(a => a.StartsWith("canned_response.", StringComparison.Ordinal))
            .Should().Equal("canned_response.created", "canned_response.created", "canned_response.updated", "canned_response.deleted");
    }

    [Fact]
    public async Task Agents_use_shared_responses_and_keep_personal_ones_that_no_one_else_sees()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        var colleague = await App.CreateUserAsync(tenant, "agent");
        var manager = await App.CreateUserAsync(tenant, "manager");
        using var asAgent = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent, Permissions.Of(TenantRole.Agent)));
        using var asColleague = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, colleague, Permissions.Of(TenantRole.Agent)));
        using var asManager = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, manager, Permissions.Of(TenantRole.Manager)));
        var canned = $"/api/v1/tenants/{tenant.Id}/canned-responses";

        var refused = await asAgent.PostAsJsonAsync(canned, new { shortcut = "refund", text = "Refunds take 5 days." });
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.ReadJsonAsync())["missingPermissions"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal(Permissions.CannedManage);
        var shared = await (await asManager.PostAsJsonAsync(canned, new { shortcut = "refund", text = "Refunds take 5 days." })).ReadJsonAsync();

        var mine = await asAgent.PostAsJsonAsync(canned, new { shortcut = "sig", text = "— {{agent.name}}", personal = true });
        mine.StatusCode.Should().Be(HttpStatusCode.Created);
        var personal = await mine.ReadJsonAsync();
        personal["personal"]!.GetValue<bool>().Should().BeTrue();
        (await asColleague.PostAsJsonAsync(canned, new { shortcut = "refund", text = "mine", personal = true })).StatusCode
            .Should().Be(HttpStatusCode.Conflict, "a shortcut is unique in the tenant, shared or personal");

        (await asAgent.GetFromJsonAsync<JsonObject>(canned))!["items"]!.AsArray().Select(c => c!["shortcut"]!.GetValue<string>()).Should().Equal("refund", "sig");
        (await asColleague.GetFromJsonAsync<JsonObject>(canned))!["items"]!.AsArray().Select(c => c!["shortcut"]!.GetValue<string>()).Should().Equal("refund");
        (await asColleague.GetAsync($"{canned}/{personal["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asColleague.PutAsJsonAsync($"{canned}/{personal["id"]}", new { shortcut = "sig", text = "stolen" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asColleague.DeleteAsync($"{canned}/{personal["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await asAgent.PutAsJsonAsync($"{canned}/{shared["id"]}", new { shortcut = "refund", text = "changed" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await asAgent.PutAsJsonAsync($"{canned}/{personal["id"]}", new { shortcut = "sig", text = "Cheers, {{agent.name}}" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAgent.GetFromJsonAsync<JsonObject>($"{canned}/{personal["id"]}"))!["text"]!.GetValue<string>().Should().Be("Cheers, {{agent.name}}");

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var byKey = await admin.PostAsJsonAsync(canned, new { shortcut = "x", text = "y", personal = true });
        byKey.StatusCode.Should().Be(HttpStatusCode.BadRequest, "the tenant key is not a user");
        (await byKey.ReadJsonAsync())["errors"]!["personal"].Should().NotBeNull();
    }

    [Fact]
    public void Placeholders_are_filled_for_the_conversation_and_unknown_ones_are_left_alone()
    {
        CannedText.Render("Hi {{contact.name}}, I am {{ agent.name }}. {{order.id}}", "Maria", "Sam")
            .Should().Be("Hi Maria, I am Sam. {{order.id}}");
        CannedText.Render("Hi {{contact.name}}!", null, "Sam").Should().Be("Hi !");
    }
}

public sealed class CannedResponsesApiTests_Sqlite(SqliteAppFixture fixture) : CannedResponsesApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class CannedResponsesApiTests_Postgres(PostgresAppFixture fixture) : CannedResponsesApiTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// No caller hands out more than it holds (docs/permissions.md, "Granting"): token scopes, invited
/// roles and role changes stay within the caller's permissions, and full-scope tokens are admins' only.
/// </summary>
public abstract class GrantEscalationTests(AppFixture fixture)
{
    private static readonly string[] AgentPermissions = [.. Permissions.Of(TenantRole.Agent)];

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_token_cannot_create_a_token_with_a_scope_it_does_not_hold()
    {
        var tenant = await App.CreateTenantAsync();
        var (_, tokensAdmin) = await App.CreateTokenAsync(tenant, [Permissions.TokensAdmin, Permissions.ConversationsRead]);
        using var client = App.ClientWithKey(tokensAdmin);

        var wider = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "wider", scopes = new[] { Permissions.ConversationsRead, Permissions.ChannelsAdmin, Permissions.UsersAdmin } });

        wider.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        wider.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await wider.ReadJsonAsync();
        problem["type"]!.GetValue<string>().Should().Be("https://switchboard.dev/problems/forbidden");
        problem["missingPermissions"]!.AsArray().Select(p => p!.GetValue<string>()).Should().BeEquivalentTo([Permissions.ChannelsAdmin, Permissions.UsersAdmin]);
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "narrower", scopes = new[] { Permissions.ConversationsRead } }))
            .StatusCode.Should().Be(HttpStatusCode.Created, "a subset of the caller's own scopes is fine");
        await using var db = App.NewDbContext();
        (await db.ApiTokens.CountAsync(t => t.TenantId == tenant.Id && t.Name == "wider")).Should().Be(0);
    }

    [Fact]
    public async Task A_tokens_admin_token_neither_lists_nor_revokes_the_tenant_admin_key_or_a_full_scope_token()
    {
        var tenant = await App.CreateTenantAsync();
        var (fullId, _) = await App.CreateTokenAsync(tenant, Permissions.All);
        var (readerId, _) = await App.CreateTokenAsync(tenant, [Permissions.ConversationsRead]);
        var (ownId, tokensAdmin) = await App.CreateTokenAsync(tenant, [Permissions.TokensAdmin, Permissions.ConversationsRead]);
        Guid adminKeyId;
        await using (var db = App.NewDbContext())
        {
            adminKeyId = await db.ApiTokens.Where(t => t.TenantId == tenant.Id && t.Kind == ApiTokenKind.TenantAdmin).Select(t => t.Id).SingleAsync();
        }

        using var client = App.ClientWithKey(tokensAdmin);
        var listed = await IdsAsync(client, tenant);
        listed.Should().BeEquivalentTo([readerId, ownId], "tokens above the caller's power are not shown to it");
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{adminKeyId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{fullId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await IdsAsync(admin, tenant)).Should().Contain([adminKeyId, fullId, readerId, ownId], "the admin key sees every token");
        (await client.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{readerId}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "a token within its power it may revoke");
        (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/tokens")).StatusCode.Should().Be(HttpStatusCode.OK, "the admin key was not revoked");
    }

    [Fact]
    public async Task A_narrowed_personal_token_cannot_mint_a_personal_token_with_its_users_whole_role()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        var narrowed = await App.PersonalTokenAsync(tenant.Id, admin, [Permissions.TenantRead]);
        using var client = App.ClientWithKey(narrowed);

        var whole = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/me/tokens", new { name = "whole role" });
        whole.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await whole.ReadJsonAsync())["missingPermissions"]!.AsArray().Should().NotBeEmpty();
        var wider = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/me/tokens", new { name = "wider", scopes = new[] { Permissions.UsersAdmin } });
        wider.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/me/tokens", new { name = "same", scopes = new[] { Permissions.TenantRead } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_users_admin_token_cannot_invite_or_promote_above_its_own_permissions_nor_manage_an_admin()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        var admin = await App.CreateUserAsync(tenant, "admin");
        var (_, onlyUsersAdmin) = await App.CreateTokenAsync(tenant, [Permissions.UsersAdmin]);
        var (_, agentPlusUsersAdmin) = await App.CreateTokenAsync(tenant, [.. AgentPermissions, Permissions.UsersAdmin]);
        using var narrow = App.ClientWithKey(onlyUsersAdmin);
        using var provisioner = App.ClientWithKey(agentPlusUsersAdmin);

        await ShouldBeBeyondAsync(await narrow.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = "boss@example.test", role = "admin" }));
        await ShouldBeBeyondAsync(await provisioner.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = "boss@example.test", role = "admin" }));
        await ShouldBeBeyondAsync(await provisioner.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = "lead@example.test", role = "manager" }));
        (await provisioner.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = $"agent-{Guid.NewGuid():N}@example.test", role = "agent" }))
            .StatusCode.Should().Be(HttpStatusCode.Created, "an agent's permissions are all within this token's");

        await ShouldBeBeyondAsync(await provisioner.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{agent}/role", new { role = "admin" }));
        await ShouldBeBeyondAsync(await provisioner.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{admin}/role", new { role = "agent" }));
        await ShouldBeBeyondAsync(await provisioner.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{admin}/disable", null));
        (await provisioner.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{agent}/disable", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await provisioner.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{agent}/enable", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var db = App.NewDbContext();
        (await db.Invites.IgnoreQueryFilters().CountAsync(i => i.TenantId == tenant.Id && (i.Email == "boss@example.test" || i.Email == "lead@example.test"))).Should().Be(0);
        var roles = await db.Memberships.IgnoreQueryFilters().Where(m => m.TenantId == tenant.Id).ToDictionaryAsync(m => m.UserId, m => (m.Role, m.Status));
        roles[agent].Should().Be((TenantRole.Agent, MembershipStatus.Active));
        roles[admin].Should().Be((TenantRole.Admin, MembershipStatus.Active));

        using var adminKey = App.ClientWithKey(tenant.ApiKey);
        (await adminKey.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{agent}/role", new { role = "manager" })).StatusCode.Should().Be(HttpStatusCode.OK, "the admin key holds every permission");
    }

    [Fact]
    public async Task Another_tenants_ids_stay_404_on_the_checked_routes()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var userOfA = await App.CreateUserAsync(a, "agent");
        var (tokenOfA, _) = await App.CreateTokenAsync(a, [Permissions.ConversationsRead]);
        using var adminB = App.ClientWithKey(b.ApiKey);

        (await adminB.PutAsJsonAsync($"/api/v1/tenants/{b.Id}/users/{userOfA}/role", new { role = "manager" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.PostAsync($"/api/v1/tenants/{b.Id}/users/{userOfA}/disable", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.DeleteAsync($"/api/v1/tenants/{b.Id}/tokens/{tokenOfA}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/tokens", new { name = "x", scopes = new[] { Permissions.TenantRead } })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/invites", new { email = "x@example.test", role = "agent" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<List<Guid>> IdsAsync(HttpClient client, TestTenant tenant)
    {
        var body = await client.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens");
        return [.. body["items"]!.AsArray().Select(t => t!["id"]!.GetValue<Guid>())];
    }

    private static async Task ShouldBeBeyondAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden, text);
        var problem = JsonNode.Parse(text)!;
        problem["type"]!.GetValue<string>().Should().Be("https://switchboard.dev/problems/forbidden");
        problem["missingPermissions"]!.AsArray().Should().NotBeEmpty();
    }
}

public sealed class GrantEscalationTests_Sqlite(SqliteAppFixture fixture) : GrantEscalationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class GrantEscalationTests_Postgres(PostgresAppFixture fixture) : GrantEscalationTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>
/// A tenant admin deletes an agent's account (issue 20 item 2, ADR 0039): the account, its sessions, tokens and authenticator
/// go, its conversations return to the queue, and its audit entries keep only the user id while the chain still verifies.
/// </summary>
public abstract class UserDeletionTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_admin_deletes_an_agent_whose_account_sessions_and_secrets_go_whose_conversations_are_released_and_whose_entries_keep_a_pseudonym()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var t = s.Tenant.Id;
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var agent = await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "agent");
        using var browser = await App.SignInAsync(agent);
        await browser.EnrolMfaAsync();
        using var agentToken = App.ClientWithKey(await App.PersonalTokenAsync(t, agent.Id, [Permissions.ConversationsRead]));
        (await agentToken.GetAsync($"/api/v1/tenants/{t}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/assign", new { userId = agent.Id })).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var before = App.NewDbContext())
        {
            (await before.AuditEntries.AnyAsync(e => e.Actor == $"user:{agent.Id}" && e.ActorName == agent.Email)).Should().BeTrue("sign-in wrote the agent's name");
            (await before.Set<IdentityUserToken<Guid>>().AnyAsync(x => x.UserId == agent.Id)).Should().BeTrue("the authenticator key is stored");
        }

        var other = await App.CreateTenantAsync();
        using var otherAdmin = App.ClientWithKey(other.ApiKey);
        (await otherAdmin.DeleteAsync($"/api/v1/tenants/{other.Id}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "not a member there");
        (await otherAdmin.DeleteAsync($"/api/v1/tenants/{t}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "another tenant's id");
        (await agentToken.DeleteAsync($"/api/v1/tenants/{t}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/users/{Guid.CreateVersion7()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await admin.DeleteAsync($"/api/v1/tenants/{t}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await agentToken.GetAsync($"/api/v1/tenants/{t}/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "their tokens are gone");
        (await browser.GetAsync($"/api/v1/tenants/{t}/conversations")).StatusCode.Should().NotBe(HttpStatusCode.OK, "their session ends");
        var users = await admin.GetStringAsync($"/api/v1/tenants/{t}/users");
        users.Should().NotContain(agent.Id.ToString()).And.NotContain(agent.Email);
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = App.NewDbContext();
        (await db.Users.AnyAsync(u => u.Id == agent.Id)).Should().BeFalse();
        (await db.Set<IdentityUserToken<Guid>>().AnyAsync(x => x.UserId == agent.Id)).Should().BeFalse("the authenticator key and recovery codes went with the account");
        (await db.ApiTokens.IgnoreQueryFilters().AnyAsync(x => x.UserId == agent.Id)).Should().BeFalse();
        (await db.Conversations.SingleAsync(c => c.Id == s.AdaConversation)).AssignedUserId.Should().BeNull("released to the queue");

        var theirs = await db.AuditEntries.Where(e => e.Actor == $"user:{agent.Id}").ToListAsync();
        theirs.Should().NotBeEmpty().And.OnlyContain(e => e.ActorName == null && e.IpAddress == null && e.ActorNameDigest != null);
        (await db.AuditEntries.AnyAsync(e => e.ActorName == agent.Email)).Should().BeFalse();
        (await db.AuditEntries.AnyAsync(e => e.TenantId == t && e.Action == AuditActions.UserDeleted && e.Target == $"user:{agent.Id}")).Should().BeTrue();
        (await (await admin.PostAsync($"/api/v1/tenants/{t}/audit/verify", null)).ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue("the hash covers digests, not the removed names");
        (await (await App.OperatorClient().PostAsync("/api/v1/operator/audit/verify", null)).ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task The_last_admin_and_oneself_cannot_be_deleted_and_a_refusal_changes_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        using var key = App.ClientWithKey(tenant.ApiKey);
        var onlyAdmin = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");

        var refused = await key.DeleteAsync($"/api/v1/tenants/{tenant.Id}/users/{onlyAdmin.Id}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        using var self = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, onlyAdmin.Id, [Permissions.UsersAdmin, Permissions.UsersRead]));
        (await self.DeleteAsync($"/api/v1/tenants/{tenant.Id}/users/{onlyAdmin.Id}")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await key.GetStringAsync($"/api/v1/tenants/{tenant.Id}/users")).Should().Contain(onlyAdmin.Id.ToString());
    }
}

public sealed class UserDeletionTests_Sqlite(SqliteAppFixture fixture) : UserDeletionTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class UserDeletionTests_Postgres(PostgresAppFixture fixture) : UserDeletionTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Identity;

/// <summary>The signed-in user changes their password (issue 20 item 7): sign-up rules, other sessions end, audited without secrets.</summary>
public abstract class PasswordChangeTests(AppFixture fixture)
{
    private const string NewPassword = "a brand new passphrase for the test";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_user_changes_their_password_their_other_sessions_end_and_the_entry_holds_no_secret()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var otherSession = await App.SignInAsync(agent);
        (await otherSession.IsSignedInAsync()).Should().BeTrue();
        using var token = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent.Id, [Permissions.TenantRead]));
        var url = $"/api/v1/tenants/{tenant.Id}/me/password";

        using (var changed = await token.PostAsJsonAsync(url, new { currentPassword = agent.Password, newPassword = NewPassword }))
        {
            changed.StatusCode.Should().Be(HttpStatusCode.NoContent, await changed.Content.ReadAsStringAsync());
        }

        (await otherSession.IsSignedInAsync()).Should().BeFalse("a new password ends the user's other sessions");
        using (var old = new DashboardClient(App))
        {
            (await old.LoginAsync(agent.Email, agent.Password)).StatusCode.Should().NotBe(HttpStatusCode.Redirect, "the old password no longer signs in");
        }

        using var fresh = await App.SignInAsync(agent with { Password = NewPassword });
        (await fresh.IsSignedInAsync()).Should().BeTrue();

        await using var db = App.NewDbContext();
        var entries = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action == AuditActions.PasswordChanged).ToListAsync();
        entries.Should().ContainSingle();
        entries[0].Actor.Should().Be($"user:{agent.Id}");
        entries[0].Target.Should().Be($"user:{agent.Id}");
        (entries[0].Detail ?? "").Should().NotContain(NewPassword).And.NotContain(agent.Password);
        (await db.AuditEntries.AnyAsync(e => e.Detail != null && (e.Detail.Contains(NewPassword) || e.Detail.Contains(agent.Password)))).Should().BeFalse("no entry holds a password");
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var verify = await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null)).ReadJsonAsync();
        verify["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Bad_input_a_wrong_current_password_another_tenant_and_an_integration_token_change_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var session = await App.SignInAsync(agent);
        using var token = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent.Id, [Permissions.TenantRead]));
        var url = $"/api/v1/tenants/{tenant.Id}/me/password";

        await ExpectFieldErrorAsync(token, url, new { currentPassword = "not the password at all", newPassword = NewPassword }, "currentPassword");
        await ExpectFieldErrorAsync(token, url, new { currentPassword = agent.Password, newPassword = "short" }, "newPassword");
        await ExpectFieldErrorAsync(token, url, new { currentPassword = agent.Password, newPassword = "abababababababab" }, "newPassword");
        await ExpectFieldErrorAsync(token, url, new { currentPassword = agent.Password, newPassword = agent.Password }, "newPassword");
        await ExpectFieldErrorAsync(token, url, new { currentPassword = agent.Password }, "newPassword");

        using (var foreign = await token.PostAsJsonAsync($"/api/v1/tenants/{other.Id}/me/password", new { currentPassword = agent.Password, newPassword = NewPassword }))
        {
            foreign.StatusCode.Should().Be(HttpStatusCode.NotFound, "another tenant's route is not this token's");
        }

        using (var integration = App.ClientWithKey(tenant.ApiKey))
        using (var refused = await integration.PostAsJsonAsync(url, new { currentPassword = agent.Password, newPassword = NewPassword }))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an integration token is nobody's password");
        }

        (await session.IsSignedInAsync()).Should().BeTrue("nothing changed, so the session goes on");
        using (var again = await App.SignInAsync(agent))
        {
            (await again.IsSignedInAsync()).Should().BeTrue("the password is still the old one");
        }

        await using var db = App.NewDbContext();
        (await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.PasswordChanged && e.Actor == $"user:{agent.Id}")).Should().BeFalse();
    }

    private static async Task ExpectFieldErrorAsync(HttpClient client, string url, object body, string field)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().Contain(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase), text);
    }
}

public sealed class PasswordChangeTests_Sqlite(SqliteAppFixture fixture) : PasswordChangeTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PasswordChangeTests_Postgres(PostgresAppFixture fixture) : PasswordChangeTests(fixture), IClassFixture<PostgresAppFixture>;

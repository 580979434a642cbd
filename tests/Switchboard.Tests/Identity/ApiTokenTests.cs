using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Identity;

public abstract class ApiTokenTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_integration_token_has_exactly_its_scopes_is_shown_once_and_stored_only_as_a_hash()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);

        var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "CRM sync", scopes = new[] { "conversations:read" }, expiresAt = (DateTimeOffset?)null });

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var body = await created.ReadJsonAsync();
        var token = body["token"]!.GetValue<string>();
        var id = body["id"]!.GetValue<Guid>();
        using var integration = App.ClientWithKey(token);
        (await integration.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await integration.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", Builders.ChannelRequest())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await integration.GetAsync($"/api/v1/tenants/{tenant.Id}/tokens")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var list = await admin.GetStringAsync($"/api/v1/tenants/{tenant.Id}/tokens");
        list.Should().Contain("CRM sync").And.Contain("lastUsedAt").And.NotContain(token);
        var listed = (await (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/tokens")).ReadJsonAsync())["items"]!.AsArray().Single(t => t!["id"]!.GetValue<Guid>() == id)!;
        listed["lastUsedAt"].Should().NotBeNull("the token was just used");
        listed["kind"]!.GetValue<string>().Should().Be("integration");
        await using var db = App.NewDbContext();
        var stored = await db.ApiTokens.SingleAsync(t => t.TenantId == tenant.Id && t.Id == id);
        stored.TokenHash.Should().HaveCount(32);
        stored.Prefix.Should().Be(token[..10]);
    }

    [Fact]
    public async Task A_revoked_or_expired_token_is_refused()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var body = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "short-lived", scopes = new[] { "conversations:read" } })).ReadJsonAsync();
        using var integration = App.ClientWithKey(body["token"]!.GetValue<string>());
        (await integration.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{body["id"]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await integration.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{body["id"]}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "revoking is idempotent");

        var expiring = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "expiring", scopes = new[] { "conversations:read" }, expiresAt = DateTimeOffset.UtcNow.AddDays(1) })).ReadJsonAsync();
        await using (var db = App.NewDbContext())
        {
            var id = expiring["id"]!.GetValue<Guid>();
            await db.ApiTokens.Where(t => t.TenantId == tenant.Id && t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
        }

        using var expired = App.ClientWithKey(expiring["token"]!.GetValue<string>());
        (await expired.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var check = App.NewDbContext();
        var actions = await check.AuditEntries.Where(e => e.TenantId == tenant.Id).Select(e => e.Action).ToListAsync();
        actions.Count(a => a == "token.created").Should().Be(2);
        actions.Count(a => a == "token.revoked").Should().Be(1);
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["conversations:everything"]}""", "scopes[0]")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["*"]}""", "scopes[0]")]
    [InlineData("""{"name":"","scopes":["conversations:read"]}""", "name")]
    [InlineData("""{"name":"x","scopes":["conversations:read"],"expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task Bad_token_requests_get_field_errors_and_create_nothing(string json, string field)
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);

        var response = await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/tokens", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        await using var db = App.NewDbContext();
        (await db.ApiTokens.CountAsync(t => t.TenantId == tenant.Id)).Should().Be(1, "only the admin key");
    }

    [Fact]
    public async Task Another_tenants_token_gets_404_on_this_tenants_tokens()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var adminA = App.ClientWithKey(a.ApiKey);
        var token = await (await adminA.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/tokens", new { name = "a's", scopes = new[] { "conversations:read" } })).ReadJsonAsync();
        using var adminB = App.ClientWithKey(b.ApiKey);

        (await adminB.GetAsync($"/api/v1/tenants/{a.Id}/tokens")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.DeleteAsync($"/api/v1/tenants/{a.Id}/tokens/{token["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await adminB.DeleteAsync($"/api/v1/tenants/{b.Id}/tokens/{token["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var stillWorks = App.ClientWithKey(token["token"]!.GetValue<string>());
        (await stillWorks.GetAsync($"/api/v1/tenants/{a.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Outside_development_the_session_cookie_is_Secure_with_the_Host_prefix()
    {
        await using var app = new SwitchboardApp(App.Database, new Dictionary<string, string?> { ["Switchboard:SecureCookies"] = "true", ["Switchboard:MasterKey"] = App.MasterKey });
        var tenant = await app.CreateTenantAsync();
        var user = await app.CreateUserAsync(tenant, "agent");
        using var browser = new DashboardClient(app, new Uri("https://localhost"));

        using var login = await browser.LoginAsync(user.Email, user.Password);

        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-switchboard=", StringComparison.Ordinal));
        cookie.Should().Contain("secure").And.Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/").And.NotContain("domain=");
    }
}

public sealed class ApiTokenTests_Sqlite(SqliteAppFixture fixture) : ApiTokenTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ApiTokenTests_Postgres(PostgresAppFixture fixture) : ApiTokenTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Audit;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>A tenant's own admin deletes it: re-authentication with MFA, a waiting period that can be cancelled, then its keys are destroyed.</summary>
public abstract class TenantDeletionTests(TenantDeletionTests.Fixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_admin_with_mfa_schedules_the_deletion_can_cancel_it_and_after_the_wait_the_keys_are_gone()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        var (key, _) = await browser.EnrolMfaAsync();
        using var person = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, admin.Id, [Permissions.TenantDelete]));
        using var adminKey = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/deletion";
        var now = DateTimeOffset.UtcNow;

        (await adminKey.PostAsJsonAsync(url, new { password = admin.Password, authenticatorCode = Totp.Code(key, now) })).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a key is not a person who can re-authenticate");
        var wrongPassword = await person.PostAsJsonAsync(url, new { password = "not it", authenticatorCode = Totp.Code(key, now.AddSeconds(30)) });
        wrongPassword.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrongPassword.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Contain("password");
        (await person.PostAsJsonAsync(url, new { password = admin.Password, authenticatorCode = "000000" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await person.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was scheduled by refused requests");

        var scheduled = await person.PostAsJsonAsync(url, new { password = admin.Password, authenticatorCode = Totp.Code(key, now.AddSeconds(30)) });
        scheduled.StatusCode.Should().Be(HttpStatusCode.Accepted, await scheduled.Content.ReadAsStringAsync());
        (await scheduled.ReadJsonAsync())["status"]!.GetValue<string>().Should().Be("scheduled");
        (await person.DeleteAsync(url)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await person.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(url))!["status"]!.GetValue<string>().Should().Be("cancelled");
        await Task.Delay(fixture.Delay * 2);
        (await adminKey.GetAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.OK, "a cancelled deletion never happens");

        (await person.PostAsJsonAsync(url, new { password = admin.Password, authenticatorCode = Totp.Code(key, now.AddSeconds(60)) })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var erased = await Eventually.PollAsync(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenant.Id && t.Status == TenantStatus.Erased);
        });

        erased.ErasedAt.Should().NotBeNull();
        await using var check = App.NewDbContext();
        (await check.TenantKeys.IgnoreQueryFilters().Where(k => k.TenantId == tenant.Id).ToListAsync()).Should().OnlyContain(k => k.WrappedKey == null && k.DestroyedAt != null);
        (await adminKey.GetAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await check.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync())
            .Should().ContainInOrder(AuditActions.TenantDeletionScheduled, AuditActions.TenantDeletionCancelled, AuditActions.TenantDeletionScheduled);
        (await check.AuditEntries.AnyAsync(e => e.TenantId == Guid.Empty && e.Action == AuditActions.TenantErased && e.Target == $"tenant:{tenant.Id}")).Should().BeTrue();
    }

    public abstract class Fixture(DatabaseProvider provider) : AppFixture(provider)
    {
        public TimeSpan Delay { get; } = TimeSpan.FromSeconds(2);

        protected override Task<IDictionary<string, string?>?> SettingsAsync() =>
            Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?> { ["Switchboard:Privacy:TenantDeletionDelay"] = "00:00:02" });
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class TenantDeletionTests_Sqlite(TenantDeletionTests.SqliteFixture fixture) : TenantDeletionTests(fixture), IClassFixture<TenantDeletionTests.SqliteFixture>;

public sealed class TenantDeletionTests_Postgres(TenantDeletionTests.PostgresFixture fixture) : TenantDeletionTests(fixture), IClassFixture<TenantDeletionTests.PostgresFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Mail;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Mail;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>"Deletion completed" confirmations through a real SMTP relay (ADR 0047): a deleted tenant's admins, an erasure request's requester.</summary>
public abstract class DeletionCompletedMailTests(DeletionCompletedMailTests.Fixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task When_the_tenants_deletion_completes_its_admins_are_mailed_although_its_keys_are_gone()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        var second = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        var agent = await IdentityTestHelpers.CreateUserAsync(App, tenant, "agent");
        using var browser = await App.SignInAsync(admin);
        var (secret, _) = await browser.EnrolMfaAsync();
        using var person = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, admin.Id, [Permissions.TenantDelete]));

        var scheduled = await person.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/deletion", new { password = admin.Password, authenticatorCode = Totp.Code(secret, DateTimeOffset.UtcNow.AddSeconds(30)) });
        scheduled.StatusCode.Should().Be(HttpStatusCode.Accepted, await scheduled.Content.ReadAsStringAsync());

        foreach (var to in new[] { admin.Email, second.Email })
        {
            var done = await Eventually.PollAsync(() => Task.FromResult(
                fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to) && m.Subject == "Your Switchboard tenant has been deleted")));
            done!.TextBody.Should().Contain(tenant.Id.ToString()).And.Contain("every key of the tenant was destroyed").And.NotContain(tenant.ApiKey);
        }

        await using var db = App.NewDbContext();
        (await db.Tenants.SingleAsync(t => t.Id == tenant.Id)).Status.Should().Be(TenantStatus.Erased, "the notice follows the erase");
        (await db.TenantKeys.IgnoreQueryFilters().Where(k => k.TenantId == tenant.Id).ToListAsync()).Should().OnlyContain(k => k.WrappedKey == null);
        fixture.Smtp.Received().Should().NotContain(m => m.To.Mailboxes.Any(a => a.Address == agent.Email) && m.Subject == "Your Switchboard tenant has been deleted", "notices go to admins");
        await Eventually.PollAsync(async () =>
        {
            await using var after = App.NewDbContext();
            return await after.Set<OutgoingMail>().AnyAsync(m => m.TenantId == tenant.Id) ? null : "sent and deleted";
        });
        App.Logs.AllText.Should().NotContain(admin.Email);
    }

    [Fact]
    public async Task A_completed_erasure_request_is_confirmed_to_the_requester_without_content()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";
        var email = $"bob.{Guid.NewGuid():N}@example.com";
        var request = await DataRightsRequestTests.CreateAsync(admin, url, new { type = "erasure", contactId = s.Bob, requester = new { name = "Bob Builder", email } });

        var done = await admin.PutAsJsonAsync($"{url}/{request["id"]}", new { status = "completed" });
        done.StatusCode.Should().Be(HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        (await done.ReadJsonAsync())["confirmationEmailed"]!.GetValue<bool>().Should().BeTrue();
        (await admin.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Bob}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the erasure was carried out");

        var mail = await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == email))));
        mail!.Subject.Should().Be("Your erasure request has been completed");
        mail.TextBody.Should().Contain(request["id"]!.GetValue<string>()).And.Contain("key destroyed")
            .And.NotContain(PrivacyScenario.BobText).And.NotContain(PrivacyScenario.BobWaId).And.NotContain("Bob Builder");
        App.Logs.AllText.Should().NotContain(email);
    }

    public abstract class Fixture(DatabaseProvider provider) : MailFixture(provider)
    {
        protected override async Task<IDictionary<string, string?>?> SettingsAsync()
        {
            var settings = await base.SettingsAsync() ?? new Dictionary<string, string?>();
            settings["Switchboard:Privacy:TenantDeletionDelay"] = "00:00:02";
            return settings;
        }
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class DeletionCompletedMailTests_Sqlite(DeletionCompletedMailTests.SqliteFixture fixture) : DeletionCompletedMailTests(fixture), IClassFixture<DeletionCompletedMailTests.SqliteFixture>;

public sealed class DeletionCompletedMailTests_Postgres(DeletionCompletedMailTests.PostgresFixture fixture) : DeletionCompletedMailTests(fixture), IClassFixture<DeletionCompletedMailTests.PostgresFixture>;

using System.Net;
using System.Net.Http.Json;
using Switchboard.Common.Security;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Mail;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>Export-ready and tenant-deletion notices go out through a real SMTP relay (issue 20 item 6, ADR 0039), without content.</summary>
public abstract class PrivacyNoticeMailTests(MailFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task The_admin_who_asked_for_an_export_is_mailed_when_it_is_ready_and_a_key_is_not()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var admin = await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "admin");
        using var person = App.ClientWithKey(await App.PersonalTokenAsync(s.Tenant.Id, admin.Id, [Permissions.PrivacyExport]));
        using var key = App.ClientWithKey(s.Tenant.ApiKey);

        var exportId = await PrivacyScenario.RequestExportAsync(person, s.Tenant, s.Ada);
        await PrivacyScenario.WaitForExportAsync(person, s.Tenant, exportId);
        var byKey = await PrivacyScenario.RequestExportAsync(key, s.Tenant, s.Bob);
        await PrivacyScenario.WaitForExportAsync(key, s.Tenant, byKey);

        var mail = await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == admin.Email) && m.Subject == "Your Switchboard export is ready")));
        mail!.TextBody.Should().Contain(exportId.ToString()).And.NotContain(PrivacyScenario.AdaText).And.NotContain(PrivacyScenario.AdaWaId).And.NotContain("Ada Lovelace");
        fixture.Smtp.Received().Should().NotContain(m => (m.TextBody ?? "").Contains(byKey.ToString()), "a tenant key has no address to tell; the dashboard shows it");
        App.Logs.AllText.Should().NotContain(admin.Email);
    }

    [Fact]
    public async Task The_admins_are_mailed_when_the_tenants_deletion_is_scheduled_and_when_it_is_cancelled()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        var second = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        var agent = await IdentityTestHelpers.CreateUserAsync(App, tenant, "agent");
        using var browser = await App.SignInAsync(admin);
        var (secret, _) = await browser.EnrolMfaAsync();
        using var person = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, admin.Id, [Permissions.TenantDelete]));
        var url = $"/api/v1/tenants/{tenant.Id}/deletion";

        var scheduled = await person.PostAsJsonAsync(url, new { password = admin.Password, authenticatorCode = Totp.Code(secret, DateTimeOffset.UtcNow.AddSeconds(30)) });
        scheduled.StatusCode.Should().Be(HttpStatusCode.Accepted, await scheduled.Content.ReadAsStringAsync());
        (await person.DeleteAsync(url)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        foreach (var to in new[] { admin.Email, second.Email })
        {
            var notices = await Eventually.PollAsync(() =>
            {
                var received = fixture.Smtp.Received().Where(m => m.To.Mailboxes.Any(a => a.Address == to) && (m.Subject ?? "").Contains("deletion")).Select(m => m.Subject).ToList();
                return Task.FromResult(received.Count >= 2 ? received : null);
            });
            notices.Should().BeEquivalentTo(["Your Switchboard tenant is scheduled for deletion", "The deletion of your Switchboard tenant was cancelled"]);
        }

        fixture.Smtp.Received().Should().NotContain(m => m.To.Mailboxes.Any(a => a.Address == agent.Email) && (m.Subject ?? "").Contains("deletion"), "notices go to admins");
    }
}

public sealed class PrivacyNoticeMailTests_Sqlite(SqliteMailFixture fixture) : PrivacyNoticeMailTests(fixture), IClassFixture<SqliteMailFixture>;

public sealed class PrivacyNoticeMailTests_Postgres(PostgresMailFixture fixture) : PrivacyNoticeMailTests(fixture), IClassFixture<PostgresMailFixture>;

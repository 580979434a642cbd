using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Privacy;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Mail;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>Rotation reminders (issue 20 item 8, ADR 0051): credentials older than the tenant's policy, reminded once per period, by mail through a real relay.</summary>
public abstract class RotationReminderTests(MailFixture fixture)
{
    private const string Subject = "Switchboard: credentials due for rotation";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Old_credentials_are_listed_and_reminded_to_the_admins_once_per_period_until_rotated()
    {
        var tenant = await App.CreateTenantAsync();
        var channelId = (await App.CreateChannelAsync(tenant))["id"]!.GetValue<Guid>();
        var admin = await IdentityTestHelpers.CreateUserAsync(App, tenant, "admin");
        var agent = await IdentityTestHelpers.CreateUserAsync(App, tenant, "agent");
        using var key = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/privacy/reminders";
        var now = DateTimeOffset.UtcNow;

        (await key.GetFromJsonAsync<JsonObject>(url))!["items"]!.AsArray().Should().BeEmpty("everything was just set");
        await using (var db = App.NewDbContext())
        {
            await db.Channels.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.AccessTokenRotatedAt, now.AddDays(-100)).SetProperty(c => c.AppSecretRotatedAt, now.AddDays(-95)));
            await db.Set<TenantKey>().Where(k => k.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, now.AddDays(-120)));
        }

        var listed = (await key.GetFromJsonAsync<JsonObject>(url))!;
        listed["credentialRotationDays"]!.GetValue<int>().Should().Be(90);
        listed["items"]!.AsArray().Select(i => (i!["kind"]!.GetValue<string>(), i["itemId"]!.GetValue<Guid>(), i["lastRemindedAt"]?.GetValue<DateTimeOffset>()))
            .Should().Equal([("tenant_key", tenant.Id, null), ("channel_access_token", channelId, null), ("channel_app_secret", channelId, null)]);

        using (var browser = await App.SignInAsync(admin))
        {
            var page = await browser.Http.GetStringAsync("/admin/privacy");
            page.Should().Contain("data-testid=\"rotation-reminders\"").And.Contain("data-kind=\"tenant_key\"").And.Contain("data-kind=\"channel_app_secret\"")
                .And.NotContain("EAAG-access-token-0123456789");
        }

        (await Reminders(now).CheckAsync(tenant.Id, default)).Should().Be(3);
        (await Reminders(now.AddHours(1)).CheckAsync(tenant.Id, default)).Should().Be(0, "once per credential per period");
        var mail = await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == admin.Email) && m.Subject == Subject)));
        mail!.TextBody.Should().Contain(channelId.ToString()).And.Contain("version 1").And.Contain("90 days").And.NotContain("EAAG-access-token-0123456789").And.NotContain("app-secret-0123456789abcdef");
        await using (var db = App.NewDbContext())
        {
            var entries = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action == PrivacyAudit.RotationReminded).ToListAsync();
            entries.Select(e => e.Target).Should().BeEquivalentTo([$"tenant_key:{tenant.Id}", $"channel_access_token:{channelId}", $"channel_app_secret:{channelId}"]);
            entries.Should().OnlyContain(e => !e.Detail!.Contains("EAAG-access-token-0123456789") && !e.Detail.Contains("app-secret-0123456789abcdef"));
        }

        (await key.GetFromJsonAsync<JsonObject>(url))!["items"]!.AsArray().Should().OnlyContain(i => i!["lastRemindedAt"] != null);

        // The access token is rotated; the policy shortened to 30 days: a month later the two others are reminded again, it is not.
        (await key.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}/credentials", new { accessToken = "EAAG-a-fresh-token-" + Guid.NewGuid().ToString("N") }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await key.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/minimisation", new { credentialRotationDays = 30 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await key.GetFromJsonAsync<JsonObject>(url))!["items"]!.AsArray().Select(i => i!["kind"]!.GetValue<string>()).Should().Equal(["tenant_key", "channel_app_secret"]);
        (await Reminders(now.AddDays(30)).CheckAsync(tenant.Id, default)).Should().Be(2);
        await using (var db = App.NewDbContext())
        {
            (await db.RotationReminders.Where(r => r.TenantId == tenant.Id).OrderBy(r => r.Kind).Select(r => new { r.Kind, r.Reminders }).ToListAsync())
                .Should().Equal([new { Kind = "channel_access_token", Reminders = 1 }, new { Kind = "channel_app_secret", Reminders = 2 }, new { Kind = "tenant_key", Reminders = 2 }]);
        }

        await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == admin.Email) && m.Subject == Subject) >= 2 ? "two" : null));
        fixture.Smtp.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == admin.Email) && m.Subject == Subject).Should().Be(2);
        fixture.Smtp.Received().Should().NotContain(m => m.To.Mailboxes.Any(a => a.Address == agent.Email) && m.Subject == Subject, "reminders go to admins");

        // An agent may not read them.
        using var agentClient = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent.Id, [Permissions.PrivacyManage]));
        (await agentClient.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private RotationReminders Reminders(DateTimeOffset at) => new(
        App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<PrivacyNotices>(),
        App.Services.GetRequiredService<IOptions<PrivacyOptions>>(), new FakeTimeProvider(at));
}

public sealed class RotationReminderTests_Sqlite(SqliteMailFixture fixture) : RotationReminderTests(fixture), IClassFixture<SqliteMailFixture>;

public sealed class RotationReminderTests_Postgres(PostgresMailFixture fixture) : RotationReminderTests(fixture), IClassFixture<PostgresMailFixture>;

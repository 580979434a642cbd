using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Configuration;
using Switchboard.Features.Mail;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Mail;

/// <summary>An SMTP relay on the machine, Switchboard configured to use it.</summary>
public abstract class MailFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public SmtpServer Smtp { get; private set; } = null!;

    protected override async Task<IDictionary<string, string?>?> SettingsAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        return Smtp.Settings();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class SqliteMailFixture() : MailFixture(DatabaseProvider.Sqlite);

public sealed class PostgresMailFixture() : MailFixture(DatabaseProvider.Postgres);

/// <summary>Invites go out by e-mail through a real SMTP relay (STARTTLS, AUTH), durably and without leaving anything readable behind.</summary>
public abstract class InviteMailTests(MailFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_invite_is_mailed_through_the_relay_with_starttls_and_authentication()
    {
        var tenant = await App.CreateTenantAsync();
        var email = $"new.agent.{Guid.NewGuid():N}@example.com";

        var invite = await InviteAsync(tenant, email);

        invite["emailed"]!.GetValue<bool>().Should().BeTrue();
        var link = invite["inviteUrl"]!.GetValue<string>();
        var mail = await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == email))));
        mail!.From.Mailboxes.Single().Address.Should().Be("no-reply@switchboard.test");
        mail.Subject.Should().Be($"Your invite to {tenant.Name} on Switchboard");
        mail.TextBody.Should().Contain(link).And.Contain("as agent");

        await Eventually.PollAsync(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.Set<OutgoingMail>().AnyAsync(m => m.TenantId == tenant.Id) ? null : "deleted";
        });
        App.Logs.AllText.Should().NotContain(email).And.NotContain(link, "neither the address nor the link reaches a log");
    }

    [Fact]
    public async Task A_queued_mail_is_sealed_at_rest()
    {
        var tenant = await App.CreateTenantAsync();
        var email = $"sealed.{Guid.NewGuid():N}@example.com";
        await using var db = App.NewDbContext();
        var queue = App.Services.GetRequiredService<MailQueue>();

        (await queue.EnqueueAsync(db, tenant.Id, "test", email, "Subject in clear?", "Body in clear?", CancellationToken.None)).Should().BeTrue();
        var row = db.ChangeTracker.Entries<OutgoingMail>().Single().Entity;

        System.Text.Encoding.UTF8.GetString(row.Recipient).Should().NotContain(email);
        System.Text.Encoding.UTF8.GetString(row.Subject).Should().NotContain("Subject in clear");
        System.Text.Encoding.UTF8.GetString(row.Body).Should().NotContain("Body in clear");
    }

    [Fact]
    public async Task When_the_relay_is_down_the_invite_is_still_made_and_its_mail_goes_out_once_the_relay_is_back()
    {
        await using var later = SmtpServer.OnFreePort();
        var database = TestDatabase.For(fixture.Database.Provider);
        await database.CreateAsync();
        try
        {
            await using var app = new SwitchboardApp(database, later.Settings());
            var tenant = await app.CreateTenantAsync();
            var email = $"patient.{Guid.NewGuid():N}@example.com";

            var invite = await InviteAsync(tenant, email, app);
            invite["emailed"]!.GetValue<bool>().Should().BeTrue();
            var failing = await Eventually.PollAsync(async () =>
            {
                await using var db = app.NewDbContext();
                return await db.Set<OutgoingMail>().FirstOrDefaultAsync(m => m.TenantId == tenant.Id && m.Attempts > 0);
            });
            failing!.State.Should().Be(MailState.Pending, "a relay that is away is retried, not given up");
            failing.LastError.Should().StartWith("socket:");

            await later.StartListeningAsync();

            var mail = await Eventually.PollAsync(() => Task.FromResult(later.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == email))), 60);
            mail!.TextBody.Should().Contain(invite["inviteUrl"]!.GetValue<string>());
            await Task.Delay(1500);
            later.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == email)).Should().Be(1, "sent once");
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task<JsonObject> InviteAsync(TestTenant tenant, string email, SwitchboardApp? app = null)
    {
        using var client = (app ?? App).ClientWithKey(tenant.ApiKey);
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email, role = "agent" });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}

public sealed class InviteMailTests_Sqlite(SqliteMailFixture fixture) : InviteMailTests(fixture), IClassFixture<SqliteMailFixture>;

public sealed class InviteMailTests_Postgres(PostgresMailFixture fixture) : InviteMailTests(fixture), IClassFixture<PostgresMailFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Persistence;
using Switchboard.Features.Automation;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Automation;

/// <summary>Greeting, away and out-of-hours replies through signed webhooks, the job runner and the outbox (ADR 0028).</summary>
public abstract class AutoRepliesTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_new_conversation_is_greeted_once_and_a_customer_outside_the_window_not_at_all()
    {
        using var s = await AutomationScenario.StartAsync(App);
        await s.RepliesAsync(new { greeting = "Welcome to Acme!" });

        var customer = AutomationScenario.NewCustomer();
        var conversation = await s.WriteAsync(customer, "Hi");
        (await s.SentAsync(conversation)).Should().Equal("Welcome to Acme!");
        var reply = (await s.MessagesAsync(conversation)).Single(m => m["direction"]!.GetValue<string>() == "outbound");
        reply["status"]!.GetValue<string>().Should().BeOneOf("queued", "sent", "failed", "unknown", "delivered", "read");

        await s.WriteAsync(customer, "Anyone there?");
        await s.WriteAsync(customer, "Hello?");
        (await s.SentAsync(conversation)).Should().ContainSingle("a conversation is greeted once");

        // Meta delivers a message two days late: the 24-hour window is closed, so nothing is sent.
        var late = await s.WriteAsync(AutomationScenario.NewCustomer(), "Old message", DateTimeOffset.UtcNow.AddDays(-2));
        (await s.SentAsync(late)).Should().BeEmpty("Switchboard never writes outside the customer-service window");

        await using var db = App.NewDbContext();
        (await db.AutoRepliesSent.CountAsync(r => r.TenantId == s.Tenant.Id)).Should().Be(1);
        (await db.OutboxItems.CountAsync(o => o.TenantId == s.Tenant.Id)).Should().Be(1, "the greeting went through the outbox once");
    }

    [Fact]
    public async Task Outside_the_calendars_hours_the_out_of_hours_text_replaces_the_greeting_and_a_numbers_settings_replace_the_tenants()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var closed = await s.CalendarAsync(open: false);
        var open = await s.CalendarAsync(open: true);
        await s.RepliesAsync(new { greeting = "Hello", outOfHours = "We are closed; we answer from 9:00.", calendarId = closed });

        var night = await s.WriteAsync(AutomationScenario.NewCustomer(), "Are you open?");
        (await s.SentAsync(night)).Should().Equal("We are closed; we answer from 9:00.");

        await s.RepliesAsync(new
        {
            greeting = "Hello",
            outOfHours = "We are closed; we answer from 9:00.",
            calendarId = closed,
            channels = new[] { new { channelId = s.ChannelId, greeting = "Hello from the shop", outOfHours = "Shop closed", calendarId = open } },
        });
        var read = await s.Admin.GetJsonAsync(s.Url("automation/replies"));
        read["channels"]!.AsArray().Single()!["greeting"]!.GetValue<string>().Should().Be("Hello from the shop");
        var day = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hi");
        (await s.SentAsync(day)).Should().Equal("Hello from the shop");
    }

    [Fact]
    public async Task With_nobody_online_the_away_text_is_sent_once_per_period_and_with_an_agent_online_the_greeting()
    {
        using var s = await AutomationScenario.StartAsync(App);
        await s.RepliesAsync(new { greeting = "Hello", away = "Nobody is at the desk right now; we will answer soon.", periodMinutes = 60 });

        var customer = AutomationScenario.NewCustomer();
        var alone = await s.WriteAsync(customer, "Help");
        await s.WriteAsync(customer, "Still there?");
        (await s.SentAsync(alone)).Should().Equal(["Nobody is at the desk right now; we will answer soon."], "once within the period");

        var agent = await App.CreateUserAsync(s.Tenant);
        (await s.Admin.PutAsJsonAsync(s.Url($"agents/{agent}/availability"), new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var attended = await s.WriteAsync(AutomationScenario.NewCustomer(), "Help");
        (await s.SentAsync(attended)).Should().Equal("Hello");
    }

    [Fact]
    public async Task A_customer_who_restricted_processing_gets_no_automatic_reply_and_runs_no_rule()
    {
        using var s = await AutomationScenario.StartAsync(App);
        await s.RepliesAsync(new { greeting = "Welcome!", periodMinutes = 1 });
        await s.RuleAsync("Note each message", "message_received", [new { type = "add_note", text = "Seen by the rule" }]);

        var customer = AutomationScenario.NewCustomer();
        var conversation = await s.WriteAsync(customer, "Hi");
        (await s.SentAsync(conversation)).Should().Equal("Welcome!");
        (await s.SentAsync(conversation, "note")).Should().ContainSingle();

        // A data-rights request for restriction (ADR 0032): automation leaves this customer alone from now on.
        var contactId = (await s.ConversationAsync(conversation))["contact"]!["id"]!.GetValue<Guid>();
        (await s.Admin.PutAsJsonAsync(s.Url($"contacts/{contactId}/privacy"), new { restricted = true })).EnsureSuccessStatusCode();
        await s.WriteAsync(customer, "Please stop");
        await s.WriteAsync(customer, "Thanks");

        (await s.SentAsync(conversation)).Should().Equal("Welcome!");
        (await s.SentAsync(conversation, "note")).Should().ContainSingle("no rule runs for a restricted customer");
        (await s.SentAsync(conversation, "inbound")).Should().HaveCount(3, "the customer's messages are still received");
    }

    [Fact]
    public async Task Settings_are_validated_audited_and_kept_to_the_tenant()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var other = await App.CreateTenantAsync();
        var foreignChannel = (await App.CreateChannelAsync(other))["id"]!.GetValue<Guid>();
        var bad = await s.Admin.PutAsJsonAsync(s.Url("automation/replies"), new
        {
            greeting = " ",
            outOfHours = "Closed",
            periodMinutes = 0,
            channels = new[] { new { channelId = foreignChannel } },
        });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["greeting", "calendarId", "periodMinutes", "channels[0].channelId"]);
        (await s.Admin.GetJsonAsync(s.Url("automation/replies")))["greeting"].Should().BeNull("nothing was stored");

        await s.RepliesAsync(new { greeting = "Hi" });
        using var intruder = App.ClientWithKey(other.ApiKey);
        (await intruder.GetAsync(s.Url("automation/replies"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.PutAsJsonAsync(s.Url("automation/replies"), new { greeting = "Hacked" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await s.Admin.GetJsonAsync(s.Url("automation/replies")))["greeting"]!.GetValue<string>().Should().Be("Hi");

        var audit = await s.Admin.GetJsonAsync(s.Url("audit"));
        audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Contain("automation_replies.updated");
    }

    [Fact]
    public async Task Two_claims_of_the_same_reply_race_and_one_wins()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var conversation = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hi");
        var now = DateTimeOffset.UtcNow;
        var jobs = Enumerable.Range(0, 6).Select(_ => AutomationStep.Job(s.Tenant.Id, conversation, AutomationTrigger.Message, now, now)).ToList();
        var factory = App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>();
        var claims = await Task.WhenAll(jobs.Select(async job =>
        {
            await using var db = await factory.CreateDbContextAsync();
            return await AutoReplies.ClaimAsync(db, job, AutoReplies.Away, 60, now, default);
        }));
        claims.Count(c => c).Should().Be(1, "the row's key lets one claim in per conversation, kind and period");

        await using (var db = await factory.CreateDbContextAsync())
        {
            var winner = jobs[Array.IndexOf(claims, true)];
            (await AutoReplies.ClaimAsync(db, winner, AutoReplies.Away, 60, now.AddSeconds(5), default)).Should().BeTrue("the winner's retry may still send (its idempotency key stops a second message)");
            (await AutoReplies.ClaimAsync(db, jobs.First(j => j != winner), AutoReplies.Away, 60, now.AddMinutes(61), default)).Should().BeTrue("a new period");
        }
    }

    [Fact]
    public async Task Two_apps_on_one_database_greet_a_conversation_once()
    {
        await using var database = TestDatabase.For(App.Database.Provider);
        await database.CreateAsync();
        await using var a = new SwitchboardApp(database);
        _ = a.Server;
        await using var b = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = a.MasterKey, ["Switchboard:OperatorApiKey"] = a.OperatorKey });
        _ = b.Server;
        using var s = await AutomationScenario.StartAsync(a);
        await s.RepliesAsync(new { greeting = "Hello" });
        var customers = Enumerable.Range(0, 4).Select(_ => AutomationScenario.NewCustomer()).ToList();
        foreach (var customer in customers)
        {
            await s.WriteAsync(customer, "Hi");
            await s.WriteAsync(customer, "Hi again");
        }

        foreach (var conversation in await a.ConversationsAsync(s.Tenant))
        {
            (await s.SentAsync(conversation!["id"]!.GetValue<Guid>())).Should().Equal("Hello");
        }
    }
}

public sealed class AutoRepliesTests_Sqlite(SqliteAppFixture fixture) : AutoRepliesTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AutoRepliesTests_Postgres(PostgresAppFixture fixture) : AutoRepliesTests(fixture), IClassFixture<PostgresAppFixture>;

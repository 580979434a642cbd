using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Configuration;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary>
/// SLAs through the real pipeline: a signed webhook opens a conversation under a policy, replies and
/// resolving go through the API, and the timers run on a fake clock (the apps' own runners, on the real
/// clock, never reach them) — once per event across a restart and across two nodes on one database.
/// </summary>
public abstract class SlaEndToEndTests(AppFixture fixture)
{
    private static readonly object Policy = new { name = "Standard", firstResponseMinutes = 30, nextResponseMinutes = 20, resolutionMinutes = 240, warnBeforeMinutes = 10 };

    private SwitchboardApp App => fixture.App;

    private protected sealed record Opened(TestTenant Tenant, Guid ConversationId, DateTimeOffset At, FakeTimeProvider Clock);

    /// <summary>A tenant with a policy and a number; a customer writes; a fake clock set to Meta's time of the message.</summary>
    private protected static async Task<Opened> OpenAsync(SwitchboardApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = app.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", Policy)).StatusCode.Should().Be(HttpStatusCode.Created);
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        (await app.PostSignedAsync(tenant.Id, Messages(phone, Text("My order has not arrived", at.ToUnixTimeSeconds())))).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        var id = (await app.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();
        return new Opened(tenant, id, at, new FakeTimeProvider(at));
    }

    private protected static JobRunner<SlaJob> Runner(SwitchboardApp app, TimeProvider clock) => new(
        new SlaTimerSource(app.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), app.Services.GetRequiredService<SqliteWriteGate>(), clock),
        new WorkSignal(), app.Services.GetRequiredService<MigrationState>(), clock, NullLogger.Instance);

    /// <summary>Rounds until none finds work.</summary>
    private protected static async Task DrainAsync(JobRunner<SlaJob> runner)
    {
        while (await runner.RunOnceAsync(Guid.NewGuid(), default) > 0)
        {
        }
    }

    private static async Task<List<string>> SlaEventsAsync(SwitchboardApp app, Opened o)
    {
        await using var db = app.NewDbContext();
        return await db.RealtimeEvents.Where(e => e.TenantId == o.Tenant.Id && e.ConversationId == o.ConversationId && e.Type.StartsWith("sla."))
            .OrderBy(e => e.Sequence).Select(e => e.Type + ":" + e.Detail).ToListAsync();
    }

    private static async Task<JsonObject> ConversationAsync(SwitchboardApp app, Opened o)
    {
        using var client = app.ClientWithKey(o.Tenant.ApiKey);
        return await client.GetJsonAsync($"/api/v1/tenants/{o.Tenant.Id}/conversations/{o.ConversationId}");
    }

    [Fact]
    public async Task A_webhook_opens_a_conversation_whose_due_times_the_api_shows_and_a_missed_target_warns_then_breaches_once()
    {
        var o = await OpenAsync(App);
        var sla = (await ConversationAsync(App, o))["sla"]!;
        sla["firstResponseDueAt"]!.GetValue<DateTimeOffset>().Should().Be(o.At.AddMinutes(30), "the clock starts at Meta's time of the message");
        sla["resolutionDueAt"]!.GetValue<DateTimeOffset>().Should().Be(o.At.AddMinutes(240));
        sla["nextResponseDueAt"].Should().BeNull();

        using var runner = Runner(App, o.Clock);
        o.Clock.Advance(TimeSpan.FromMinutes(20));
        await DrainAsync(runner);
        await DrainAsync(runner);
        (await SlaEventsAsync(App, o)).Should().Equal("sla.warning:first_response");

        o.Clock.Advance(TimeSpan.FromMinutes(10));
        await DrainAsync(runner);
        o.Clock.Advance(TimeSpan.FromMinutes(5));
        await DrainAsync(runner);
        (await SlaEventsAsync(App, o)).Should().Equal("sla.warning:first_response", "sla.breached:first_response");
        (await ConversationAsync(App, o))["sla"]!["breached"]!.AsArray().Select(b => b!.GetValue<string>()).Should().Equal("first_response");
    }

    [Fact]
    public async Task The_policy_of_the_team_a_number_routes_to_wins_over_the_general_one()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = (await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone)))["id"]!.GetValue<Guid>();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var team = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams",
            new { name = "Admissions", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5, channelIds = new[] { channel } })).ReadJsonAsync();
        var teamId = team["id"]!.GetValue<Guid>();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "General", firstResponseMinutes = 60, rank = 10 })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "Admissions", teamId, firstResponseMinutes = 15, rank = 1 })).StatusCode.Should().Be(HttpStatusCode.Created);

        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("When does enrolment open?", at.ToUnixTimeSeconds())))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        var conversation = (await App.ConversationsAsync(tenant)).Single()!;
        conversation["teamId"]!.GetValue<Guid>().Should().Be(teamId, "the number's default team");
        conversation["sla"]!["firstResponseDueAt"]!.GetValue<DateTimeOffset>().Should().Be(at.AddMinutes(15), "the team's policy, not the general one");
    }

    [Fact]
    public async Task A_reply_before_the_due_time_means_no_warning_and_no_breach_and_resolving_stops_every_clock()
    {
        var o = await OpenAsync(App);
        using var client = App.ClientWithKey(o.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{o.Tenant.Id}/conversations/{o.ConversationId}";
        (await client.PostAsJsonAsync($"{url}/messages", new { type = "text", text = "Let me look into it" })).StatusCode.Should().Be(HttpStatusCode.Accepted);

        using var runner = Runner(App, o.Clock);
        o.Clock.Advance(TimeSpan.FromMinutes(45));
        await DrainAsync(runner);
        (await SlaEventsAsync(App, o)).Should().BeEmpty("the reply came before the first response was due");
        (await ConversationAsync(App, o))["sla"]!["breached"]!.AsArray().Should().BeEmpty();

        (await client.PostAsync($"{url}/resolve", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        o.Clock.Advance(TimeSpan.FromHours(10));
        await DrainAsync(runner);
        (await SlaEventsAsync(App, o)).Should().BeEmpty("resolving stopped the resolution clock");
    }

    [Fact]
    public async Task A_restarted_app_on_the_same_database_reports_the_breach_exactly_once()
    {
        await using var database = TestDatabase.For(App.Database.Provider);
        await database.CreateAsync();
        Opened o;
        var first = new SwitchboardApp(database);
        var secrets = new Dictionary<string, string?> { ["Switchboard:MasterKey"] = first.MasterKey, ["Switchboard:OperatorApiKey"] = first.OperatorKey };
        try
        {
            _ = first.Server;
            o = await OpenAsync(first);
            using var runner = Runner(first, o.Clock);
            o.Clock.Advance(TimeSpan.FromMinutes(20));
            await DrainAsync(runner);
            (await SlaEventsAsync(first, o)).Should().Equal("sla.warning:first_response");
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = new SwitchboardApp(database, secrets);
        _ = second.Server;
        using var after = Runner(second, o.Clock);
        o.Clock.Advance(TimeSpan.FromMinutes(15));
        await DrainAsync(after);
        await DrainAsync(after);
        (await SlaEventsAsync(second, o)).Should().Equal("sla.warning:first_response", "sla.breached:first_response");
    }
}

public sealed class SlaEndToEndTests_Sqlite(SqliteAppFixture fixture) : SlaEndToEndTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SlaEndToEndTests_Postgres(PostgresAppFixture fixture) : SlaEndToEndTests(fixture), IClassFixture<PostgresAppFixture>
{
    [Fact]
    public async Task Two_apps_on_one_database_report_one_warning_and_one_breach()
    {
        await using var database = TestDatabase.For(DatabaseProvider.Postgres);
        await database.CreateAsync();
        await using var a = new SwitchboardApp(database);
        _ = a.Server;
        await using var b = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = a.MasterKey, ["Switchboard:OperatorApiKey"] = a.OperatorKey });
        _ = b.Server;
        var opened = new List<(TestTenant Tenant, Guid Id)>();
        FakeTimeProvider? clock = null;
        for (var i = 0; i < 5; i++)
        {
            var o = await OpenAsync(a);
            opened.Add((o.Tenant, o.ConversationId));
            clock ??= o.Clock;
        }

        using var onA = Runner(a, clock!);
        using var onB = Runner(b, clock!);
        foreach (var minutes in new[] { 20, 10, 5 })
        {
            clock!.Advance(TimeSpan.FromMinutes(minutes));
            await Task.WhenAll(DrainAsync(onA), DrainAsync(onB), DrainAsync(onA), DrainAsync(onB));
        }

        await using var db = a.NewDbContext();
        foreach (var (tenant, id) in opened)
        {
            var events = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id && e.ConversationId == id && e.Type.StartsWith("sla.")).Select(e => e.Type + ":" + e.Detail).ToListAsync();
            events.Should().BeEquivalentTo(["sla.warning:first_response", "sla.breached:first_response"]);
        }
    }
}

using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary>
/// The SLA step on real conversation rows, and its timers run by the job runner on a fake clock: due
/// times in the API, a warning then a breach exactly once each, replies and resolving stop clocks, a
/// lost lease or a second node never reports twice.
/// </summary>
public abstract class SlaTimerTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private static readonly DateTimeOffset Future = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1000), TimeSpan.Zero);
    private static int tests;

    /// <summary>
    /// Far ahead of real time, so the app's own timer runner (on the real clock) never finds these timers
    /// due; each test a week earlier than the one before, so no test's clock reaches another's timers.
    /// </summary>
    private static DateTimeOffset Start => Future.AddDays(-7 * Interlocked.Increment(ref tests));

    private sealed record Setup(TestTenant Tenant, Guid ConversationId, FakeTimeProvider Clock, SlaStep Step);

    private async Task<Setup> OpenedAsync(object policy, DateTimeOffset? at = null)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", policy)).EnsureSuccessStatusCode();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hello", DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var conversationId = await db.Conversations.Where(c => c.TenantId == tenant.Id).Select(c => c.Id).SingleAsync();
        var clock = new FakeTimeProvider(at ?? Start);
        var setup = new Setup(tenant, conversationId, clock, new SlaStep(App.Services.GetRequiredService<SlaRulesCache>(), new SlaSignal(), clock));
        await ChangeAsync(setup, ConversationCause.Opened);
        return setup;
    }

    /// <summary>What the writer does around the step: the tracked row, the plan, one save.</summary>
    private async Task ChangeAsync(Setup s, ConversationCause cause, Action<Conversation>? write = null)
    {
        await using var db = App.NewDbContext();
        var conversation = await db.Conversations.SingleAsync(c => c.TenantId == s.Tenant.Id && c.Id == s.ConversationId);
        write?.Invoke(conversation);
        await s.Step.PlanAsync(db, [new ConversationChange(conversation, cause, s.Clock.GetUtcNow())], default);
        await db.SaveChangesAsync();
    }

    private JobRunner<SlaJob> Runner(FakeTimeProvider clock) => new(
        new SlaTimerSource(App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<SqliteWriteGate>(), clock),
        new WorkSignal(), App.Services.GetRequiredService<MigrationState>(), clock, NullLogger.Instance);

    private async Task<List<string>> SlaEventsAsync(Setup s)
    {
        await using var db = App.NewDbContext();
        return await db.RealtimeEvents.Where(e => e.TenantId == s.Tenant.Id && e.ConversationId == s.ConversationId && e.Type.StartsWith("sla."))
            .OrderBy(e => e.Sequence).Select(e => e.Type + ":" + e.Detail).ToListAsync();
    }

    private async Task<System.Text.Json.Nodes.JsonObject> ConversationAsync(Setup s)
    {
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        return await client.GetJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.ConversationId}");
    }

    [Fact]
    public async Task Opening_starts_first_response_and_resolution_clocks_and_the_api_shows_the_due_times()
    {
        var s = await OpenedAsync(new { name = "Standard", firstResponseMinutes = 30, nextResponseMinutes = 20, resolutionMinutes = 240 });
        var start = s.Clock.GetUtcNow();

        var sla = (await ConversationAsync(s))["sla"]!;
        sla["firstResponseDueAt"]!.GetValue<DateTimeOffset>().Should().Be(start.AddMinutes(30));
        sla["nextResponseDueAt"].Should().BeNull();
        sla["resolutionDueAt"]!.GetValue<DateTimeOffset>().Should().Be(start.AddMinutes(240));
        sla["breached"]!.AsArray().Should().BeEmpty();

        await using var db = App.NewDbContext();
        var timers = await db.SlaTimers.Where(t => t.TenantId == s.Tenant.Id).OrderBy(t => t.DueAt).ToListAsync();
        timers.Select(t => (t.Kind, t.Stage, t.DueAt)).Should().Equal(
            (SlaKind.FirstResponse, SlaTimerStage.Warn, start.AddMinutes(20)),
            (SlaKind.Resolution, SlaTimerStage.Warn, start.AddMinutes(230)));
    }

    [Fact]
    public async Task Due_times_count_business_hours_of_the_policys_calendar()
    {
        // Friday 2026-01-09 16:30 in Madrid (15:30 UTC), open Monday to Friday 09:00-17:00: 60 minutes later is Monday 09:30.
        var tenantCalendar = new { name = "Office", timeZone = "Europe/Madrid", hours = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.Select(d => new { day = d, from = "09:00", to = "17:00" }) };
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var calendarId = (await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars", tenantCalendar)).ReadJsonAsync())["id"]!.GetValue<Guid>();
        var rules = App.Services.GetRequiredService<SlaRulesCache>();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "Office hours", firstResponseMinutes = 60, businessHours = true, calendarId })).EnsureSuccessStatusCode();

        await using var db = App.NewDbContext();
        var tenantRules = await rules.GetAsync(db, tenant.Id, default);
        var policy = tenantRules.Choose(null, []);
        tenantRules.Due(policy!, new DateTimeOffset(2026, 1, 9, 15, 30, 0, TimeSpan.Zero), 60).Should().Be(new DateTimeOffset(2026, 1, 12, 8, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_missed_first_response_warns_then_breaches_exactly_once_each()
    {
        var s = await OpenedAsync(new { name = "Standard", firstResponseMinutes = 30, warnBeforeMinutes = 10 });
        using var runner = Runner(s.Clock);
        var owner = Guid.NewGuid();

        (await runner.RunOnceAsync(owner, default)).Should().Be(0, "nothing is due yet");
        s.Clock.Advance(TimeSpan.FromMinutes(20));
        (await runner.RunOnceAsync(owner, default)).Should().Be(1);
        (await runner.RunOnceAsync(owner, default)).Should().Be(0);
        (await SlaEventsAsync(s)).Should().Equal("sla.warning:first_response");

        s.Clock.Advance(TimeSpan.FromMinutes(10));
        (await runner.RunOnceAsync(owner, default)).Should().Be(1);
        s.Clock.Advance(TimeSpan.FromHours(1));
        (await runner.RunOnceAsync(owner, default)).Should().Be(0);
        (await SlaEventsAsync(s)).Should().Equal("sla.warning:first_response", "sla.breached:first_response");
        (await ConversationAsync(s))["sla"]!["breached"]!.AsArray().Select(b => b!.GetValue<string>()).Should().Equal("first_response");
    }

    [Fact]
    public async Task A_reply_before_the_due_time_stops_the_clock_and_nothing_is_reported()
    {
        var s = await OpenedAsync(new { name = "Standard", firstResponseMinutes = 30, warnBeforeMinutes = 10 });
        using var runner = Runner(s.Clock);

        s.Clock.Advance(TimeSpan.FromMinutes(5));
        await ChangeAsync(s, ConversationCause.Replied);
        s.Clock.Advance(TimeSpan.FromHours(2));
        (await runner.RunOnceAsync(Guid.NewGuid(), default)).Should().Be(1, "the stale timer is run once and ends");

        (await SlaEventsAsync(s)).Should().BeEmpty();
        await using var db = App.NewDbContext();
        (await db.SlaTimers.SingleAsync(t => t.TenantId == s.Tenant.Id)).Stage.Should().Be(SlaTimerStage.Done);
        (await db.Conversations.SingleAsync(c => c.TenantId == s.Tenant.Id)).FirstResponseAt.Should().Be(s.Clock.GetUtcNow().AddHours(-2));
    }

    [Fact]
    public async Task A_customer_message_after_the_reply_starts_the_next_response_and_resolving_stops_every_clock()
    {
        var s = await OpenedAsync(new { name = "Standard", firstResponseMinutes = 30, nextResponseMinutes = 20, resolutionMinutes = 120, warnBeforeMinutes = 0 });
        using var runner = Runner(s.Clock);
        s.Clock.Advance(TimeSpan.FromMinutes(5));
        await ChangeAsync(s, ConversationCause.Replied);
        s.Clock.Advance(TimeSpan.FromMinutes(5));
        await ChangeAsync(s, ConversationCause.CustomerMessage);
        var asked = s.Clock.GetUtcNow();
        s.Clock.Advance(TimeSpan.FromMinutes(3));
        await ChangeAsync(s, ConversationCause.CustomerMessage);

        (await ConversationAsync(s))["sla"]!["nextResponseDueAt"]!.GetValue<DateTimeOffset>().Should().Be(asked.AddMinutes(20), "the oldest unanswered message starts it");

        await ChangeAsync(s, ConversationCause.Resolved, c => c.Status = ConversationStatus.Resolved);
        s.Clock.Advance(TimeSpan.FromHours(5));
        while (await runner.RunOnceAsync(Guid.NewGuid(), default) > 0)
        {
        }

        (await SlaEventsAsync(s)).Should().BeEmpty("resolving stopped the next response and the resolution clocks");
        (await ConversationAsync(s))["sla"]!["nextResponseDueAt"].Should().BeNull();
    }

    [Fact]
    public async Task A_node_that_dies_holding_a_timer_loses_it_when_its_lease_ends_and_the_breach_is_reported_once()
    {
        var s = await OpenedAsync(new { name = "Standard", firstResponseMinutes = 30, warnBeforeMinutes = 0 });
        var source = new SlaTimerSource(App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<SqliteWriteGate>(), s.Clock);
        s.Clock.Advance(TimeSpan.FromMinutes(30));

        // The first node claims the timer and dies before running it.
        var job = (await source.FindDueAsync(s.Clock.GetUtcNow(), 10, default)).Single(j => j.Timer.TenantId == s.Tenant.Id);
        (await source.ClaimAsync(job, Guid.NewGuid(), s.Clock.GetUtcNow() + source.Lease, default)).Should().BeTrue();
        using var survivor = Runner(s.Clock);
        (await survivor.RunOnceAsync(Guid.NewGuid(), default)).Should().Be(0, "the lease still holds");

        s.Clock.Advance(source.Lease);
        (await survivor.RunOnceAsync(Guid.NewGuid(), default)).Should().Be(1);

        // The dead node's late run cannot commit a second breach.
        await FluentActions.Awaiting(() => source.RunAsync(job, 1, default)).Should().ThrowAsync<SlaLeaseLostException>();
        (await SlaEventsAsync(s)).Should().Equal("sla.breached:first_response");
    }

    [Fact]
    public async Task Two_runners_racing_over_the_same_timers_report_each_breach_once()
    {
        var setups = new List<Setup>();
        var start = Start;
        for (var i = 0; i < 6; i++)
        {
            setups.Add(await OpenedAsync(new { name = "Standard", firstResponseMinutes = 10, resolutionMinutes = 20, warnBeforeMinutes = 5 }, start));
        }

        var clock = new FakeTimeProvider(start);
        using var a = Runner(clock);
        using var b = Runner(clock);
        foreach (var minutes in new[] { 5, 5, 5, 5, 60 })
        {
            clock.Advance(TimeSpan.FromMinutes(minutes));
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(a.RunOnceAsync(Guid.NewGuid(), default), b.RunOnceAsync(Guid.NewGuid(), default));
            }
        }

        foreach (var s in setups)
        {
            (await SlaEventsAsync(s)).Should().BeEquivalentTo(["sla.warning:first_response", "sla.breached:first_response", "sla.warning:resolution", "sla.breached:resolution"]);
        }
    }
}

public sealed class SlaTimerTests_Sqlite(SqliteAppFixture fixture) : SlaTimerTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SlaTimerTests_Postgres(PostgresAppFixture fixture) : SlaTimerTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary>Dashboard presence: offline when the last dashboard closes or its node dies, auto-away when idle, back on activity; API statuses untouched.</summary>
public abstract class PresenceTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    // Ahead of the real clock, so that the app's own sweeper (real time) never finds these rows idle or stale.
    private static DateTimeOffset Start => DateTimeOffset.UtcNow.AddMinutes(5);

    private AgentPresenceTracker Tracker(TimeProvider clock, RoutingSignal? signal = null) => new(
        App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<SqliteWriteGate>(), signal ?? new RoutingSignal(), clock);

    private async Task SetFromDashboardAsync(TestTenant tenant, Guid user, string status, TimeProvider clock)
    {
        await using var db = App.NewDbContext();
        var outcome = await AgentsApi.SetAsync(tenant.Id, user, status, db, new RoutingSignal(), clock, AuditActor.System, default, AgentState.FromDashboard);
        outcome.Failure.Should().BeNull();
    }

    private async Task<(string Status, string Source)> StateAsync(TestTenant tenant, Guid user)
    {
        await using var db = App.NewDbContext();
        var state = await db.AgentStates.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.UserId == user);
        return (state.Status, state.Source);
    }

    private async Task<List<string?>> AgentEventsAsync(TestTenant tenant)
    {
        await using var db = App.NewDbContext();
        return await db.RealtimeEvents.AsNoTracking().Where(e => e.TenantId == tenant.Id && e.Type == "agent.changed").OrderBy(e => e.Sequence).Select(e => e.Detail).ToListAsync();
    }

    [Fact]
    public async Task A_dashboard_status_goes_offline_when_the_last_dashboard_closes_and_an_api_status_stays()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant);
        var integrated = await App.CreateUserAsync(tenant);
        var clock = new FakeTimeProvider(Start);
        var tracker = Tracker(clock);

        await tracker.OpenAsync(tenant.Id, agent, "c1-" + agent, default);
        await tracker.OpenAsync(tenant.Id, agent, "c2-" + agent, default);
        (await StateOrNullAsync(tenant, agent)).Should().BeNull("opening the dashboard sets no status");
        await SetFromDashboardAsync(tenant, agent, "online", clock);

        await tracker.CloseAsync("c1-" + agent, default);
        (await StateAsync(tenant, agent)).Should().Be(("online", "dashboard"), "another dashboard of hers is still open");
        await tracker.CloseAsync("c2-" + agent, default);
        (await StateAsync(tenant, agent)).Should().Be(("offline", "auto"));

        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/agents/{integrated}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await tracker.OpenAsync(tenant.Id, integrated, "c3-" + integrated, default);
        await tracker.CloseAsync("c3-" + integrated, default);
        clock.Advance(TimeSpan.FromHours(1));
        await tracker.SweepAsync(default);
        (await StateAsync(tenant, integrated)).Should().Be(("online", "api"), "presence never changes what the API set");

        (await AgentEventsAsync(tenant)).Should().Equal($"{agent}:online", $"{agent}:offline", $"{integrated}:online");
        await using var db = App.NewDbContext();
        (await db.AgentPresence.CountAsync(p => p.TenantId == tenant.Id)).Should().Be(0);
    }

    [Fact]
    public async Task Members_see_who_else_has_a_conversation_open_on_any_node_until_it_is_closed_or_its_node_dies()
    {
        var tenant = await App.CreateTenantAsync();
        var (agent, colleague) = (await App.CreateUserAsync(tenant), await App.CreateUserAsync(tenant));
        var conversation = Guid.CreateVersion7();
        var clock = new FakeTimeProvider(Start);
        var (nodeA, nodeB) = (Tracker(clock), Tracker(clock));

        await nodeA.OpenAsync(tenant.Id, agent, "v1-" + agent, default);
        await nodeB.OpenAsync(tenant.Id, colleague, "v2-" + colleague, default);
        await nodeA.ViewAsync("v1-" + agent, conversation, default);
        await nodeB.ViewAsync("v1-" + agent, Guid.CreateVersion7(), default);

        (await nodeB.ViewersAsync(tenant.Id, conversation, colleague, default)).Should().Equal([agent], "node B reads the row node A wrote, and ignores a circuit it does not hold");
        (await nodeA.ViewersAsync(tenant.Id, conversation, agent, default)).Should().BeEmpty("one's own circuits are no warning");
        await nodeB.ViewAsync("v2-" + colleague, conversation, default);
        (await nodeA.ViewersAsync(tenant.Id, conversation, agent, default)).Should().Equal([colleague]);

        await nodeA.ViewAsync("v1-" + agent, null, default);
        (await nodeB.ViewersAsync(tenant.Id, conversation, colleague, default)).Should().BeEmpty("the agent moved on");
        await nodeA.ViewAsync("v1-" + agent, conversation, default);
        await nodeA.CloseAsync("v1-" + agent, default);
        (await nodeB.ViewersAsync(tenant.Id, conversation, colleague, default)).Should().BeEmpty("the agent closed the dashboard");

        clock.Advance(AgentPresenceTracker.StaleAfter + TimeSpan.FromSeconds(1));
        (await nodeA.ViewersAsync(tenant.Id, conversation, agent, default)).Should().BeEmpty("node B stopped refreshing its circuit (it died)");
        var other = await App.CreateTenantAsync();
        (await nodeB.ViewersAsync(other.Id, conversation, Guid.Empty, default)).Should().BeEmpty();
    }

    [Fact]
    public async Task Idle_agents_go_away_after_the_tenant_setting_and_come_back_on_activity_only_when_the_away_was_automatic()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant);
        var other = await App.CreateUserAsync(tenant);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var bad = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/routing/settings", new { autoAwayMinutes = 0 });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["autoAwayMinutes"].Should().NotBeNull();
        (await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/routing/settings"))["autoAwayMinutes"]!.GetValue<int>().Should().Be(10);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/routing/settings", new { autoAwayMinutes = 5 })).StatusCode.Should().Be(HttpStatusCode.OK);

        var clock = new FakeTimeProvider(Start);
        var tracker = Tracker(clock);
        await tracker.OpenAsync(tenant.Id, agent, "a-" + agent, default);
        await tracker.OpenAsync(tenant.Id, other, "a-" + other, default);
        await SetFromDashboardAsync(tenant, agent, "online", clock);
        await SetFromDashboardAsync(tenant, other, "online", clock);

        clock.Advance(TimeSpan.FromMinutes(4));
        await tracker.TouchAsync(tenant.Id, other, default);
        clock.Advance(TimeSpan.FromMinutes(2));
        await tracker.SweepAsync(default);
        (await StateAsync(tenant, agent)).Should().Be(("away", "auto"), "idle for 6 of the tenant's 5 minutes");
        (await StateAsync(tenant, other)).Should().Be(("online", "dashboard"), "active 2 minutes ago");
        await tracker.SweepAsync(default);

        await tracker.TouchAsync(tenant.Id, agent, default);
        (await StateAsync(tenant, agent)).Should().Be(("online", "auto"));

        await SetFromDashboardAsync(tenant, agent, "away", clock);
        await tracker.TouchAsync(tenant.Id, agent, default);
        (await StateAsync(tenant, agent)).Should().Be(("away", "dashboard"), "an away chosen by the agent stays");

        (await AgentEventsAsync(tenant)).Should().Equal($"{agent}:online", $"{other}:online", $"{agent}:away", $"{agent}:online", $"{agent}:away");
    }

    [Fact]
    public async Task Presence_of_a_dead_node_expires_after_ninety_seconds_on_any_node()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant);
        var clock = new FakeTimeProvider(Start);
        var dying = Tracker(clock);
        var surviving = Tracker(clock);
        await dying.OpenAsync(tenant.Id, agent, "d-" + agent, default);
        await SetFromDashboardAsync(tenant, agent, "busy", clock);

        clock.Advance(TimeSpan.FromSeconds(60));
        await surviving.SweepAsync(default);
        (await StateAsync(tenant, agent)).Status.Should().Be("busy");

        clock.Advance(TimeSpan.FromSeconds(31));
        (await Task.WhenAll(surviving.SweepAsync(default), surviving.SweepAsync(default))).Sum().Should().Be(1, "two sweeps at once change it once");
        (await StateAsync(tenant, agent)).Should().Be(("offline", "auto"));
        await using var db = App.NewDbContext();
        (await db.AgentPresence.CountAsync(p => p.TenantId == tenant.Id)).Should().Be(0);
    }

    [Fact]
    public async Task An_agent_coming_back_online_drains_the_queue()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var agent = await App.CreateUserAsync(tenant);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams", new { name = "Fees", memberIds = new[] { agent }, assignment = "round_robin", capacity = 3, channelIds = new[] { channel["id"]!.GetValue<Guid>() } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var clock = new FakeTimeProvider(Start);
        var tracker = Tracker(clock, App.Services.GetRequiredService<RoutingSignal>());
        await tracker.OpenAsync(tenant.Id, agent, "q-" + agent, default);
        await SetFromDashboardAsync(tenant, agent, "online", clock);
        clock.Advance(TimeSpan.FromMinutes(11));
        await tracker.SweepAsync(default);
        (await StateAsync(tenant, agent)).Status.Should().Be("away");

        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hello", from: "16505550199")))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using (var db = App.NewDbContext())
        {
            (await db.Conversations.SingleAsync(c => c.TenantId == tenant.Id)).AssignedUserId.Should().BeNull("nobody is online");
        }

        await tracker.TouchAsync(tenant.Id, agent, default);
        await Eventually.PollValueAsync<bool>(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.Conversations.AnyAsync(c => c.TenantId == tenant.Id && c.AssignedUserId == agent) ? true : null;
        });
    }

    private async Task<string?> StateOrNullAsync(TestTenant tenant, Guid user)
    {
        await using var db = App.NewDbContext();
        return await db.AgentStates.AsNoTracking().Where(a => a.TenantId == tenant.Id && a.UserId == user).Select(a => a.Status).FirstOrDefaultAsync();
    }
}

public sealed class PresenceTests_Sqlite(SqliteAppFixture fixture) : PresenceTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PresenceTests_Postgres(PostgresAppFixture fixture) : PresenceTests(fixture), IClassFixture<PostgresAppFixture>;

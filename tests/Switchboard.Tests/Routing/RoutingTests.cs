using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary>Teams, availability, automatic assignment, queues and transfers, through the API and the webhook path.</summary>
public abstract class RoutingTests(AppFixture fixture)
{
    private static long nextCustomer = 16_505_000_000 + Random.Shared.NextInt64(0, 900_000_000);

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_team_is_created_read_changed_and_deleted_with_validation_conflicts_and_audit()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        var agent = await App.CreateUserAsync(tenant);
        var stranger = await App.CreateUserAsync(await App.CreateTenantAsync());
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var teams = $"/api/v1/tenants/{tenant.Id}/teams";

        var created = await admin.PostAsJsonAsync(teams, new { name = "Admissions", memberIds = new[] { agent }, assignment = "least_busy", capacity = 3, channelIds = new[] { channel["id"]!.GetValue<Guid>() } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var team = await created.ReadJsonAsync();
        team["name"]!.GetValue<string>().Should().Be("Admissions");
        team["assignment"]!.GetValue<string>().Should().Be("least_busy");
        team["capacity"]!.GetValue<int>().Should().Be(3);
        team["memberIds"]!.AsArray().Select(m => m!.GetValue<Guid>()).Should().Equal(agent);
        team["channelIds"]!.AsArray().Should().ContainSingle();
        var id = team["id"]!.GetValue<Guid>();

        var invalid = await admin.PostAsJsonAsync(teams, new { name = "", memberIds = new[] { stranger }, assignment = "random", capacity = 0, channelIds = new[] { Guid.NewGuid() } });
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["name", "memberIds", "assignment", "capacity", "channelIds"]);
        (await admin.PostAsJsonAsync(teams, new { name = "Admissions" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var changed = await admin.PutAsJsonAsync($"{teams}/{id}", new { name = "Fees", memberIds = Array.Empty<Guid>(), assignment = "round_robin", capacity = 7 });
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        var read = await admin.GetJsonAsync($"{teams}/{id}");
        read["name"]!.GetValue<string>().Should().Be("Fees");
        read["memberIds"]!.AsArray().Should().BeEmpty();
        read["channelIds"]!.AsArray().Should().BeEmpty();
        (await admin.GetJsonAsync(teams))["items"]!.AsArray().Should().ContainSingle();

        var other = await App.CreateTenantAsync();
        using var intruder = App.ClientWithKey(other.ApiKey);
        (await intruder.GetAsync($"/api/v1/tenants/{other.Id}/teams/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.DeleteAsync($"/api/v1/tenants/{other.Id}/teams/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var agentToken = await App.PersonalTokenAsync(tenant.Id, agent, [Permissions.ConversationsRead, Permissions.ConversationsWrite]);
        using var asAgent = App.ClientWithKey(agentToken);
        (await asAgent.DeleteAsync($"{teams}/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await admin.DeleteAsync($"{teams}/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync($"{teams}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = App.NewDbContext();
        (await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action.StartsWith("team.")).Select(e => e.Action).ToListAsync())
            .Should().BeEquivalentTo(["team.created", "team.updated", "team.deleted"]);
    }

    [Fact]
    public async Task A_team_with_open_conversations_cannot_be_deleted()
    {
        var (tenant, phone, teamId, _) = await SetUpAsync("manual", 2, agents: 1);
        await ArriveAsync(tenant, phone);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/teams/{teamId}")).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Availability_is_set_by_supervisors_listed_with_load_and_capacity_and_validated()
    {
        var (tenant, _, _, agents) = await SetUpAsync("round_robin", 4, agents: 2);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/agents";

        var set = await admin.PutAsJsonAsync($"{url}/{agents[0]}/availability", new { status = "busy" });
        set.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await set.ReadJsonAsync();
        body["availability"]!.GetValue<string>().Should().Be("busy");
        body["openAssigned"]!.GetValue<int>().Should().Be(0);
        body["capacity"]!.GetValue<int>().Should().Be(4);

        var bad = await admin.PutAsJsonAsync($"{url}/{agents[0]}/availability", new { status = "sleeping" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["status"].Should().NotBeNull();
        (await admin.PutAsJsonAsync($"{url}/{Guid.NewGuid()}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var agentToken = await App.PersonalTokenAsync(tenant.Id, agents[1], [Permissions.ConversationsRead]);
        using var asAgent = App.ClientWithKey(agentToken);
        (await asAgent.PutAsJsonAsync($"{url}/{agents[0]}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var listed = (await asAgent.GetJsonAsync(url))["items"]!.AsArray().Select(i => i!.AsObject()).ToDictionary(i => i["userId"]!.GetValue<Guid>());
        listed[agents[0]]["availability"]!.GetValue<string>().Should().Be("busy");
        listed[agents[1]]["availability"]!.GetValue<string>().Should().Be("offline", "an agent who never set a status is offline");
    }

    [Fact]
    public async Task Round_robin_spreads_new_conversations_and_records_why()
    {
        var (tenant, phone, teamId, agents) = await SetUpAsync("round_robin", 5, agents: 2);
        await OnlineAsync(tenant, agents);

        var first = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, first);
        var second = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, second);
        var third = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, third);

        var assignees = await AssigneesAsync(tenant, first, second, third);
        assignees[0].Should().NotBe(assignees[1], "round robin goes to the one longest without an assignment");
        assignees[2].Should().Be(assignees[0]);

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var history = (await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{second}/assignments"))["items"]!.AsArray();
        var entry = history.Should().ContainSingle().Subject!;
        entry["kind"]!.GetValue<string>().Should().Be("auto");
        entry["toTeamId"]!.GetValue<Guid>().Should().Be(teamId);
        entry["reason"]!["strategy"]!.GetValue<string>().Should().Be("round_robin");
        entry["reason"]!["picked"]!["userId"]!.GetValue<Guid>().Should().Be(assignees[1]);
        entry["reason"]!["candidates"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Least_busy_picks_the_agent_with_the_fewest_open_conversations()
    {
        var (tenant, phone, _, agents) = await SetUpAsync("least_busy", 5, agents: 2);
        await OnlineAsync(tenant, [agents[0]]);
        var first = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, first);
        var second = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, second);
        (await AssigneesAsync(tenant, first, second)).Should().AllBeEquivalentTo(agents[0]);

        await OnlineAsync(tenant, [agents[1]]);
        var third = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, third);
        (await AssigneesAsync(tenant, third)).Should().Equal(agents[1]);
    }

    [Fact]
    public async Task A_full_team_queues_in_arrival_order_and_freed_capacity_takes_the_oldest()
    {
        var (tenant, phone, teamId, agents) = await SetUpAsync("round_robin", 1, agents: 1);
        await OnlineAsync(tenant, agents);
        var first = await ArriveAsync(tenant, phone);
        await AssignedAsync(tenant, first);
        var second = await ArriveAsync(tenant, phone);
        var third = await ArriveAsync(tenant, phone);

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/conversations";
        var waiting = await admin.GetJsonAsync($"{url}/{third}");
        waiting["teamId"]!.GetValue<Guid>().Should().Be(teamId);
        waiting["assigneeId"].Should().BeNull();
        waiting["queuePosition"]!.GetValue<int>().Should().Be(2);
        waiting["waitingSince"].Should().NotBeNull();
        (await admin.GetJsonAsync($"{url}/{second}"))["queuePosition"]!.GetValue<int>().Should().Be(1);

        (await admin.PostAsync($"{url}/{first}/resolve", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        await AssignedAsync(tenant, second);
        var after = await admin.GetJsonAsync($"{url}/{third}");
        after["assigneeId"].Should().BeNull("capacity 1: only the oldest waiting one got the freed slot");
        after["queuePosition"]!.GetValue<int>().Should().Be(1);
        after["estimatedWaitSeconds"]!.GetValue<int>().Should().BePositive("the team has assigned in the last half hour");
    }

    [Fact]
    public async Task An_agent_coming_online_drains_the_queue_and_without_pace_there_is_no_estimate()
    {
        var (tenant, phone, _, agents) = await SetUpAsync("round_robin", 2, agents: 1);
        var first = await ArriveAsync(tenant, phone);
        var second = await ArriveAsync(tenant, phone);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var waiting = await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{second}");
        waiting["queuePosition"]!.GetValue<int>().Should().Be(2);
        waiting["estimatedWaitSeconds"].Should().BeNull("nobody was assigned lately");

        await OnlineAsync(tenant, agents);
        await AssignedAsync(tenant, first);
        await AssignedAsync(tenant, second);
        (await AssigneesAsync(tenant, first, second)).Should().AllBeEquivalentTo(agents[0]);
    }

    [Fact]
    public async Task A_transfer_to_a_team_queues_and_to_an_agent_assigns_with_a_note_and_history()
    {
        var (tenant, phone, teamId, agents) = await SetUpAsync("manual", 2, agents: 2);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var other = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams", new { name = "Transport", memberIds = new[] { agents[1] }, assignment = "round_robin", capacity = 2 });
        var otherTeam = (await other.ReadJsonAsync())["id"]!.GetValue<Guid>();
        var conversation = await ArriveAsync(tenant, phone);
        var url = $"/api/v1/tenants/{tenant.Id}/conversations/{conversation}";

        var toAgent = await admin.PostAsJsonAsync($"{url}/transfer", new { userId = agents[0], note = "speaks Catalan" });
        toAgent.StatusCode.Should().Be(HttpStatusCode.OK, await toAgent.Content.ReadAsStringAsync());
        (await toAgent.ReadJsonAsync())["assigneeId"]!.GetValue<Guid>().Should().Be(agents[0]);

        (await admin.PostAsJsonAsync($"{url}/transfer", new { teamId = otherTeam, userId = agents[0] })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync($"{url}/transfer", new { teamId = Guid.NewGuid() })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var toTeam = await admin.PostAsJsonAsync($"{url}/transfer", new { teamId = otherTeam });
        var queued = await toTeam.ReadJsonAsync();
        queued["teamId"]!.GetValue<Guid>().Should().Be(otherTeam);
        queued["assigneeId"].Should().BeNull();

        await OnlineAsync(tenant, [agents[1]]);
        await AssignedAsync(tenant, conversation);
        (await AssigneesAsync(tenant, conversation)).Should().Equal(agents[1]);

        var history = (await admin.GetJsonAsync($"{url}/assignments"))["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        history.Select(h => h["kind"]!.GetValue<string>()).Should().Equal("transfer", "transfer", "auto");
        history[0]["fromTeamId"]!.GetValue<Guid>().Should().Be(teamId);
        var noteId = history[0]["noteMessageId"]!.GetValue<Guid>();
        history[1]["toTeamId"]!.GetValue<Guid>().Should().Be(otherTeam);
        var messages = (await admin.GetJsonAsync($"{url}/messages"))["items"]!.AsArray();
        var note = messages.Single(m => m!["id"]!.GetValue<Guid>() == noteId)!;
        note["direction"]!.GetValue<string>().Should().Be("note");
        note["text"]!.GetValue<string>().Should().Be("speaks Catalan");
    }

    [Fact]
    public async Task A_manual_assignment_is_in_the_history_and_takes_the_conversation_out_of_the_queue()
    {
        var (tenant, phone, _, agents) = await SetUpAsync("manual", 2, agents: 1);
        var conversation = await ArriveAsync(tenant, phone);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/conversations/{conversation}";
        (await admin.GetJsonAsync(url))["queuePosition"]!.GetValue<int>().Should().Be(1);

        var assigned = await admin.PostAsJsonAsync($"{url}/assign", new { userId = agents[0] });
        var body = await assigned.ReadJsonAsync();
        body["assigneeId"]!.GetValue<Guid>().Should().Be(agents[0]);
        body["waitingSince"].Should().BeNull();
        var history = (await admin.GetJsonAsync($"{url}/assignments"))["items"]!.AsArray();
        history.Should().ContainSingle().Which!["kind"]!.GetValue<string>().Should().Be("manual");
    }

    private async Task<(TestTenant Tenant, string Phone, Guid TeamId, Guid[] Agents)> SetUpAsync(string strategy, int capacity, int agents)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var users = new Guid[agents];
        for (var i = 0; i < agents; i++)
        {
            users[i] = await App.CreateUserAsync(tenant);
        }

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var team = await admin.PostAsJsonAsync(
            $"/api/v1/tenants/{tenant.Id}/teams", new { name = "Admissions", memberIds = users, assignment = strategy, capacity, channelIds = new[] { channel["id"]!.GetValue<Guid>() } });
        team.StatusCode.Should().Be(HttpStatusCode.Created, await team.Content.ReadAsStringAsync());
        return (tenant, phone, (await team.ReadJsonAsync())["id"]!.GetValue<Guid>(), users);
    }

    private async Task OnlineAsync(TestTenant tenant, IEnumerable<Guid> agents)
    {
        using var admin = App.ClientWithKey(tenant.ApiKey);
        foreach (var agent in agents)
        {
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/agents/{agent}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    /// <summary>A new customer writes; returns the conversation it opened.</summary>
    private async Task<Guid> ArriveAsync(TestTenant tenant, string phone)
    {
        var from = Interlocked.Increment(ref nextCustomer).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hello", from: from)))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        return await db.Conversations.Where(c => c.TenantId == tenant.Id).OrderByDescending(c => c.Number).Select(c => c.Id).FirstAsync();
    }

    private async Task AssignedAsync(TestTenant tenant, Guid conversationId) =>
        await Eventually.PollValueAsync<bool>(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.Conversations.AnyAsync(c => c.TenantId == tenant.Id && c.Id == conversationId && c.AssignedUserId != null) ? true : null;
        });

    private async Task<Guid[]> AssigneesAsync(TestTenant tenant, params Guid[] conversations)
    {
        await using var db = App.NewDbContext();
        var rows = await db.Conversations.Where(c => c.TenantId == tenant.Id && conversations.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.AssignedUserId);
        return [.. conversations.Select(c => rows[c]!.Value)];
    }
}

public sealed class RoutingTests_Sqlite(SqliteAppFixture fixture) : RoutingTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class RoutingTests_Postgres(PostgresAppFixture fixture) : RoutingTests(fixture), IClassFixture<PostgresAppFixture>;

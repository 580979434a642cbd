using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary><c>GET …/routing/queues</c>: what a supervisor's integration sees of each team's queue.</summary>
public abstract class SupervisorQueuesTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Queues_show_waiting_conversations_online_agents_free_slots_and_sla_risk()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var agent = await App.CreateUserAsync(tenant);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams",
            new { name = "Transport", memberIds = new[] { agent }, assignment = "round_robin", capacity = 3, channelIds = new[] { channel["id"]!.GetValue<Guid>() } });
        var teamId = (await created.ReadJsonAsync())["id"]!.GetValue<Guid>();
        var empty = (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams", new { name = "Fees", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 2 }));
        var emptyId = (await empty.ReadJsonAsync())["id"]!.GetValue<Guid>();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "Fast", firstResponseMinutes = 3, warnBeforeMinutes = 5 })).EnsureSuccessStatusCode();
        var url = $"/api/v1/tenants/{tenant.Id}/routing/queues";

        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/routing/queues", null)).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        var before = await QueueAsync(admin, url, teamId);
        before["waiting"]!.GetValue<int>().Should().Be(0);
        before["longestWaitSeconds"].Should().BeNull();

        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Is the bus late?", from: "16505550142")))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        var waiting = await QueueAsync(admin, url, teamId);
        waiting["waiting"]!.GetValue<int>().Should().Be(1);
        waiting["longestWaitSeconds"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(0);
        waiting["onlineAgents"]!.GetValue<int>().Should().Be(0);
        waiting["freeSlots"]!.GetValue<int>().Should().Be(0);
        waiting["atRisk"]!.GetValue<int>().Should().Be(1, "its first response is due in 3 minutes, inside the 5-minute warning window");
        waiting["breached"]!.GetValue<int>().Should().Be(0);
        var other = await QueueAsync(admin, url, emptyId);
        other["waiting"]!.GetValue<int>().Should().Be(0);

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/agents/{agent}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var served = await Eventually.PollAsync<JsonObject>(async () =>
        {
            var q = await QueueAsync(admin, url, teamId);
            return q["waiting"]!.GetValue<int>() == 0 ? q : null;
        });
        served["onlineAgents"]!.GetValue<int>().Should().Be(1);
        served["freeSlots"]!.GetValue<int>().Should().Be(2, "one of her 3 slots is taken by the conversation just assigned");

        await using (var db = App.NewDbContext())
        {
            await db.Conversations.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.SlaBreached, 1));
        }

        var breached = await QueueAsync(admin, url, teamId);
        breached["breached"]!.GetValue<int>().Should().Be(1);
        breached["atRisk"]!.GetValue<int>().Should().Be(0);

        var agentToken = await App.PersonalTokenAsync(tenant.Id, agent, [Permissions.ConversationsRead, Permissions.ConversationsWrite]);
        using var asAgent = App.ClientWithKey(agentToken);
        (await asAgent.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var stranger = await App.CreateTenantAsync();
        using var intruder = App.ClientWithKey(stranger.ApiKey);
        (await intruder.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.GetJsonAsync($"/api/v1/tenants/{stranger.Id}/routing/queues"))["items"]!.AsArray().Should().BeEmpty("another tenant's teams are not listed");
    }

    private static async Task<JsonObject> QueueAsync(HttpClient client, string url, Guid teamId) =>
        (await client.GetJsonAsync(url))["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["teamId"]!.GetValue<Guid>() == teamId);
}

public sealed class SupervisorQueuesTests_Sqlite(SqliteAppFixture fixture) : SupervisorQueuesTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SupervisorQueuesTests_Postgres(PostgresAppFixture fixture) : SupervisorQueuesTests(fixture), IClassFixture<PostgresAppFixture>;

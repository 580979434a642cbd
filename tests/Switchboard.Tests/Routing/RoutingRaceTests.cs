using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Routing;

/// <summary>
/// Two real server processes on one PostgreSQL database dispatch the same agents from two teams while
/// webhooks arrive at both and availability flips on both: no conversation is assigned twice and no agent
/// ever holds more than their capacity.
/// </summary>
public sealed class RoutingRaceTests
{
    private const string OperatorKey = "operator-key-for-routing-race";
    private const int Capacity = 2;
    private const int Conversations = 40;

    [Fact]
    public async Task Two_nodes_never_assign_a_conversation_twice_nor_an_agent_over_capacity()
    {
        await using var database = TestDatabase.For(DatabaseProvider.Postgres);
        await database.CreateAsync();
        var settings = SwitchboardProcess.Settings(database, "race-a", OperatorKey);
        var settingsB = new Dictionary<string, string?>(settings)
        {
            ["Switchboard:DataDirectory"] = Path.Combine(Path.GetTempPath(), "switchboard-tests", "race-b-" + Guid.NewGuid().ToString("N")),
        };
        await using var nodeA = await SwitchboardProcess.StartAsync(settings, SwitchboardProcess.FreePort());
        await using var nodeB = await SwitchboardProcess.StartAsync(settingsB, SwitchboardProcess.FreePort());
        using var a = nodeA.CreateClient();
        using var b = nodeB.CreateClient();

        var (tenantId, apiKey) = await CreateTenantAsync(a);
        a.DefaultRequestHeaders.Authorization = b.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        string[] phones = [Builders.NewPhoneNumberId(), Builders.NewPhoneNumberId()];
        var agents = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            agents.Add(await CreateAgentAsync(a, tenantId));
        }

        // Two teams over the same three agents: only the agent lock and recount keep one agent's load across both.
        for (var t = 0; t < 2; t++)
        {
            var channel = await a.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest(phones[t]));
            channel.StatusCode.Should().Be(HttpStatusCode.Created);
            var channelId = (await channel.ReadJsonAsync())["id"]!.GetValue<Guid>();
            var team = await a.PostAsJsonAsync(
                $"/api/v1/tenants/{tenantId}/teams", new { name = $"Team {t}", memberIds = agents, assignment = t == 0 ? "round_robin" : "least_busy", capacity = Capacity, channelIds = new[] { channelId } });
            team.StatusCode.Should().Be(HttpStatusCode.Created, await team.Content.ReadAsStringAsync());
        }

        var flips = Task.Run(async () =>
        {
            for (var i = 0; i < 12; i++)
            {
                var node = i % 2 == 0 ? a : b;
                var status = i % 3 == 2 ? "busy" : "online";
                (await node.PutAsJsonAsync($"/api/v1/tenants/{tenantId}/agents/{agents[i % 3]}/availability", new { status })).StatusCode.Should().Be(HttpStatusCode.OK);
                await Task.Delay(30);
            }
        });
        var arrivals = Enumerable.Range(0, Conversations).Select(i => Task.Run(async () =>
        {
            var body = WebhookPayloads.Messages(phones[i % 2], WebhookPayloads.Text($"Question {i}", from: $"1650777{i:D4}"));
            var response = await (i % 4 < 2 ? a : b).PostWebhookAsync(tenantId, body, WebhookSender.Sign(body));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }));
        await Task.WhenAll([flips, .. arrivals]);
        foreach (var agent in agents)
        {
            (await b.PutAsJsonAsync($"/api/v1/tenants/{tenantId}/agents/{agent}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using var db = database.NewDbContext();
        await Eventually.PollValueAsync<bool>(
            async () => await db.Conversations.CountAsync(c => c.TenantId == tenantId) == Conversations
                && await db.Conversations.CountAsync(c => c.TenantId == tenantId && c.AssignedUserId != null) == agents.Count * Capacity ? true : null,
            seconds: 60);
        await Task.Delay(TimeSpan.FromSeconds(6)); // one more sweep on both nodes: nothing else may be assigned

        var open = await db.Conversations.Where(c => c.TenantId == tenantId && c.AssignedUserId != null && c.Status == ConversationStatus.Open)
            .GroupBy(c => c.AssignedUserId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        open.Should().HaveCount(agents.Count).And.OnlyContain(g => g.Count == Capacity, "every agent is full and none is over capacity");
        var auto = await db.Assignments.Where(r => r.TenantId == tenantId && r.Kind == AssignmentEntry.Auto).ToListAsync();
        auto.Select(r => r.ConversationId).Should().OnlyHaveUniqueItems("no conversation is assigned twice");
        auto.GroupBy(r => r.ToUserId).Should().OnlyContain(g => g.Count() <= Capacity, "nothing was resolved, so no agent was ever given more than capacity");
        (await db.Conversations.CountAsync(c => c.TenantId == tenantId && c.WaitingSince != null)).Should().Be(Conversations - (agents.Count * Capacity));
    }

    private static async Task<(Guid TenantId, string ApiKey)> CreateTenantAsync(HttpClient client)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants") { Content = JsonContent.Create(new { name = "Routing race" }) };
        create.Headers.Authorization = new("Bearer", OperatorKey);
        var response = await client.SendAsync(create);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var tenant = await response.ReadJsonAsync();
        return (tenant["id"]!.GetValue<Guid>(), tenant["apiKey"]!.GetValue<string>());
    }

    private static async Task<Guid> CreateAgentAsync(HttpClient admin, Guid tenantId)
    {
        var invite = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/invites", new { email = $"agent-{Guid.NewGuid():N}@example.test", role = "agent" });
        invite.StatusCode.Should().Be(HttpStatusCode.Created);
        var url = new Uri((await invite.ReadJsonAsync())["inviteUrl"]!.GetValue<string>());
        var code = System.Web.HttpUtility.ParseQueryString(url.Query)["code"]!;
        using var accept = new HttpRequestMessage(HttpMethod.Post, "/api/v1/invites/accept")
        {
            Content = JsonContent.Create(new { code, displayName = "Race Agent", password = "correct-horse-battery-staple" }),
        };
        var accepted = await admin.SendAsync(accept);
        accepted.StatusCode.Should().Be(HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        return (await accepted.ReadJsonAsync())["userId"]!.GetValue<Guid>();
    }
}

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Routing;

/// <summary>"Agents see only their teams' conversations" (ADR 0022, amendment), on every conversation endpoint.</summary>
public abstract class TeamScopeTests(AppFixture fixture)
{
    private static long nextCustomer = 16_506_000_000 + Random.Shared.NextInt64(0, 900_000_000);

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_agent_limited_to_her_teams_gets_404_for_another_teams_conversation_on_every_endpoint()
    {
        var s = await SetUpAsync(limited: true);
        using var agent = App.ClientWithKey(s.AgentToken);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var b = $"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.InB}";
        Guid messageInB;
        await using (var db = App.NewDbContext())
        {
            messageInB = await db.Messages.Where(m => m.TenantId == s.Tenant.Id && m.ConversationId == s.InB).Select(m => m.Id).FirstAsync();
        }

        (string Method, string Url, object? Body)[] endpoints =
        [
            ("GET", b, null),
            ("GET", $"{b}/messages", null),
            ("GET", $"{b}/assignments", null),
            ("POST", $"{b}/messages", new { type = "note", text = "hidden" }),
            ("POST", $"{b}/messages/{messageInB}/resend", null),
            ("POST", $"{b}/read", null),
            ("POST", $"{b}/pending", null),
            ("POST", $"{b}/resolve", null),
            ("POST", $"{b}/reopen", null),
            ("POST", $"{b}/assign", new { userId = s.Agent }),
            ("POST", $"{b}/transfer", new { teamId = s.TeamA }),
            ("PUT", $"{b}/labels", new { labels = Array.Empty<string>() }),
        ];
        foreach (var (method, url, body) in endpoints)
        {
            var denied = await SendAsync(agent, method, url, body);
            denied.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} {url} is another team's");
            (await denied.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("not-found", "the same answer as another tenant's id (ADR 0002)");
        }

        await using (var db = App.NewDbContext())
        {
            var untouched = await db.Conversations.SingleAsync(c => c.TenantId == s.Tenant.Id && c.Id == s.InB);
            untouched.TeamId.Should().Be(s.TeamB, "nothing the agent tried changed it");
            untouched.AssignedUserId.Should().BeNull();
            untouched.UnreadCount.Should().BeGreaterThan(0);
        }

        // The same requests reach the conversation for the tenant's key (whatever they answer, it is not 404).
        foreach (var (method, url, body) in endpoints.Where(e => e.Method == "GET"))
        {
            (await SendAsync(admin, method, url, body)).StatusCode.Should().NotBe(HttpStatusCode.NotFound, $"{method} {url}");
        }

        // Her own team's, her own and the unteamed ones she may act on.
        foreach (var id in new[] { s.InA, s.AssignedInB, s.NoTeam })
        {
            var url = $"/api/v1/tenants/{s.Tenant.Id}/conversations/{id}";
            (await agent.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.OK);
            (await agent.GetAsync($"{url}/messages")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await agent.PostAsync($"{url}/read", null)).StatusCode.Should().NotBe(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task The_inbox_search_and_contact_pages_leave_out_another_teams_conversations()
    {
        var s = await SetUpAsync(limited: true);
        using var agent = App.ClientWithKey(s.AgentToken);
        var tenant = $"/api/v1/tenants/{s.Tenant.Id}";
        var visible = new[] { s.InA, s.AssignedInB, s.NoTeam };

        (await ListAsync(agent, $"{tenant}/conversations")).Should().BeEquivalentTo(visible);
        (await ListAsync(agent, $"{tenant}/conversations?status=open")).Should().BeEquivalentTo(visible);
        (await ListAsync(agent, $"{tenant}/conversations?assignee=unassigned")).Should().BeEquivalentTo([s.InA, s.NoTeam]);

        // Paging one at a time reaches the same three, and never the hidden one.
        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await agent.GetJsonAsync($"{tenant}/conversations?limit=1" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            paged.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        paged.Should().BeEquivalentTo(visible);

        var hits = (await agent.GetJsonAsync($"{tenant}/search?q=marmalade"))["items"]!.AsArray().Select(i => i!["conversationId"]!.GetValue<Guid>()).ToList();
        hits.Should().BeEquivalentTo(visible);

        var contact = await agent.GetJsonAsync($"{tenant}/contacts/{s.ContactOfB}");
        contact["conversations"]!.AsArray().Should().BeEmpty("the contact is the tenant's, its conversation in team B is not hers");
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        (await admin.GetJsonAsync($"{tenant}/contacts/{s.ContactOfB}"))["conversations"]!.AsArray().Should().ContainSingle();
        (await admin.GetJsonAsync($"{tenant}/search?q=marmalade"))["items"]!.AsArray().Should().HaveCount(4);
    }

    [Fact]
    public async Task Managers_the_tenant_key_and_agents_without_the_setting_see_everything()
    {
        var s = await SetUpAsync(limited: true);
        var all = new[] { s.InA, s.InB, s.AssignedInB, s.NoTeam };
        var manager = await App.CreateUserAsync(s.Tenant, "manager");
        using var asManager = App.ClientWithKey(await App.PersonalTokenAsync(s.Tenant.Id, manager, [Permissions.ConversationsRead, Permissions.ConversationsWrite]));
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var list = $"/api/v1/tenants/{s.Tenant.Id}/conversations";
        (await ListAsync(asManager, list)).Should().BeEquivalentTo(all);
        (await asManager.GetAsync($"{list}/{s.InB}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ListAsync(admin, list)).Should().BeEquivalentTo(all);

        // Turning the setting off takes effect at once on this node.
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/routing/settings", new { agentsSeeOwnTeamsOnly = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        using var agent = App.ClientWithKey(s.AgentToken);
        (await ListAsync(agent, list)).Should().BeEquivalentTo(all);
        (await agent.GetAsync($"{list}/{s.InB}")).StatusCode.Should().Be(HttpStatusCode.OK);

        // And joining team B (setting on again) shows her its conversations.
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/routing/settings", new { agentsSeeOwnTeamsOnly = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await agent.GetAsync($"{list}/{s.InB}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/teams/{s.TeamB}", new { name = "Fees", memberIds = new[] { s.Other, s.Agent }, assignment = "manual", capacity = 5 }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await agent.GetAsync($"{list}/{s.InB}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_event_stream_gives_a_limited_agent_no_event_of_another_teams_conversation()
    {
        var s = await SetUpAsync(limited: true);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var conversations = $"/api/v1/tenants/{s.Tenant.Id}/conversations";
        (await admin.PostAsJsonAsync($"{conversations}/{s.InB}/messages", new { type = "note", text = "team B only" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await admin.PostAsJsonAsync($"{conversations}/{s.NoTeam}/messages", new { type = "note", text = "for everyone" })).StatusCode.Should().Be(HttpStatusCode.Accepted);

        using var agent = App.ClientWithKey(s.AgentToken);
        var seenByAgent = await ConversationsOfEventsAsync(agent, s.Tenant, until: s.NoTeam);
        seenByAgent.Should().NotContain(s.InB).And.Contain([s.InA, s.AssignedInB, s.NoTeam]);
        (await ConversationsOfEventsAsync(admin, s.Tenant, until: s.NoTeam)).Should().Contain(s.InB);
    }

    /// <summary>Replays the stream from the start up to a note queued on <paramref name="until"/>; the conversations its events name.</summary>
    private static async Task<HashSet<Guid>> ConversationsOfEventsAsync(HttpClient client, TestTenant tenant, Guid until)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.Id}/events");
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new HashSet<Guid>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = System.Text.Json.Nodes.JsonNode.Parse(line[6..])!;
            if (data["conversationId"]?.GetValue<Guid>() is { } id)
            {
                seen.Add(id);
                if (id == until && data["type"]!.GetValue<string>() == "message.queued")
                {
                    break;
                }
            }
        }

        return seen;
    }

    private sealed record Setup(TestTenant Tenant, Guid Agent, Guid Other, string AgentToken, Guid TeamA, Guid TeamB, Guid InA, Guid InB, Guid AssignedInB, Guid NoTeam, Guid ContactOfB);

    /// <summary>
    /// An agent in team A; team B of another agent; conversations in A, in B, in B assigned to the agent, and in no team,
    /// each with a message holding "marmalade".
    /// </summary>
    private async Task<Setup> SetUpAsync(bool limited)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var agent = await App.CreateUserAsync(tenant);
        var other = await App.CreateUserAsync(tenant);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var teams = $"/api/v1/tenants/{tenant.Id}/teams";
        var teamA = (await (await admin.PostAsJsonAsync(teams, new { name = "Admissions", memberIds = new[] { agent }, assignment = "manual", capacity = 5 })).ReadJsonAsync())["id"]!.GetValue<Guid>();
        var teamB = (await (await admin.PostAsJsonAsync(teams, new { name = "Fees", memberIds = new[] { other }, assignment = "manual", capacity = 5 })).ReadJsonAsync())["id"]!.GetValue<Guid>();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/routing/settings", new { agentsSeeOwnTeamsOnly = limited })).StatusCode.Should().Be(HttpStatusCode.OK);

        var inA = await ArriveAsync(tenant, phone);
        var inB = await ArriveAsync(tenant, phone);
        var assignedInB = await ArriveAsync(tenant, phone);
        var noTeam = await ArriveAsync(tenant, phone);
        var conversations = $"/api/v1/tenants/{tenant.Id}/conversations";
        (await admin.PostAsJsonAsync($"{conversations}/{inA}/transfer", new { teamId = teamA })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"{conversations}/{inB}/transfer", new { teamId = teamB })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"{conversations}/{assignedInB}/transfer", new { teamId = teamB })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"{conversations}/{assignedInB}/assign", new { userId = agent })).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var db = App.NewDbContext();
        var rows = await db.Conversations.Where(c => c.TenantId == tenant.Id).ToDictionaryAsync(c => c.Id);
        rows[assignedInB].TeamId.Should().Be(teamB, "assigning by hand keeps the team");
        rows[noTeam].TeamId.Should().BeNull();
        var token = await App.PersonalTokenAsync(tenant.Id, agent, [Permissions.ConversationsRead, Permissions.ConversationsWrite, Permissions.MessagesSend]);
        return new Setup(tenant, agent, other, token, teamA, teamB, inA, inB, assignedInB, noTeam, rows[inB].ContactId);
    }

    private async Task<Guid> ArriveAsync(TestTenant tenant, string phone)
    {
        var from = Interlocked.Increment(ref nextCustomer).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Orange marmalade please", from: from)))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        return await db.Conversations.Where(c => c.TenantId == tenant.Id).OrderByDescending(c => c.Number).Select(c => c.Id).FirstAsync();
    }

    private static async Task<List<Guid>> ListAsync(HttpClient client, string url) =>
        [.. (await client.GetJsonAsync(url))["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>())];

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, object? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (method == "POST" && url.EndsWith("/messages", StringComparison.Ordinal))
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }

        return client.SendAsync(request);
    }
}

public sealed class TeamScopeTests_Sqlite(SqliteAppFixture fixture) : TeamScopeTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class TeamScopeTests_Postgres(PostgresAppFixture fixture) : TeamScopeTests(fixture), IClassFixture<PostgresAppFixture>;

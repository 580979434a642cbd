using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Flows;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;

namespace Switchboard.Tests.Flows;

/// <summary>Versions and roll back, the test console and per-node analytics (issue 18 items 5–7, ADR 0041).</summary>
public abstract class FlowConsoleTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Rolling_back_publishes_a_copy_of_the_old_version_as_the_newest_and_is_audited()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        var id = await flows.PublishAsync(flows.MenuFlow("Version one"));
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var root = $"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}";
        (await admin.PutAsJsonAsync(root, flows.MenuFlow("Version two"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync($"{root}/publish", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        var restored = await admin.PostAsync($"{root}/versions/1/restore", null);

        restored.StatusCode.Should().Be(HttpStatusCode.OK, await restored.Content.ReadAsStringAsync());
        var flow = await restored.ReadJsonAsync();
        flow["publishedVersion"]!.GetValue<int>().Should().Be(3);
        flow["nodes"]![0]!["text"]!.GetValue<string>().Should().Be("Version one", "the draft is the restored document");
        var versions = (await admin.GetFromJsonAsync<JsonObject>($"{root}/versions"))!["items"]!.AsArray();
        versions.Select(v => v!["version"]!.GetValue<int>()).Should().Equal(3, 2, 1);
        versions.Select(v => v!["current"]!.GetValue<bool>()).Should().Equal(true, false, false);
        var third = await admin.GetFromJsonAsync<JsonObject>($"{root}/versions/3");
        third!["document"]!["nodes"]![0]!["text"]!.GetValue<string>().Should().Be("Version one");
        (await admin.PostAsync($"{root}/versions/9/restore", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var audit = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/audit");
        audit!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Contain("flow.restored");

        var customer = FlowScenario.NewCustomer();
        await flows.WritesAsync(customer, "hello");
        (await flows.WaitForSendsAsync(customer, 1))[0]["interactive"]!["body"]!["text"]!.GetValue<string>().Should().Be("Version one", "new conversations run the restored version");
        (await flows.WaitForSessionAsync(customer, s => s.Version is not null)).Version.Should().Be(3);
    }

    [Fact]
    public async Task The_test_console_walks_the_draft_with_the_customers_inputs_and_writes_nothing()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var flow = new
        {
            name = "Ask then menu",
            trigger = new { type = "new_conversation" },
            start = "hi",
            nodes = new object[]
            {
                new { id = "hi", type = "text", text = "Hello!", next = "menu" },
                new { id = "menu", type = "buttons", text = "Pick one", buttons = new object[] { new { id = "a", title = "Sales", next = "to-sales" }, new { id = "b", title = "Other", next = "bye" } } },
                new { id = "to-sales", type = "route", teamId = flows.Sales, text = "Connecting you." },
                new { id = "bye", type = "end" },
            },
        };
        var created = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows", flow)).ReadJsonAsync();
        var id = created["id"]!.GetValue<Guid>();
        await using var before = App.NewDbContext();
        var messagesBefore = await before.Messages.CountAsync(m => m.TenantId == flows.Tenant.Id);

        var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}/test", new
        {
            inputs = new object[] { new { text = "what?" }, new { replyId = "a", text = "Sales" }, new { text = "ignored, the bot is done" } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.ReadJsonAsync();
        result["path"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("hi", "menu", "to-sales");
        var messages = result["messages"]!.AsArray();
        messages.Select(m => m!["kind"]!.GetValue<string>()).Should().Equal("text", "buttons", "text", "buttons", "text", "routed");
        messages[0]!["message"]!["text"]!.GetValue<string>().Should().Be("Hello!");
        messages[2]!["message"]!["text"]!.GetValue<string>().Should().Be("Please choose one of the options.");
        messages[2]!["afterInput"]!.GetValue<int>().Should().Be(1);
        messages[5]!["teamId"]!.GetValue<Guid>().Should().Be(flows.Sales);
        result["state"]!.GetValue<string>().Should().Be("ended");
        result["endReason"]!.GetValue<string>().Should().Be("routed");
        result["inputsUsed"]!.GetValue<int>().Should().Be(2);

        await using var db = App.NewDbContext();
        (await db.Messages.CountAsync(m => m.TenantId == flows.Tenant.Id)).Should().Be(messagesBefore);
        (await db.Conversations.CountAsync(c => c.TenantId == flows.Tenant.Id)).Should().Be(0, "a test makes no conversation, so no report or search sees it");
        (await db.FlowSessions.CountAsync(s => s.TenantId == flows.Tenant.Id)).Should().Be(0);
        flows.SentTo("any").Should().BeEmpty();

        var bad = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}/test", new { version = 7 });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["version"].Should().NotBeNull();
    }

    [Fact]
    public async Task Node_counts_follow_the_sessions_and_match_a_recount_from_them()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        var flow = new
        {
            name = "Counted",
            trigger = new { type = "new_conversation" },
            start = "menu",
            nodes = new object[]
            {
                new { id = "menu", type = "list", text = "Which department?", button = "Departments", rows = new object[]
                {
                    new { id = "sales", title = "Sales", next = "to-sales" },
                    new { id = "support", title = "Support", next = "bye" },
                } },
                new { id = "to-sales", type = "route", teamId = flows.Sales, text = "Connecting you to Sales." },
                new { id = "bye", type = "text", text = "Bye!" },
            },
        };
        var id = await flows.PublishAsync(flow);
        var routed = FlowScenario.NewCustomer();
        var completed = FlowScenario.NewCustomer();
        var takenOver = FlowScenario.NewCustomer();
        var keyword = FlowScenario.NewCustomer();
        foreach (var c in new[] { routed, completed, takenOver, keyword })
        {
            await flows.WritesAsync(c, "hello");
            await flows.WaitForSendsAsync(c, 1);
            await flows.WaitForSessionAsync(c, s => s.State == FlowSessionState.Active && s.NodeId == "menu" && s.DueAt == null);
        }

        await flows.ChoosesAsync(routed, "sales", "Sales");
        await flows.ChoosesAsync(completed, "support", "Support");
        await flows.WritesAsync(keyword, "agent");
        using (var api = App.ClientWithKey(flows.Tenant.ApiKey))
        {
            using var reply = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{flows.Tenant.Id}/conversations/{await flows.ConversationIdAsync(takenOver)}/messages")
            {
                Content = JsonContent.Create(new { type = "text", text = "A person here." }),
            };
            reply.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await api.SendAsync(reply)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        foreach (var c in new[] { routed, completed, takenOver, keyword })
        {
            await flows.WaitForSessionAsync(c, s => s.State == FlowSessionState.Ended);
        }

        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var stats = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}/stats");
        var counted = stats!["items"]!.AsArray().ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => (n!["reached"]!.GetValue<long>(), n["dropped"]!.GetValue<long>(), n["handedOff"]!.GetValue<long>()));
        counted["menu"].Should().Be((4L, 1L, 1L), "all four saw the menu; an agent took one over there, one asked for a person there");
        counted["to-sales"].Should().Be((1L, 0L, 1L));
        counted["bye"].Should().Be((1L, 0L, 0L));

        await using var db = App.NewDbContext();
        var sessions = await db.FlowSessions.AsNoTracking().Where(s => s.TenantId == flows.Tenant.Id && s.FlowId == id && s.Version == 1).ToListAsync();
        var recount = counted.Keys.ToDictionary(node => node, node => (
            (long)sessions.Count(s => FlowStats.VisitedOf(s.Visited).Contains(node)),
            (long)sessions.Count(s => s.State == FlowSessionState.Ended && s.NodeId == node && FlowStats.OutcomeOf(s.EndReason) == "dropped"),
            (long)sessions.Count(s => s.State == FlowSessionState.Ended && s.NodeId == node && FlowStats.OutcomeOf(s.EndReason) == "handed_off")));
        counted.Should().BeEquivalentTo(recount);
    }
}

public sealed class FlowConsoleTests_Sqlite(SqliteOutboundFixture fixture) : FlowConsoleTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class FlowConsoleTests_Postgres(PostgresOutboundFixture fixture) : FlowConsoleTests(fixture), IClassFixture<PostgresOutboundFixture>;

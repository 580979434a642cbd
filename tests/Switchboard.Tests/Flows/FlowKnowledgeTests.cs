using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Flows;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;

namespace Switchboard.Tests.Flows;

/// <summary>The <c>knowledge</c> node (ADR 0045): the bot answers from the tenant's published articles, or follows its "no answer" branch.</summary>
public abstract class FlowKnowledgeTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    /// <summary>Asks for the question, answers it from the knowledge base, or routes to Support.</summary>
    private static object KnowledgeFlow(FlowScenario flows, double? minMatch = null) => new
    {
        name = "Questions",
        trigger = new { type = "new_conversation" },
        start = "ask",
        nodes = new object[]
        {
            new { id = "ask", type = "ask", text = "Hi! What is your question?", next = "kb" },
            new { id = "kb", type = "knowledge", minMatch, next = "more", noAnswer = "to-support" },
            new { id = "more", type = "text", text = "Type \"agent\" if you still need a person." },
            new { id = "to-support", type = "route", teamId = flows.Support, text = "Connecting you to Support." },
        },
    };

    private async Task<Guid> ArticleAsync(FlowScenario flows, string title, string body, bool published = true)
    {
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/kb/articles", new { title, body, published });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync())["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task A_question_the_knowledge_base_answers_gets_the_excerpt_and_link_and_one_it_does_not_goes_to_the_team()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        var article = await ArticleAsync(flows, "Returns and refunds", "Damaged orders can be **returned** within 30 days for a full refund. Keep the box.");
        await ArticleAsync(flows, "Damaged order refunds (draft)", "Unpublished: returned damaged orders get double refunds.", published: false);
        var flowId = await flows.PublishAsync(KnowledgeFlow(flows));

        var answered = FlowScenario.NewCustomer();
        await flows.WritesAsync(answered, "hello");
        (await flows.WaitForSendsAsync(answered, 1))[0]["text"]!["body"]!.GetValue<string>().Should().Be("Hi! What is your question?");
        await flows.WritesAsync(answered, "How do I return a damaged order?");
        var sent = await flows.WaitForSendsAsync(answered, 3);
        var answer = sent[1]["text"]!["body"]!.GetValue<string>();
        answer.Should().StartWith("Returns and refunds\n\n").And.Contain("Damaged orders can be returned within 30 days")
            .And.EndWith($"http://localhost/kb/{flows.Tenant.Id}/{article}").And.NotContain("double", "drafts are never answered from");
        sent[2]["text"]!["body"]!.GetValue<string>().Should().Be("Type \"agent\" if you still need a person.");
        (await flows.WaitForSessionAsync(answered, s => s.State == FlowSessionState.Ended)).EndReason.Should().Be("completed");
        (await flows.ConversationAsync(answered))["teamId"].Should().BeNull("an answered question needs no team");

        // "return" alone is a third of this question's words: below the default share of one half.
        var unanswered = FlowScenario.NewCustomer();
        await flows.WritesAsync(unanswered, "hi");
        await flows.WaitForSendsAsync(unanswered, 1);
        await flows.WritesAsync(unanswered, "Can I return my bicycle helmet?");
        (await flows.WaitForSendsAsync(unanswered, 2))[1]["text"]!["body"]!.GetValue<string>().Should().Be("Connecting you to Support.");
        (await flows.WaitForSessionAsync(unanswered, s => s.State == FlowSessionState.Ended)).EndReason.Should().Be("routed");
        (await flows.ConversationAsync(unanswered))["teamId"]!.GetValue<Guid>().Should().Be(flows.Support);
        await Task.Delay(300);
        flows.SentTo(unanswered).Should().HaveCount(2, "no article went out");

        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var stats = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/flows/{flowId}/stats");
        var byNode = stats!["items"]!.AsArray().ToDictionary(i => i!["nodeId"]!.GetValue<string>(), i => i!.AsObject());
        byNode["kb"]["reached"]!.GetValue<long>().Should().Be(2);
        byNode["more"]["reached"]!.GetValue<long>().Should().Be(1, "one question was answered");
        byNode["to-support"]["reached"]!.GetValue<long>().Should().Be(1, "one was not");
        byNode["to-support"]["handedOff"]!.GetValue<long>().Should().Be(1);
    }

    [Fact]
    public async Task The_test_console_answers_from_published_articles_and_a_lower_share_answers_more()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        var article = await ArticleAsync(flows, "Returns and refunds", "Damaged orders can be returned within 30 days for a full refund.");
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var strict = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows", KnowledgeFlow(flows));
        var strictId = (await strict.ReadJsonAsync())["id"]!.GetValue<Guid>();
        var lenient = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows", KnowledgeFlow(flows, minMatch: 0.3));
        var lenientId = (await lenient.ReadJsonAsync())["id"]!.GetValue<Guid>();
        // The console starts the flow as its trigger matched: the first input answers the question node.
        var inputs = new { inputs = new object[] { new { text = "Can I return my bicycle helmet?" } } };

        var refused = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{strictId}/test", inputs)).ReadJsonAsync();
        refused["path"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("ask", "kb", "to-support");
        refused["endReason"]!.GetValue<string>().Should().Be("routed");

        var answered = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{lenientId}/test", inputs)).ReadJsonAsync();
        answered["path"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("ask", "kb", "more");
        var reply = answered["messages"]!.AsArray().Single(m => m!["nodeId"]!.GetValue<string>() == "kb")!;
        reply["message"]!["text"]!.GetValue<string>().Should().StartWith("Returns and refunds").And.EndWith($"/kb/{flows.Tenant.Id}/{article}");

        await using var db = App.NewDbContext();
        (await db.Messages.CountAsync(m => m.TenantId == flows.Tenant.Id)).Should().Be(0, "the console sends nothing");
    }

    [Fact]
    public async Task A_knowledge_node_needs_a_no_answer_branch_and_a_share_between_0_and_1()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows", new
        {
            name = "Broken",
            trigger = new { type = "new_conversation" },
            nodes = new object[] { new { id = "kb", type = "knowledge", minMatch = 1.5, next = "gone" } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo("nodes[0].minMatch", "nodes[0].noAnswer", "nodes[0].next");
        (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/flows"))!["items"]!.AsArray().Should().BeEmpty();
    }
}

public sealed class FlowKnowledgeTests_Sqlite(SqliteOutboundFixture fixture) : FlowKnowledgeTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class FlowKnowledgeTests_Postgres(PostgresOutboundFixture fixture) : FlowKnowledgeTests(fixture), IClassFixture<PostgresOutboundFixture>;

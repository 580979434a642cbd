using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Flows;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Flows;

/// <summary>Flows as documents: validation with field errors, drafts, published versions, audit (ADR 0029).</summary>
public abstract class FlowsApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_flow_that_could_not_run_or_that_WhatsApp_would_refuse_is_refused_with_field_errors_and_nothing_stored()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var flow = new
        {
            name = "Broken",
            trigger = new { type = "keyword", keywords = Array.Empty<string>() },
            nodes = new object[]
            {
                new { id = "menu", type = "buttons", text = "Pick", buttons = new object[]
                {
                    new { id = "a", title = "A title far longer than twenty", next = "end" },
                    new { id = "b", title = "B", next = (string?)null },
                    new { id = "c", title = "C", next = "nowhere" },
                } },
                new { id = "list", type = "list", text = new string('x', 1025), button = "Open", rows = Enumerable.Range(1, 11).Select(i => new { id = $"r{i}", title = $"Row {i}", next = "end" }).ToArray() },
                new { id = "end", type = "end" },
                new { id = "lost", type = "text", text = "Nobody comes here", next = "end" },
            },
        };

        var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/flows", flow);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().Contain(
        [
            "trigger.keywords", "nodes[0].buttons[0].title", "nodes[0].buttons[1].next", "nodes[0].buttons[2].next",
            "nodes[1].text", "nodes[1].rows",
        ]);
        await using var db = App.NewDbContext();
        (await db.Flows.CountAsync(f => f.TenantId == tenant.Id)).Should().Be(0);

        var fixedButUnreachable = new
        {
            name = "Unreachable",
            trigger = new { type = "new_conversation" },
            nodes = new object[] { new { id = "hi", type = "text", text = "Hello", next = (string?)null }, new { id = "lost", type = "end" } },
        };
        var unreachable = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/flows", fixedButUnreachable)).ReadJsonAsync();
        unreachable["errors"]!["nodes[1]"]![0]!.GetValue<string>().Should().Contain("cannot be reached");
    }

    [Fact]
    public async Task A_draft_is_saved_published_as_numbered_versions_and_audited()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        object Flow(string text) => new { name = "Welcome", trigger = new { type = "new_conversation" }, nodes = new object[] { new { id = "hi", type = "text", text } } };

        var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/flows", Flow("Hello"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var flow = await created.ReadJsonAsync();
        flow["status"]!.GetValue<string>().Should().Be("draft");
        flow["handoffKeywords"]!.AsArray().Select(k => k!.GetValue<string>()).Should().Equal("agent", "human");
        var id = flow["id"]!.GetValue<Guid>();

        (await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/flows/{id}/publish", null)).ReadJsonAsync())["publishedVersion"]!.GetValue<int>().Should().Be(1);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/flows/{id}", Flow("Hello again"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var draft = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/flows/{id}");
        draft!["nodes"]![0]!["text"]!.GetValue<string>().Should().Be("Hello again");
        draft["publishedVersion"]!.GetValue<int>().Should().Be(1, "a saved draft does not change what runs");
        (await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/flows/{id}/publish", null)).ReadJsonAsync())["publishedVersion"]!.GetValue<int>().Should().Be(2);

        var list = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/flows");
        list!["items"]!.AsArray().Should().ContainSingle();
        await using var db = App.NewDbContext();
        (await db.FlowVersions.Where(v => v.TenantId == tenant.Id).Select(v => v.Version).OrderBy(v => v).ToListAsync()).Should().Equal(1, 2);
        var audit = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/audit");
        audit!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Should().Contain(["flow.created", "flow.updated", "flow.published"]);
    }
}

public sealed class FlowsApiTests_Sqlite(SqliteAppFixture fixture) : FlowsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class FlowsApiTests_Postgres(PostgresAppFixture fixture) : FlowsApiTests(fixture), IClassFixture<PostgresAppFixture>;

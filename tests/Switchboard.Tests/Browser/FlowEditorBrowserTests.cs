using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The flow editor, its test console and the automation page in real Chromium (issue 18 items 5, 6; ADR 0041).</summary>
[Collection(BrowserSuite.Name)]
public sealed class FlowEditorBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_builds_a_two_node_flow_sees_its_errors_at_the_node_and_publishes_it()
    {
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var page = await FlowsPageAsync();

        await page.GetByTestId("new-flow").ClickAsync();
        await ChangeAsync(page.GetByTestId("flow-name"), $"Browser flow {suffix}");
        await page.GetByTestId("flow-trigger").SelectOptionAsync("keyword");
        await ChangeAsync(page.GetByTestId("flow-keywords"), $"browser{suffix}");
        await page.GetByTestId("add-node-kind").SelectOptionAsync("handoff");
        await page.GetByTestId("add-node").ClickAsync();
        var handoff = page.Locator("[data-testid=node-card][data-kind=handoff]");
        await Expect(handoff).ToHaveCountAsync(1);
        var handoffId = await handoff.GetAttributeAsync("data-node-id");

        await page.GetByTestId("validate-flow").ClickAsync();
        await Expect(handoff.GetByTestId("node-errors")).ToContainTextAsync("cannot be reached");

        var welcome = page.Locator("[data-testid=node-card][data-node-id=welcome]");
        await welcome.GetByTestId("node-next").SelectOptionAsync(handoffId!);
        await page.GetByTestId("validate-flow").ClickAsync();
        await Expect(page.GetByTestId("flows-notice")).ToHaveTextAsync("The flow is valid.");
        await Expect(page.GetByTestId("node-errors")).ToHaveCountAsync(0);
        await Expect(page.Locator($"[data-testid=graph-edge][data-from=welcome][data-to='{handoffId}']")).ToHaveCountAsync(1);
        await Expect(welcome.GetByTestId("bubble")).ToContainTextAsync("How can we help?");

        // Publishing a new flow opens its own address; what lasts is its status and its one version.
        await page.GetByTestId("publish-flow").ClickAsync();
        await Expect(page.GetByTestId("flow-status")).ToHaveTextAsync("version 1 running", new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("version-row")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Expect(page.Locator("[data-testid=flow-row]", new() { HasText = $"Browser flow {suffix}" })).ToHaveCountAsync(1);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/flows/[0-9a-f-]{36}$"));
        var flowAddress = page.Url;
        await BrowserFixture.ScreenshotAsync(page, "flow-editor");

        // The address is a history entry of its own: back shows the list alone, forward the flow again (ADR 0063).
        await page.GoBackAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/flows$"));
        await Expect(page.GetByTestId("flow-editor")).ToHaveCountAsync(0);
        await page.GoForwardAsync();
        await Expect(page).ToHaveURLAsync(flowAddress);
        await Expect(page.GetByTestId("flow-status")).ToHaveTextAsync("version 1 running");
        await Expect(page.GetByTestId("flow-name")).ToHaveValueAsync($"Browser flow {suffix}");
    }

    [Fact]
    public async Task The_test_console_walks_a_department_menu_and_shows_the_list_menu_and_the_route()
    {
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var admin = fixture.ApiClient(fixture.DemoTenantKey);
        var tenant = $"/api/v1/tenants/{BrowserFixture.DemoTenantId}";
        using var team = await admin.PostAsJsonAsync($"{tenant}/teams", new { name = $"Plant care {suffix}", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 3 });
        team.StatusCode.Should().Be(HttpStatusCode.Created, await team.Content.ReadAsStringAsync());
        var teamId = (await team.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        // A keyword flow, published: the demo's other tests never write its keyword.
        using var created = await admin.PostAsJsonAsync($"{tenant}/flows", new
        {
            name = $"Menu {suffix}",
            trigger = new { type = "keyword", keywords = new[] { $"menu{suffix}" } },
            start = "menu",
            nodes = new object[]
            {
                new { id = "menu", type = "list", text = "What can we help you with?", button = "Departments", rows = new object[]
                {
                    new { id = "orders", title = "Orders", next = "bye" },
                    new { id = "care", title = "Plant care", next = "to-care" },
                } },
                new { id = "to-care", type = "route", teamId },
                new { id = "bye", type = "end" },
            },
        });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        (await admin.PostAsync($"{tenant}/flows/{flowId}/publish", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        // The row's link opens the flow inside the page and puts its address in the browser's (ADR 0063).
        var page = await FlowsPageAsync();
        await page.Locator("[data-testid=flow-row] a", new() { HasText = $"Menu {suffix}" }).ClickAsync();
        await Expect(page.Locator("[data-testid=node-card][data-node-id=menu]")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/admin/flows/{flowId}$"));

        await ChangeAsync(page.GetByTestId("test-inputs"), "#care");
        await page.GetByTestId("run-test").ClickAsync();

        var result = page.GetByTestId("test-result");
        await Expect(result).ToHaveAttributeAsync("data-state", "ended");
        await Expect(result.GetByTestId("bubble-row")).ToHaveCountAsync(2);
        await Expect(result.GetByTestId("bubble-list-button")).ToContainTextAsync("Departments");
        await Expect(result.GetByTestId("test-input")).ToHaveTextAsync("#care");
        await Expect(result.GetByTestId("test-event")).ToHaveTextAsync($"Queued for Plant care {suffix}");
        await Expect(page.GetByTestId("test-path")).ToHaveTextAsync("Path: menu → to-care");
        await Expect(page.GetByTestId("node-stats").First).ToContainTextAsync("Reached 0");
        await BrowserFixture.ScreenshotAsync(page, "flow-test-console");
    }

    [Fact]
    public async Task An_admin_creates_automation_rules_turns_one_off_and_moves_it_up()
    {
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);
        await page.GetByTestId("nav-automation").ClickAsync();
        await Expect(page.Locator("[data-testid=automation-page][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        await fixture.StepAsync(page, "Saving an empty rule", page.GetByTestId("automation-page"), async () =>
        {
            await page.GetByTestId("rule-save").ClickAsync();
            await Expect(page.GetByTestId("rule-errors")).ToBeVisibleAsync();
        });

        async Task CreateAsync(string name)
        {
            await ChangeAsync(page.GetByTestId("rule-name"), name);
            await page.GetByTestId("rule-event").SelectOptionAsync("conversation_resolved");
            await page.GetByTestId("rule-add-action").ClickAsync();
            await ChangeAsync(page.GetByTestId("rule-action").GetByTestId("rule-value"), "Resolved by the browser test");
            await page.GetByTestId("rule-save").ClickAsync();
            await Expect(page.Locator("[data-testid=rule-row]", new() { HasText = name })).ToHaveCountAsync(1);
        }

        await CreateAsync($"First {suffix}");
        await Expect(page.GetByTestId("automation-notice")).ToHaveTextAsync("Rule created.");
        await CreateAsync($"Second {suffix}");
        var second = page.Locator("[data-testid=rule-row]", new() { HasText = $"Second {suffix}" });
        await second.GetByTestId("rule-enabled").ClickAsync();
        await Expect(second).ToContainTextAsync("off");

        var rows = page.GetByTestId("rule-row");
        var first = (await rows.AllInnerTextsAsync()).ToList().FindIndex(t => t.Contains($"First {suffix}", StringComparison.Ordinal));
        await second.GetByTestId("rule-up").ClickAsync();
        await Expect(rows.Nth(first)).ToContainTextAsync($"Second {suffix}");
        await Expect(rows.Nth(first + 1)).ToContainTextAsync($"First {suffix}");

        // Off again, so the demo's other tests resolve conversations without these notes.
        var firstRow = page.Locator("[data-testid=rule-row]", new() { HasText = $"First {suffix}" });
        await firstRow.GetByTestId("rule-enabled").ClickAsync();
        await Expect(firstRow).ToContainTextAsync("off");
        await BrowserFixture.ScreenshotAsync(page, "automation");
    }

    [Fact]
    public async Task A_knowledge_node_from_the_palette_needs_its_no_answer_branch_and_draws_it()
    {
        var page = await FlowsPageAsync();
        await page.GetByTestId("new-flow").ClickAsync();
        await page.GetByTestId("add-node-kind").SelectOptionAsync("handoff");
        await page.GetByTestId("add-node").ClickAsync();
        await page.GetByTestId("add-node-kind").SelectOptionAsync("knowledge");
        await page.GetByTestId("add-node").ClickAsync();
        var knowledge = page.Locator("[data-testid=node-card][data-kind=knowledge]");
        var knowledgeId = await knowledge.GetAttributeAsync("data-node-id");
        var handoffId = await page.Locator("[data-testid=node-card][data-kind=handoff]").GetAttributeAsync("data-node-id");
        await page.Locator("[data-testid=node-card][data-node-id=welcome]").GetByTestId("node-next").SelectOptionAsync(knowledgeId!);

        await page.GetByTestId("validate-flow").ClickAsync();
        await Expect(knowledge.Locator("[data-testid=node-errors] [data-field$=noAnswer]")).ToHaveCountAsync(1);

        await knowledge.GetByTestId("node-no-answer").SelectOptionAsync(handoffId!);
        await ChangeAsync(knowledge.GetByTestId("node-min-match"), "0.6");
        await page.GetByTestId("validate-flow").ClickAsync();
        await Expect(page.GetByTestId("flows-notice")).ToHaveTextAsync("The flow is valid.");
        await Expect(page.Locator($"[data-testid=graph-edge][data-from='{knowledgeId}'][data-to='{handoffId}']")).ToHaveCountAsync(1);
    }

    private async Task<IPage> FlowsPageAsync()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);
        await page.GetByTestId("nav-flows").ClickAsync();
        await Expect(page.Locator("[data-testid=flows-page][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return page;
    }

    /// <summary>Fills a field bound on change (Blazor's <c>@bind</c>) and lets the page see it.</summary>
    private static async Task ChangeAsync(ILocator field, string value)
    {
        await field.FillAsync(value);
        await field.DispatchEventAsync("change");
    }
}

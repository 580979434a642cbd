using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>
/// The demo as the README runs it, welcome flow included (ADR 0045): on the simulator's customer phone a new customer
/// gets the department list, taps a row and lands in that team's queue. Its own demo server: the shared one runs
/// without the welcome flow, because its tests expect conversations to wait for a person.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class DemoWelcomeFlowBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_new_customer_on_the_simulator_phone_gets_the_department_list_and_a_pick_routes_to_that_team()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "demo-welcome-" + Guid.NewGuid().ToString("N"));
        var tenantId = Guid.CreateVersion7();
        await using var server = await SwitchboardProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Switchboard:Demo"] = "true",
                ["Switchboard:Demo:TenantId"] = tenantId.ToString(),
                ["Switchboard:DataDirectory"] = dataDirectory,
                ["Switchboard:Database:Provider"] = "sqlite",
            },
            SwitchboardProcess.FreePort());
        using var api = server.CreateClient();
        var key = await Eventually.PollAsync(() => Task.FromResult(File.Exists(Path.Combine(dataDirectory, "demo-tenant.key")) ? File.ReadAllText(Path.Combine(dataDirectory, "demo-tenant.key")).Trim() : null));
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var flow = await Eventually.PollAsync(async () =>
            (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/flows"))!["items"]!.AsArray().FirstOrDefault(f => f!["publishedVersion"] is not null), seconds: 60);
        flow!["name"]!.GetValue<string>().Should().Be("Welcome");
        var teams = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/teams"))!["items"]!.AsArray()
            .ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["id"]!.GetValue<Guid>());
        teams.Keys.Should().Contain("Orders").And.Contain("Plant care");

        var waId = "1555" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var phone = await (await fixture.NewContextAsync(baseAddress: server.BaseAddress)).NewPageAsync();
        await phone.GotoAsync("/simulator/");
        await Expect(phone.Locator("#number option")).ToHaveCountAsync(1);
        await phone.Locator("#waid").FillAsync(waId);
        await phone.Locator("#name").FillAsync("Welcome Tester");
        await phone.Locator("#text").FillAsync("Hello!");
        await phone.Locator("#composer button[type=submit]").ClickAsync();

        var menu = phone.Locator("#chat .line.business", new() { HasText = "Thanks for writing to Green Corner" });
        await Expect(menu).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(menu.Locator("button[data-kind=list_reply]")).ToHaveTextAsync(new[] { "Orders and delivery", "Plant care" });
        await BrowserFixture.ScreenshotAsync(phone, "demo-welcome-list");
        await menu.Locator("button[data-id=care]").ClickAsync();
        await Expect(phone.Locator("#chat .line.business", new() { HasText = "A plant-care expert will answer you here shortly." })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var conversation = await Eventually.PollAsync(async () =>
            (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations"))!["items"]!.AsArray()
                .FirstOrDefault(c => c!["contact"]!["waId"]!.GetValue<string>() == waId && c["teamId"] is not null));
        conversation!["teamId"]!.GetValue<Guid>().Should().Be(teams["Plant care"]);
        conversation["assigneeId"].Should().BeNull("it waits in the team's queue for a person");
        var messages = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{conversation["id"]}/messages"))!["items"]!.AsArray();
        messages.Where(m => m!["direction"]!.GetValue<string>() == "outbound").Should().HaveCount(2).And.OnlyContain(m => m!["author"]!.GetValue<string>() == "bot");

        // The seeded customers came before the flow: their conversations are as the seed left them.
        var sheena = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations"))!["items"]!.AsArray()
            .Single(c => c!["contact"]!["waId"]!.GetValue<string>() == "16505551234")!;
        var seeded = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{sheena["id"]}/messages"))!["items"]!.AsArray();
        seeded.Should().NotContain(m => m!["author"] != null && m["author"]!.GetValue<string>() == "bot");
    }
}

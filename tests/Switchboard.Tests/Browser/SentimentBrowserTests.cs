using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>
/// Sentiment end to end (issue 21 item 5): customers write through the simulator's signed webhooks, the assistant's
/// local model scores them, and the inbox shows the badges in the list and the conversation, none while it is off.
/// Its own demo server: the shared one's demo tenant must keep its assistant off for the other browser tests.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class SentimentBrowserTests(BrowserFixture fixture)
{
    private const string PhoneNumberId = "100000000000001";

    [Fact]
    public async Task Badges_show_the_customers_sentiment_in_the_list_and_the_conversation_while_the_assistant_is_on()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "sentiment-" + Guid.NewGuid().ToString("N"));
        var tenantId = Guid.CreateVersion7();
        var server = await SwitchboardProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Switchboard:Demo"] = "true",
                ["Switchboard:Demo:TenantId"] = tenantId.ToString(),
                ["Switchboard:Demo:Password"] = BrowserFixture.DemoPassword,
                ["Switchboard:Demo:WelcomeFlow"] = "false",
                ["Switchboard:DataDirectory"] = dataDirectory,
                ["Switchboard:Database:Provider"] = "sqlite",
            },
            SwitchboardProcess.FreePort());
        try
        {
            using var api = server.CreateClient();
            var key = await Eventually.PollAsync(() => Task.FromResult(File.Exists(Path.Combine(dataDirectory, "demo-tenant.key")) ? File.ReadAllText(Path.Combine(dataDirectory, "demo-tenant.key")).Trim() : null));
            api.DefaultRequestHeaders.Authorization = new("Bearer", key);

            // The demo connects its number in the background at start-up; until then the simulator's webhooks answer 401.
            await Eventually.PollAsync(async () =>
                (await api.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{tenantId}/channels"))!["items"]!.AsArray().FirstOrDefault(), seconds: 60);
            await SetAssistantAsync(api, tenantId, enabled: true);

            var angry = await CustomerWritesAsync(server, "Angry", "Worst experience ever, terrible service. I am very disappointed and angry.");
            var happy = await CustomerWritesAsync(server, "Happy", "Thank you so much, excellent service, I love it!");

            var context = await fixture.NewContextAsync(baseAddress: server.BaseAddress);
            var page = await context.NewPageAsync();
            await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
            await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            var items = page.Locator("[data-testid=conversation-item]");
            var angryItem = items.Filter(new() { HasText = angry });
            var happyItem = items.Filter(new() { HasText = happy });
            await Expect(angryItem.GetByTestId("list-sentiment")).ToHaveAttributeAsync("data-sentiment", "negative", new() { Timeout = 15_000 });
            await Expect(happyItem.GetByTestId("list-sentiment")).ToHaveAttributeAsync("data-sentiment", "positive", new() { Timeout = 15_000 });

            await angryItem.Locator("a").ClickAsync();
            await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(angry);
            var inbound = page.Locator("[data-testid=message][data-direction=inbound]");
            await Expect(inbound.GetByTestId("message-sentiment")).ToHaveAttributeAsync("data-sentiment", "negative");
            await Expect(page.GetByTestId("conversation-sentiment")).ToHaveTextAsync("Sentiment: negative");
            await BrowserFixture.ScreenshotAsync(page, "inbox-sentiment-negative");

            await happyItem.Locator("a").ClickAsync();
            await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(happy);
            await Expect(inbound.GetByTestId("message-sentiment")).ToHaveAttributeAsync("data-sentiment", "positive");
            await Expect(page.GetByTestId("conversation-sentiment")).ToHaveTextAsync("Sentiment: positive");

            // Off: a new customer's message is not scored, and what was scored before is no longer shown.
            await SetAssistantAsync(api, tenantId, enabled: false);
            var plain = await CustomerWritesAsync(server, "Unscored", "Terrible, awful, the worst.");
            await page.ReloadAsync();
            await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Expect(items.Filter(new() { HasText = plain })).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Expect(page.GetByTestId("list-sentiment")).ToHaveCountAsync(0);
            await items.Filter(new() { HasText = plain }).Locator("a").ClickAsync();
            await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(plain);
            await Expect(inbound).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("message-sentiment")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("conversation-sentiment")).ToHaveCountAsync(0);
            await angryItem.Locator("a").ClickAsync();
            await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(angry);
            await Expect(inbound).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("message-sentiment")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("conversation-sentiment")).ToHaveCountAsync(0);
        }
        finally
        {
            await server.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task SetAssistantAsync(HttpClient api, Guid tenantId, bool enabled)
    {
        var response = await api.PutAsJsonAsync($"/api/v1/tenants/{tenantId}/ai", new { enabled, provider = "local" });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A new customer writes from the simulator's phone (a signed webhook to the server); returns their name.</summary>
    private static async Task<string> CustomerWritesAsync(SwitchboardProcess server, string label, string text)
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        var name = $"{label} {suffix}";
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var response = await http.PostAsJsonAsync($"/simulator/api/customers/1557{suffix}/messages", new { type = "text", text, phoneNumberId = PhoneNumberId, name });
        response.EnsureSuccessStatusCode();
        return name;
    }
}

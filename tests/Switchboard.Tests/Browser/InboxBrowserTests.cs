using System.Net.Http.Json;
using Microsoft.Playwright;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The agent's day in real Chromium against a real server: live inbox, replies with ticks, media, the 24-hour window.</summary>
[Collection(BrowserSuite.Name)]
public sealed class InboxBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";
    private const string DemoAppSecret = "demo-app-secret";

    [Fact]
    public async Task A_customer_message_appears_live_and_the_agents_reply_ticks_up_to_read()
    {
        var page = await SignedInAgentAsync();
        var (waId, name) = NewCustomer("Live");

        await CustomerSendsAsync(waId, name, new { type = "text", text = "Is my order on its way?" });

        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(item.Locator("[data-testid=last-preview]")).ToContainTextAsync("Is my order on its way?");
        await BrowserFixture.ScreenshotAsync(page, "inbox-live");

        await item.Locator("a").ClickAsync();
        await Expect(page.Locator("[data-testid=conversation-title]")).ToHaveTextAsync(name);
        await page.Locator("[data-testid=composer-input]").FillAsync("Yes! It ships today.");
        await page.Locator("[data-testid=send]").ClickAsync();

        var reply = page.Locator("[data-testid=message][data-direction=outbound]", new() { HasText = "Yes! It ships today." });
        await Expect(reply).ToBeVisibleAsync();
        await Expect(reply.Locator("[data-testid=ticks]")).ToHaveAttributeAsync("data-status", "read", new() { Timeout = 30_000 });
        await BrowserFixture.ScreenshotAsync(page, "conversation-read");
    }

    [Fact]
    public async Task A_photo_from_a_customer_renders_inline_through_the_authorised_media_endpoint()
    {
        var page = await SignedInAgentAsync();
        var (waId, name) = NewCustomer("Photo");

        await CustomerSendsAsync(waId, name, new { type = "image", text = "Look at this" });
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();

        var image = page.Locator("img[data-testid=media-image]");
        await Expect(image).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('img[data-testid=media-image]'); return i && i.complete && i.naturalWidth > 0; }", null, new() { Timeout = 20_000 });
        (await image.GetAttributeAsync("src"))!.Should().StartWith($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/media/");
        await BrowserFixture.ScreenshotAsync(page, "conversation-media");
    }

    [Fact]
    public async Task When_the_24_hour_window_has_closed_the_composer_is_disabled_with_an_explanation()
    {
        var (waId, name) = NewCustomer("Closed");
        var twoDaysAgo = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeSeconds();
        var body = WebhookPayloads.Messages(DemoPhoneNumberId, new WebhookPayloads.Inbound("wamid." + Guid.NewGuid().ToString("N"), waId, "I wrote a while ago", twoDaysAgo, name));
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            // The demo seeds its number in the background at start-up: until then the signature has no channel (401).
            await Eventually.PollValueAsync<bool>(async () =>
                (await http.PostWebhookAsync(BrowserFixture.DemoTenantId, body, WebhookSender.Sign(body, DemoAppSecret))).IsSuccessStatusCode ? true : null);
        }

        var page = await SignedInAgentAsync();
        await page.Locator("[data-testid=filter-status-any]").ClickAsync();
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();

        await Expect(page.Locator("[data-testid=conversation-title]")).ToHaveTextAsync(name);
        try
        {
            await Expect(page.Locator("[data-testid=window-closed]")).ToBeVisibleAsync();
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(page, "failure-window-closed");
            throw;
        }

        await Expect(page.Locator("[data-testid=composer-input]")).ToBeDisabledAsync();
        await Expect(page.Locator("[data-testid=window-countdown]")).ToContainTextAsync("closed");
        await page.Locator("[data-testid=mode-note]").ClickAsync();
        await Expect(page.Locator("[data-testid=composer-input]")).ToBeEnabledAsync();
        await BrowserFixture.ScreenshotAsync(page, "conversation-window-closed");
    }

    [Fact]
    public async Task The_agent_quotes_a_message_writes_an_internal_note_and_resolves_the_conversation()
    {
        var page = await SignedInAgentAsync();
        var (waId, name) = NewCustomer("Compose");
        await CustomerSendsAsync(waId, name, new { type = "text", text = "Can I change my delivery address?" });
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await page.Locator("[data-testid=assign-me]").ClickAsync();
        await Expect(page.Locator("[data-testid=unassign]")).ToBeVisibleAsync();

        var inbound = page.Locator("[data-testid=message][data-direction=inbound]", new() { HasText = "Can I change my delivery address?" });
        await inbound.HoverAsync();
        await inbound.Locator("[data-testid=reply]").ClickAsync();
        await Expect(page.Locator("[data-testid=replying-to]")).ToContainTextAsync("delivery address");
        await page.Locator("[data-testid=composer-input]").FillAsync("Sure — what is the new address?");
        await page.Locator("[data-testid=send]").ClickAsync();
        var reply = page.Locator("[data-testid=message][data-direction=outbound]", new() { HasText = "what is the new address?" });
        await Expect(reply.Locator("[data-testid=quote]")).ToContainTextAsync("Can I change my delivery address?");

        await page.Locator("[data-testid=mode-note]").ClickAsync();
        await page.Locator("[data-testid=composer-input]").FillAsync("Customer moved last week; check the CRM.");
        await page.Locator("[data-testid=send]").ClickAsync();
        await Expect(page.Locator("[data-testid=message][data-type=note]", new() { HasText = "check the CRM" })).ToBeVisibleAsync();

        await page.Locator("[data-testid=resolve]").ClickAsync();
        await Expect(page.Locator("[data-testid=conversation-status]")).ToHaveTextAsync("resolved");
        await Expect(page.Locator("[data-testid=reopen]")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "conversation-composer");
    }

    [Fact]
    public async Task The_agent_sends_a_photo_and_reacts_to_the_customers_message()
    {
        var page = await SignedInAgentAsync();
        var (waId, name) = NewCustomer("Attach");
        await CustomerSendsAsync(waId, name, new { type = "text", text = "What colour is it?" });
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await Expect(page.Locator("[data-testid=conversation-title]")).ToHaveTextAsync(name);

        // A real 1×1 PNG.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        // InputFile wires its change handler once its script ran after render: pick the file again until the page took it.
        for (var attempt = 0; attempt < 5 && await page.Locator("[data-testid=attachment-name]").CountAsync() == 0; attempt++)
        {
            await page.Locator("[data-testid=attach]").SetInputFilesAsync(new FilePayload { Name = "colour.png", MimeType = "image/png", Buffer = png });
            await page.WaitForTimeoutAsync(500 * (attempt + 1));
        }

        await Expect(page.Locator("[data-testid=attachment-name]")).ToContainTextAsync("colour.png");
        await page.Locator("[data-testid=composer-input]").FillAsync("This green");
        await page.Locator("[data-testid=send]").ClickAsync();
        var photo = page.Locator("[data-testid=message][data-direction=outbound][data-type=image]", new() { HasText = "This green" });
        await Expect(photo.Locator("[data-testid=ticks]")).ToHaveAttributeAsync("data-status", "read", new() { Timeout = 30_000 });

        var inbound = page.Locator("[data-testid=message][data-direction=inbound]", new() { HasText = "What colour is it?" });
        await inbound.HoverAsync();
        await inbound.Locator("button[title='React 👍']").ClickAsync();
        await Expect(page.Locator("[data-testid=composer-error]")).ToHaveCountAsync(0);
        var conversationId = new Uri(page.Url).Segments[^1];
        using var api = fixture.ApiClient(fixture.DemoTenantKey);
        var reaction = await Eventually.PollAsync(async () =>
        {
            var messages = await api.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/conversations/{conversationId}/messages");
            return messages!["items"]!.AsArray().FirstOrDefault(m => m!["type"]!.GetValue<string>() == "reaction" && m["direction"]!.GetValue<string>() == "outbound");
        });
        reaction!["text"]!.GetValue<string>().Should().Contain("👍");
        await BrowserFixture.ScreenshotAsync(page, "conversation-attachment");
    }

    private async Task<IPage> SignedInAgentAsync()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
        await page.GotoAsync("/");
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return page;
    }

    private async Task CustomerSendsAsync(string waId, string name, object message)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(message))!.AsObject();
        body["phoneNumberId"] = DemoPhoneNumberId;
        body["name"] = name;
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var response = await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", body);
        response.EnsureSuccessStatusCode();
    }

    private static (string WaId, string Name) NewCustomer(string label)
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ("1555" + suffix, $"{label} {suffix}");
    }
}

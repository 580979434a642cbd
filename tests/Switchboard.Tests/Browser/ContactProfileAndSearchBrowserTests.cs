using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The contact panel (name, attributes, notes, earlier conversations) and message search, in real Chromium.</summary>
[Collection(BrowserSuite.Name)]
public sealed class ContactProfileAndSearchBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";

    [Fact]
    public async Task An_agent_edits_the_contact_and_adds_a_note_and_another_agents_panel_follows()
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = "school_" + suffix;
        using (var api = fixture.ApiClient(fixture.DemoTenantKey))
        {
            (await api.PostAsJsonAsync($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/contact-attributes", new { key, label = "School " + suffix, type = "list", options = new[] { "North", "South" } }))
                .EnsureSuccessStatusCode();
        }

        var (waId, name) = ("1555" + suffix, "Profile " + suffix);
        await CustomerSendsAsync(waId, name, "Hello, about my enrolment");
        var agent = await SignedInAsync("agent@demo.test");
        var watcher = await SignedInAsync("admin@demo.test");
        foreach (var page in new[] { agent, watcher })
        {
            var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
            await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await item.Locator("a").ClickAsync();
            await Expect(page.Locator("[data-testid=contact-name]")).ToHaveTextAsync(name);
        }

        await agent.Locator("[data-testid=contact-edit-button]").ClickAsync();
        await agent.Locator("[data-testid=contact-name-input]").FillAsync("Renamed " + suffix);
        await agent.Locator($"[data-testid=attribute-input-{key}]").SelectOptionAsync("South");
        await agent.Locator("[data-testid=contact-save]").ClickAsync();
        await Expect(agent.Locator("[data-testid=contact-name]")).ToHaveTextAsync("Renamed " + suffix);
        await Expect(agent.Locator($"[data-testid=attribute-{key}]")).ToHaveTextAsync("South");
        await Expect(agent.Locator("[data-testid=contact-profile-name]")).ToContainTextAsync(name);

        await agent.Locator("[data-testid=contact-note-input]").FillAsync("Called back about fees " + suffix);
        await agent.Locator("[data-testid=contact-note-add]").ClickAsync();
        var note = agent.Locator("[data-testid=contact-note]", new() { HasText = "Called back about fees " + suffix });
        await Expect(note).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(agent, "contact-panel-edited");

        // The other agent's panel refreshes from the realtime event, without reloading the page.
        await Expect(watcher.Locator("[data-testid=contact-name]")).ToHaveTextAsync("Renamed " + suffix, new() { Timeout = 15_000 });
        await Expect(watcher.Locator($"[data-testid=attribute-{key}]")).ToHaveTextAsync("South");
        await Expect(watcher.Locator("[data-testid=contact-note]", new() { HasText = "Called back about fees " + suffix })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(watcher, "contact-panel-followed");
    }

    [Fact]
    public async Task A_number_of_the_wrong_type_is_refused_in_the_panel_naming_the_field()
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = "age_" + suffix;
        using (var api = fixture.ApiClient(fixture.DemoTenantKey))
        {
            (await api.PostAsJsonAsync($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/contact-attributes", new { key, label = "Age " + suffix, type = "number" })).EnsureSuccessStatusCode();
        }

        var (waId, name) = ("1555" + suffix, "Typed " + suffix);
        await CustomerSendsAsync(waId, name, "hi");
        var page = await SignedInAsync("agent@demo.test");
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await page.Locator("[data-testid=contact-edit-button]").ClickAsync();
        await page.Locator($"[data-testid=attribute-input-{key}]").FillAsync("seventeen");
        await page.Locator($"[data-testid=attribute-input-{key}]").BlurAsync();
        await page.Locator("[data-testid=contact-save]").ClickAsync();
        await Expect(page.Locator($"[data-testid='error-attributes.{key}']")).ToContainTextAsync("number");
    }

    [Fact]
    public async Task Search_finds_a_message_by_its_words_highlights_them_and_opens_the_conversation_at_it()
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (waId, name) = ("1555" + suffix, "Searched " + suffix);
        var word = "parcelzeta" + suffix;
        await CustomerSendsAsync(waId, name, $"My {word} arrived broken, can you help?");
        for (var i = 0; i < 12; i++)
        {
            await CustomerSendsAsync(waId, name, $"Filler message number {i} so the hit is not the newest");
        }

        var page = await SignedInAsync("agent@demo.test");
        await Expect(page.Locator("[data-testid=conversation-item]", new() { HasText = name })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator("[data-testid=nav-search]").ClickAsync();
        await Expect(page.Locator("[data-testid=search-page][data-interactive=true]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=message-search-input]").FillAsync($"{word.ToUpperInvariant()} Broken");
        await page.Locator("[data-testid=message-search-submit]").ClickAsync();

        var result = page.Locator("[data-testid=message-search-result]");
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator("[data-testid=search-hit]")).ToHaveTextAsync([word, "broken"]);
        await Expect(result).ToContainTextAsync(name);
        await BrowserFixture.ScreenshotAsync(page, "message-search");

        var messageId = await result.GetAttributeAsync("data-message-id");
        await result.Locator("a").ClickAsync();
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync();
        var target = page.Locator($"#m-{messageId}");
        await Expect(target).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("search-target"), new() { Timeout = 15_000 });
        await Expect(target).ToBeInViewportAsync();
        await BrowserFixture.ScreenshotAsync(page, "message-search-opened");
    }

    private async Task<IPage> SignedInAsync(string email)
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, email, BrowserFixture.DemoPassword);
        await page.GotoAsync("/");
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return page;
    }

    private async Task CustomerSendsAsync(string waId, string name, string text)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var response = await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", new { type = "text", text, phoneNumberId = DemoPhoneNumberId, name });
        response.EnsureSuccessStatusCode();
    }
}

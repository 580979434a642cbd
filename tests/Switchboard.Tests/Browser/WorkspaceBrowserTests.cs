using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>Canned responses from the composer's "/" picker (keyboard only) and labels from the header and the list, in real Chromium.</summary>
[Collection(BrowserSuite.Name)]
public sealed class WorkspaceBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";

    [Fact]
    public async Task Typing_a_slash_opens_a_filtered_picker_that_the_keyboard_alone_drives_and_fills_the_placeholders()
    {
        var suffix = Suffix();
        using var admin = fixture.ApiClient(fixture.DemoTenantKey);
        await CreateAsync(admin, "canned-responses", new { shortcut = $"greet{suffix}", text = "Hello {{contact.name}}, {{agent.name}} here. How can I help?" });
        await CreateAsync(admin, "canned-responses", new { shortcut = $"gone{suffix}", text = "We are closed today." });
        await CreateAsync(admin, "canned-responses", new { shortcut = $"zzz{suffix}", text = "Other" });
        var (waId, name) = NewCustomer("Canned");
        await CustomerSendsAsync(waId, name, "Hi, anyone there?");

        var page = await SignedInAgentAsync();
        await OpenAsync(page, name);
        var input = page.Locator("[data-testid=composer-input]");
        await input.FocusAsync();
        await input.PressSequentiallyAsync($"/g");

        var picker = page.Locator("[data-testid=canned-picker]");
        await Expect(picker).ToBeVisibleAsync();
        await input.PressSequentiallyAsync($"re");
        await Expect(picker.Locator("[data-testid=canned-option]").First).ToHaveAttributeAsync("data-shortcut", $"greet{suffix}");
        await input.PressSequentiallyAsync($"et{suffix}");
        await Expect(picker.Locator("[data-testid=canned-option]")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "canned-picker");

        // Esc closes the picker and leaves the text; Backspace and a character bring it back.
        await input.PressAsync("Escape");
        await Expect(picker).ToHaveCountAsync(0);
        await Expect(input).ToHaveValueAsync($"/greet{suffix}");
        await input.PressAsync("Backspace");
        await Expect(picker).ToBeVisibleAsync();

        // Down moves, Up moves back, Enter inserts the selected one, rendered for this conversation.
        await input.FillAsync("/");
        await input.PressSequentiallyAsync("g");
        await Expect(picker.Locator("[data-testid=canned-option]")).ToHaveCountAsync(2, new() { Timeout = 5_000 });
        var options = picker.Locator("[data-testid=canned-option]");
        var first = await options.Nth(0).GetAttributeAsync("data-shortcut");
        await input.PressAsync("ArrowDown");
        await Expect(options.Nth(1)).ToHaveAttributeAsync("aria-selected", "true");
        await input.PressAsync("ArrowUp");
        await Expect(options.Nth(0)).ToHaveAttributeAsync("aria-selected", "true");
        first.Should().Be($"gone{suffix}", "prefix matches are listed by shortcut");
        await input.PressAsync("ArrowDown");
        await input.PressAsync("Enter");

        await Expect(picker).ToHaveCountAsync(0);
        await Expect(input).ToHaveValueAsync($"Hello {name}, Demo Agent here. How can I help?");
        await Expect(input).ToBeFocusedAsync();
        await input.PressAsync("Control+Enter");
        await Expect(page.Locator("[data-testid=message][data-direction=outbound]", new() { HasText = $"Hello {name}, Demo Agent here." })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "canned-inserted");
    }

    [Fact]
    public async Task Labels_are_set_from_the_header_added_in_bulk_from_the_list_and_filter_the_inbox()
    {
        var suffix = Suffix();
        using var admin = fixture.ApiClient(fixture.DemoTenantKey);
        var vip = $"vip{suffix}";
        var billing = $"billing{suffix}";
        await CreateAsync(admin, "labels", new { name = vip, color = "#8250df" });
        await CreateAsync(admin, "labels", new { name = billing, color = "#0969da" });
        var (waOne, one) = NewCustomer("Label");
        var (waTwo, two) = NewCustomer("Label");
        var (waThree, three) = NewCustomer("Label");
        await CustomerSendsAsync(waOne, one, "I am a big customer");
        await CustomerSendsAsync(waTwo, two, "My invoice is wrong");
        await CustomerSendsAsync(waThree, three, "Also my invoice");

        var page = await SignedInAgentAsync();
        await OpenAsync(page, one);
        await page.Locator("[data-testid=labels-button]").ClickAsync();
        await page.Locator($"[data-testid=label-option][data-label='{vip}']").CheckAsync();

        await Expect(page.Locator($"[data-testid=conversation-labels] [data-label='{vip}']")).ToBeVisibleAsync();
        var itemOne = page.Locator("[data-testid=conversation-item]", new() { HasText = one });
        await Expect(itemOne.Locator($"[data-testid=label-chip][data-label='{vip}']")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "labels-header");
        await page.Locator("[data-testid=labels-button]").ClickAsync();
        await Expect(page.Locator("[data-testid=label-menu]")).ToHaveCountAsync(0);

        // Bulk: select two conversations in the list and add a label to both.
        var itemTwo = page.Locator("[data-testid=conversation-item]", new() { HasText = two });
        var itemThree = page.Locator("[data-testid=conversation-item]", new() { HasText = three });
        await itemTwo.Locator("[data-testid=select-conversation]").CheckAsync();
        await itemThree.Locator("[data-testid=select-conversation]").CheckAsync();
        await Expect(page.Locator("[data-testid=bulk-bar]")).ToContainTextAsync("2 selected");
        await page.Locator("[data-testid=bulk-label]").SelectOptionAsync(billing);
        await page.Locator("[data-testid=bulk-apply]").ClickAsync();
        await Expect(itemTwo.Locator($"[data-label='{billing}']")).ToBeVisibleAsync();
        await Expect(itemThree.Locator($"[data-label='{billing}']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=bulk-bar]")).ToHaveCountAsync(0);

        // The filter shows only the conversations carrying the label.
        await page.Locator("[data-testid=filter-label]").SelectOptionAsync(billing);
        var items = page.Locator("[data-testid=conversation-item]");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=conversation-item]", new() { HasText = one })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "labels-filter");

        // The API sees what the dashboard did.
        var labelled = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/conversations?label={billing}");
        labelled!["items"]!.AsArray().Select(c => c!["contact"]!["name"]!.GetValue<string>()).Should().BeEquivalentTo(two, three);

        // Unchecking in the header takes the label off.
        await page.Locator("[data-testid=filter-label]").SelectOptionAsync("");
        await OpenAsync(page, one);
        await page.Locator("[data-testid=labels-button]").ClickAsync();
        await page.Locator($"[data-testid=label-option][data-label='{vip}']").UncheckAsync();
        await Expect(page.Locator($"[data-testid=conversation-labels] [data-label='{vip}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_defines_labels_and_shared_replies_on_the_workspace_page_and_an_agent_adds_only_personal_ones()
    {
        var suffix = Suffix();
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);
        await page.Locator("[data-testid=nav-workspace]").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/workspace");

        await page.Locator("#label-name").FillAsync($"urgent{suffix}");
        await page.Locator("[data-testid=label-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator($"[data-testid=label-list] [data-label='urgent{suffix}']")).ToBeVisibleAsync();

        await page.Locator("#canned-shortcut").FillAsync($"thanks{suffix}");
        await page.Locator("#canned-text").FillAsync("Thank you, {{contact.name}}!");
        await page.Locator("[data-testid=canned-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator($"[data-testid=canned-row][data-shortcut='thanks{suffix}']")).ToContainTextAsync("everyone");
        await BrowserFixture.ScreenshotAsync(page, "workspace-page");

        using var admin = fixture.ApiClient(fixture.DemoTenantKey);
        var labels = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/labels");
        labels!["items"]!.AsArray().Should().Contain(l => l!["name"]!.GetValue<string>() == $"urgent{suffix}" && l["color"]!.GetValue<string>() == "#1f883d");

        var agent = await (await fixture.NewContextAsync()).NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent@demo.test", BrowserFixture.DemoPassword);
        await agent.GotoAsync("/admin/workspace");
        await Expect(agent.Locator("[data-testid=label-form]")).ToHaveCountAsync(0);
        await agent.Locator("#canned-shortcut").FillAsync($"mine{suffix}");
        await agent.Locator("#canned-text").FillAsync("Personal note");
        await agent.Locator("[data-testid=canned-form] button[type=submit]").ClickAsync();
        await Expect(agent.Locator($"[data-testid=canned-row][data-shortcut='mine{suffix}']")).ToContainTextAsync("mine");
        var shared = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/canned-responses");
        shared!["items"]!.AsArray().Select(c => c!["shortcut"]!.GetValue<string>()).Should().NotContain($"mine{suffix}", "the agent's reply is personal");
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

    private static async Task OpenAsync(IPage page, string name)
    {
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await Expect(page.Locator("[data-testid=conversation-title]")).ToHaveTextAsync(name);
    }

    private static async Task CreateAsync(HttpClient admin, string path, object body)
    {
        using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/{path}", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task CustomerSendsAsync(string waId, string name, string text)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var response = await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", new { type = "text", text, phoneNumberId = DemoPhoneNumberId, name });
        response.EnsureSuccessStatusCode();
    }

    private static string Suffix() => Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (string WaId, string Name) NewCustomer(string label)
    {
        var suffix = Suffix();
        return ("1555" + suffix + "7", $"{label} {suffix}");
    }
}

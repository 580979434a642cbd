using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>
/// The inbox as a team uses it all day (issue 16, items 5–8): keyboard shortcuts, drafts, rich replies, the agent's own
/// files and reactions, assignment and presence, the list past its first page, a phone's width and dark mode.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class InboxWorkflowBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";

    [Fact]
    public async Task Shortcuts_work_without_clicking_the_list()
    {
        var (waA, nameA) = NewCustomer("Keys A");
        var (waB, nameB) = NewCustomer("Keys B");
        await CustomerSendsAsync(waA, nameA, new { type = "text", text = "First" });
        await CustomerSendsAsync(waB, nameB, new { type = "text", text = "Second" });
        var page = await SignedInAsync("agent@demo.test");
        await WithFailureDumpAsync(page, "inbox-shortcuts", async () =>
        {
            await Expect(page.Locator("[data-testid=inbox][data-shortcuts=on]")).ToBeVisibleAsync();
            var items = page.Locator("[data-testid=conversation-item]");
            await Expect(items.Filter(new() { HasText = nameB })).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Expect(items.Filter(new() { HasText = nameA })).ToBeVisibleAsync(new() { Timeout = 15_000 });
            var list = page.GetByTestId("conversation-list");
            var title = page.GetByTestId("conversation-title");

            // Nothing was clicked: the page itself has the keyboard.
            // The demo's own conversations may still be arriving and shift the list: follow the focused item, not a position.
            var focusedItem = page.Locator("[data-testid=conversation-item][data-focused=true]");
            await page.Keyboard.PressAsync("j");
            await Expect(focusedItem).ToHaveCountAsync(1);
            var (first, firstName) = await FocusedAsync(focusedItem);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{first}$"));
            await Expect(title).ToHaveTextAsync(firstName);

            // The tab's title names the conversation, and the page still has the keys (Enter opened it inside the page, ADR 0057).
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(firstName)));
            await Expect(page.Locator("[data-testid=inbox][data-shortcuts=on]")).ToBeVisibleAsync();

            // j and k move from the open conversation, wherever the keyboard landed after Enter.
            await page.Keyboard.PressAsync("j");
            await Expect(focusedItem).Not.ToHaveAttributeAsync("data-conversation-id", first);
            await page.Keyboard.PressAsync("k");
            await Expect(focusedItem).ToHaveAttributeAsync("data-conversation-id", first);

            // In the list (Tab brings the keyboard there), the arrow keys move too.
            await list.FocusAsync();
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(focusedItem).Not.ToHaveAttributeAsync("data-conversation-id", first);
            await page.Keyboard.PressAsync("ArrowUp");
            await Expect(focusedItem).ToHaveAttributeAsync("data-conversation-id", first);
            await page.Keyboard.PressAsync("j");
            await Expect(focusedItem).Not.ToHaveAttributeAsync("data-conversation-id", first);
            var (second, secondName) = await FocusedAsync(focusedItem);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{second}$"));
            await Expect(title).ToHaveTextAsync(secondName);
            await Expect(focusedItem).ToHaveAttributeAsync("data-conversation-id", second);

            // The tab's title names the conversation, and the page still has the keys.
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(secondName)));
            await Expect(page.Locator("[data-testid=inbox][data-shortcuts=on]")).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("?");
            await Expect(page.GetByTestId("shortcuts-help")).ToBeVisibleAsync();
            await BrowserFixture.ScreenshotAsync(page, "inbox-shortcuts-help");
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.GetByTestId("shortcuts-help")).ToHaveCountAsync(0);

            // a and e act on the conversation on screen, which the address names (ADR 0044).
            await page.Keyboard.PressAsync("a");
            await Expect(page.GetByTestId("unassign")).ToBeVisibleAsync();
            using (var api = new HttpClient { BaseAddress = fixture.BaseAddress })
            {
                api.DefaultRequestHeaders.Authorization = new("Bearer", fixture.DemoTenantKey);
                var assigned = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/conversations/{second}");
                (assigned!["assigneeId"]?.ToString()).Should().NotBeNullOrEmpty();
            }

            await page.Keyboard.PressAsync("e");
            await Expect(page.GetByTestId("conversation-status")).ToHaveTextAsync("resolved");
            await Expect(title).ToHaveTextAsync(secondName);

            // r: write a reply.
            await page.Keyboard.PressAsync("r");
            await Expect(page.GetByTestId("composer-input")).ToBeFocusedAsync();
            await Expect(page.GetByTestId("composer-input")).ToHaveValueAsync("");

            // u: the next conversation with unread messages.
            await list.FocusAsync();
            var (waC, nameC) = NewCustomer("Keys C");
            await CustomerSendsAsync(waC, nameC, new { type = "text", text = "Unread one" });
            var unread = items.Filter(new() { HasText = nameC });
            await Expect(unread.GetByTestId("unread-badge")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            var unreadId = await unread.GetAttributeAsync("data-conversation-id");
            await page.Keyboard.PressAsync("u");
            await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{unreadId}$"));
            await Expect(title).ToHaveTextAsync(nameC);
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(nameC)));
            await Expect(page.Locator("[data-testid=inbox][data-shortcuts=on]")).ToBeVisibleAsync();

            // / opens the canned responses in the composer.
            await page.Keyboard.PressAsync("/");
            await Expect(page.GetByTestId("composer-input")).ToBeFocusedAsync();
            await Expect(page.GetByTestId("composer-input")).ToHaveAttributeAsync("data-picker", "open");

            // The keys made history entries: back and forward open the conversations their addresses name.
            await page.GoBackAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{second}$"));
            await Expect(title).ToHaveTextAsync(secondName);
            await page.GoForwardAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{unreadId}$"));
            await Expect(title).ToHaveTextAsync(nameC);
        });
    }

    private static async Task<(string Id, string Name)> FocusedAsync(ILocator focusedItem) =>
        ((await focusedItem.GetAttributeAsync("data-conversation-id"))!, (await focusedItem.GetByTestId("conversation-name").TextContentAsync())!.Trim());

    /// <summary>Runs the steps; when one fails, keeps a screenshot and the page's HTML (with its address) as artifacts.</summary>
    private static async Task WithFailureDumpAsync(IPage page, string name, Func<Task> steps)
    {
        var console = new List<string>();
        page.Console += (_, m) => console.Add($"{m.Type}: {m.Text}");
        try
        {
            await steps();
        }
        catch (Exception e)
        {
            await BrowserFixture.ScreenshotAsync(page, $"failure-{name}");
            var focus = await page.EvaluateAsync<string>("() => (document.activeElement?.outerHTML ?? 'none').slice(0, 300)");
            await File.WriteAllTextAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, $"failure-{name}.html"),
                $"<!-- {page.Url}\nfocus: {focus}\nconsole:\n{string.Join('\n', console)}\n{e}\n-->\n" + await page.ContentAsync());
            throw;
        }
    }

    [Fact]
    public async Task A_draft_the_browser_returns_late_never_lands_in_the_next_conversation()
    {
        // The browser answers each request for a saved draft 1.5 s late, and reads the storage only then: conversation A's draft,
        // typed meanwhile, comes back after the agent opened B. It used to fill B's empty composer.
        var (waA, nameA) = NewCustomer("Late draft A");
        var (waB, nameB) = NewCustomer("Late draft B");
        await CustomerSendsAsync(waA, nameA, new { type = "text", text = "Question A" });
        await CustomerSendsAsync(waB, nameB, new { type = "text", text = "Question B" });
        var context = await fixture.NewContextAsync();
        await BrowserFixture.AnswerLateAsync(context, "loadDraft", 1500);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var box = page.GetByTestId("composer-input");

        await OpenAsync(page, nameA);
        var answered = await page.EvaluateAsync<int>("() => window.late.loadDraft.answered");
        await box.FillAsync("Half an answer for A");
        await OpenAsync(page, nameB);
        await page.WaitForFunctionAsync($"() => window.late.loadDraft.answered > {answered}", null, new() { Timeout = 15_000 });
        await page.WaitForTimeoutAsync(500);
        await Expect(box).ToHaveValueAsync("");
        await OpenAsync(page, nameA);
        await Expect(box).ToHaveValueAsync("Half an answer for A");
    }

    [Fact]
    public async Task Drafts_stay_with_their_conversation_and_typing_shows_on_the_customers_phone()
    {
        var (waA, nameA) = NewCustomer("Draft A");
        var (waB, nameB) = NewCustomer("Draft B");
        await CustomerSendsAsync(waA, nameA, new { type = "text", text = "Question A" });
        await CustomerSendsAsync(waB, nameB, new { type = "text", text = "Question B" });
        var page = await SignedInAsync("agent@demo.test");
        var box = page.GetByTestId("composer-input");

        await OpenAsync(page, nameA);
        await box.FillAsync("Half an answer for A");
        await OpenAsync(page, nameB);
        await Expect(box).ToHaveValueAsync("");
        await box.FillAsync("Something for B");
        await OpenAsync(page, nameA);
        await Expect(box).ToHaveValueAsync("Half an answer for A");

        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(box).ToHaveValueAsync("Half an answer for A");
        await OpenAsync(page, nameB);
        await Expect(box).ToHaveValueAsync("Something for B");

        // The customer's phone was shown "typing…" together with the read mark of their message.
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var typed = await Eventually.PollAsync(async () =>
        {
            var chat = await http.GetFromJsonAsync<JsonObject>($"/simulator/api/customers/{waA}/chat?phoneNumberId={DemoPhoneNumberId}");
            return chat!["items"]!.AsArray().FirstOrDefault(l => l!["typingShownAt"] is JsonValue);
        });
        typed!["summary"]!.ToString().Should().Contain("Question A");
    }

    [Fact]
    public async Task Reply_buttons_and_a_list_menu_go_from_the_composer_and_the_agents_reaction_shows_at_once()
    {
        var (wa, name) = NewCustomer("Choices");
        await CustomerSendsAsync(wa, name, new { type = "text", text = "When can you come?" });
        var page = await SignedInAsync("agent@demo.test");
        await OpenAsync(page, name);

        await page.GetByTestId("choices-kind").SelectOptionAsync("buttons");
        await page.GetByTestId("choice-options").FillAsync("Morning\nAfternoon");
        await page.GetByTestId("composer-input").FillAsync("Which suits you?");
        await page.GetByTestId("send").ClickAsync();
        var buttons = page.Locator("[data-testid=message][data-direction=outbound][data-type=interactive]", new() { HasText = "Which suits you?" });
        await Expect(buttons.GetByTestId("sent-buttons")).ToContainTextAsync("Afternoon");
        await Expect(buttons.GetByTestId("ticks")).ToHaveAttributeAsync("data-status", "read", new() { Timeout = 30_000 });

        await page.GetByTestId("choices-kind").SelectOptionAsync("list");
        await page.GetByTestId("list-button").FillAsync("Pick a day");
        await page.GetByTestId("choice-options").FillAsync("Monday\nTuesday\nWednesday");
        await page.GetByTestId("composer-input").FillAsync("Which day?");
        await page.GetByTestId("send").ClickAsync();
        var list = page.Locator("[data-testid=message][data-direction=outbound][data-type=interactive]", new() { HasText = "Which day?" });
        await Expect(list).ToBeVisibleAsync();
        await Expect(page.GetByTestId("composer-error")).ToHaveCountAsync(0);

        var inbound = page.Locator("[data-testid=message][data-direction=inbound]", new() { HasText = "When can you come?" });
        await inbound.HoverAsync();
        await inbound.Locator("button[title='React 👍']").ClickAsync();
        await Expect(inbound.GetByTestId("own-reaction")).ToHaveTextAsync("👍", new() { Timeout = 3_000 });
        await BrowserFixture.ScreenshotAsync(page, "composer-buttons-list-reaction");
    }

    [Fact]
    public async Task A_sent_photo_and_document_show_from_the_uploaded_copy()
    {
        var (wa, name) = NewCustomer("Files");
        await CustomerSendsAsync(wa, name, new { type = "text", text = "Send me the plan" });
        var page = await SignedInAsync("agent@demo.test");
        await OpenAsync(page, name);

        // A real 1×1 PNG.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        await AttachAsync(page, new FilePayload { Name = "plan.png", MimeType = "image/png", Buffer = png });
        await page.GetByTestId("composer-input").FillAsync("The plan");
        await page.GetByTestId("send").ClickAsync();
        var photo = page.Locator("[data-testid=message][data-direction=outbound][data-type=image]", new() { HasText = "The plan" });
        await Expect(photo.Locator("img[data-testid=media-image]")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('[data-direction=outbound] img[data-testid=media-image]')].some(i => i.complete && i.naturalWidth === 1)");

        await AttachAsync(page, new FilePayload { Name = "plan.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n%%EOF\n"u8.ToArray() });
        await page.GetByTestId("send").ClickAsync();
        var document = page.Locator("[data-testid=message][data-direction=outbound][data-type=document]");
        await Expect(document.GetByTestId("document-download")).ToBeVisibleAsync();
        await Expect(document.GetByTestId("document")).ToContainTextAsync("plan.pdf");
        await BrowserFixture.ScreenshotAsync(page, "composer-sent-files");
    }

    [Fact]
    public async Task A_conversation_with_photos_opens_at_its_newest_message_once_they_have_loaded()
    {
        var (wa, name) = NewCustomer("Photos");
        for (var i = 0; i < 3; i++)
        {
            await CustomerSendsAsync(wa, name, new { type = "image", text = $"Photo {i}" });
        }

        await CustomerSendsAsync(wa, name, new { type = "text", text = "That was all of them" });
        var page = await SignedInAsync("agent@demo.test");

        // Let the server fetch the three files first, so they all load in the browser on opening.
        await Expect(page.Locator("[data-testid=conversation-item]", new() { HasText = name })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await OpenAsync(page, name);
        await page.WaitForFunctionAsync(
            "() => { const imgs = document.querySelectorAll('#messages img[data-testid=media-image]'); return imgs.length === 3 && [...imgs].every(i => i.complete && i.naturalWidth > 0); }",
            null, new() { Timeout = 30_000 });
        await page.GotoAsync(page.Url);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync(
            "() => { const imgs = document.querySelectorAll('#messages img[data-testid=media-image]'); return imgs.length === 3 && [...imgs].every(i => i.complete && i.naturalWidth > 0); }",
            null, new() { Timeout = 30_000 });

        await page.WaitForFunctionAsync("() => { const m = document.getElementById('messages'); return m.scrollHeight > m.clientHeight && m.scrollHeight - m.scrollTop - m.clientHeight < 5; }");
        await Expect(page.Locator("[data-testid=message]", new() { HasText = "That was all of them" })).ToBeInViewportAsync();
        await BrowserFixture.ScreenshotAsync(page, "conversation-photos-newest");
    }

    [Fact]
    public async Task The_list_pages_past_the_newest_60_as_it_is_scrolled()
    {
        // Three days old (Meta's timestamps order the list), so that they sort below what the other tests look for.
        var threeDaysAgo = DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeSeconds();
        var body = WebhookPayloads.Messages(DemoPhoneNumberId, [.. Enumerable.Range(0, 62).Select(i => NewCustomer("Many")).Select((c, i) =>
            new WebhookPayloads.Inbound("wamid." + Guid.NewGuid().ToString("N"), c.WaId, "Hi", threeDaysAgo + i, c.Name))]);
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            // The demo seeds its number in the background at start-up: until then the signature has no channel (401).
            await Eventually.PollValueAsync<bool>(async () =>
                (await http.PostWebhookAsync(BrowserFixture.DemoTenantId, body, WebhookSender.Sign(body, "demo-app-secret"))).IsSuccessStatusCode ? true : null);
        }

        var page = await SignedInAsync("agent@demo.test");
        await page.GetByTestId("filter-all").ClickAsync();
        await page.GetByTestId("filter-status-any").ClickAsync();
        var items = page.Locator("[data-testid=conversation-item]");
        await Expect(items).ToHaveCountAsync(60, new() { Timeout = 60_000 });

        await page.GetByTestId("conversation-list").EvaluateAsync("l => l.scrollTop = l.scrollHeight");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=conversation-item]').length > 60");
    }

    [Fact]
    public async Task An_agent_assigns_from_the_header_to_a_colleague_sees_who_else_has_it_open_and_unassigns()
    {
        var (wa, name) = NewCustomer("Assign");
        await CustomerSendsAsync(wa, name, new { type = "text", text = "Anyone there?" });
        var agent = await SignedInAsync("agent@demo.test");
        await OpenAsync(agent, name);
        var conversation = agent.Url;

        var admin = await SignedInAsync("admin@demo.test");
        await admin.GotoAsync(conversation);
        await Expect(admin.GetByTestId("conversation-title")).ToHaveTextAsync(name);

        await Expect(agent.GetByTestId("also-viewing")).ToContainTextAsync("Demo Admin", new() { Timeout = 20_000 });
        await Expect(admin.GetByTestId("also-viewing")).ToContainTextAsync("Demo Agent", new() { Timeout = 20_000 });
        await BrowserFixture.ScreenshotAsync(agent, "conversation-also-viewing");

        await agent.GetByTestId("assignee").SelectOptionAsync(new SelectOptionValue { Label = "Demo Admin" });
        var item = agent.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item.GetByTestId("list-assignee")).ToHaveTextAsync("Demo Admin");

        await agent.GetByTestId("assignee").SelectOptionAsync(new SelectOptionValue { Label = "Unassigned" });
        await Expect(item.GetByTestId("list-assignee")).ToHaveCountAsync(0);

        // Once the admin leaves, the warning goes.
        await admin.GotoAsync("/search");
        await Expect(agent.GetByTestId("also-viewing")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task At_390_pixels_the_list_and_the_conversation_are_two_screens_in_the_browsers_dark_mode_with_a_remembered_switch()
    {
        var (wa, name) = NewCustomer("Phone");
        await CustomerSendsAsync(wa, name, new { type = "text", text = "From a small screen" });
        var context = await fixture.NewContextAsync(width: 390, height: 844, colorScheme: ColorScheme.Dark);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        (await BackgroundAsync(page)).Should().Be("rgb(15, 20, 25)", "the browser prefers dark");
        await Expect(page.Locator(".topbar .brand svg.icon")).ToHaveCountAsync(1);
        await Expect(page.Locator("section.conversation-pane")).ToBeHiddenAsync();
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(390, "nothing sticks out sideways");
        await BrowserFixture.ScreenshotAsync(page, "mobile-list-dark");

        await item.Locator("a").ClickAsync();
        await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(name);
        await Expect(page.GetByTestId("conversation-list")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("composer-input")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "mobile-conversation-dark");
        await page.GetByTestId("back-to-list").ClickAsync();
        await Expect(page.GetByTestId("conversation-list")).ToBeVisibleAsync();

        await page.GetByTestId("theme-toggle").ClickAsync();
        (await BackgroundAsync(page)).Should().Be("rgb(245, 246, 248)");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-pressed", "false");
        (await BackgroundAsync(page)).Should().Be("rgb(245, 246, 248)", "the switch is remembered");
        await BrowserFixture.ScreenshotAsync(page, "mobile-list-light");
        await page.GetByTestId("theme-toggle").ClickAsync();
        (await BackgroundAsync(page)).Should().Be("rgb(15, 20, 25)");
    }

    private static Task<string> BackgroundAsync(IPage page) => page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    private async Task<IPage> SignedInAsync(string email)
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, email, BrowserFixture.DemoPassword);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return page;
    }

    private static async Task OpenAsync(IPage page, string name)
    {
        var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(name);
    }

    private static async Task AttachAsync(IPage page, FilePayload file)
    {
        // InputFile wires its change handler once its script ran after render: pick the file again until the page took it.
        for (var attempt = 0; attempt < 5 && !(await page.GetByTestId("attachment-name").AllTextContentsAsync()).Any(t => t.Contains(file.Name, StringComparison.Ordinal)); attempt++)
        {
            await page.GetByTestId("attach").SetInputFilesAsync(file);
            await page.WaitForTimeoutAsync(500 * (attempt + 1));
        }

        await Expect(page.GetByTestId("attachment-name")).ToContainTextAsync(file.Name);
    }

    private async Task CustomerSendsAsync(string waId, string name, object message)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(message))!.AsObject();
        body["phoneNumberId"] = DemoPhoneNumberId;
        body["name"] = name;
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var response = await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", body);
        response.EnsureSuccessStatusCode();
    }

    private static (string WaId, string Name) NewCustomer(string label)
    {
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        return ("1557" + suffix, $"{label} {suffix}");
    }
}

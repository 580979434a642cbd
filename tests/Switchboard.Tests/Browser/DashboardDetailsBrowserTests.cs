using System.Net.Http.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The small things a first day with the dashboard trips over: where the operator lands, the tab title, remembered alerts, the audit filters.</summary>
[Collection(BrowserSuite.Name)]
public sealed partial class DashboardDetailsBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_operator_lands_on_the_operator_pages_after_signing_in()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await BrowserFixture.SubmitLoginAsync(page, "operator@demo.test", BrowserFixture.DemoPassword);

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator/tenants");
        await Expect(page.GetByTestId("tenants-table")).ToBeVisibleAsync();
        await Expect(page.Locator("h1")).Not.ToHaveTextAsync("Not allowed");
    }

    [Fact]
    public async Task The_tab_title_counts_unread_conversations_and_the_alerts_switch_is_remembered()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            var sent = await http.PostAsJsonAsync($"/simulator/api/customers/1556{suffix}/messages", new { phoneNumberId = "100000000000001", name = $"Title {suffix}", type = "text", text = "Hello?" });
            sent.EnsureSuccessStatusCode();
        }

        await Expect(page.Locator("[data-testid=conversation-item]", new() { HasText = $"Title {suffix}" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page).ToHaveTitleAsync(UnreadTitle());

        var toggle = page.GetByTestId("notify-toggle");
        await Expect(toggle).Not.ToBeCheckedAsync();
        await toggle.CheckAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("notify-toggle")).ToBeCheckedAsync();

        await page.GetByTestId("notify-toggle").UncheckAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("notify-toggle")).Not.ToBeCheckedAsync();
    }

    [Fact]
    public async Task The_audit_filters_sit_in_one_row_with_readable_hints_and_headings_show_no_focus_ring()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);
        await page.GotoAsync("/admin/audit");

        await Expect(page.Locator("#filter-actor")).ToHaveAttributeAsync("placeholder", "user:<id>, token:<id>, operator");
        var action = await page.Locator("#filter-action").BoundingBoxAsync();
        var actor = await page.Locator("#filter-actor").BoundingBoxAsync();
        actor!.Y.Should().BeApproximately(action!.Y, 2, "the filters are laid out side by side, not stacked");
        actor.X.Should().BeGreaterThan(action.X);

        await page.GetByTestId("audit-row").First.WaitForAsync();
        var outline = await page.Locator("h1").EvaluateAsync<string>("h => { h.focus(); return getComputedStyle(h).outlineStyle; }");
        outline.Should().Be("none");
        await BrowserFixture.ScreenshotAsync(page, "admin-audit-filters");
    }

    [Fact]
    public async Task Leaving_the_inbox_while_it_still_sets_up_the_browser_leaves_the_next_page_working()
    {
        // The browser answers the inbox's first call into dashboard.js late, so the page is left while the inbox still waits on
        // it: once the answer came, the inbox's next call used a reference its disposal had let go, and that ended the circuit
        // (ADR 0064). The page after it then ignored every click.
        var context = await fixture.NewContextAsync();
        await BrowserFixture.AnswerLateAsync(context, "watchShortcuts", 2000);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);
        await page.WaitForFunctionAsync("() => window.late.watchShortcuts.asked > 0", null, new() { Timeout = 15_000 });
        await page.GetByTestId("nav-automation").ClickAsync();
        await Expect(page.Locator("[data-testid=automation-page][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync("() => window.late.watchShortcuts.answered > 0", null, new() { Timeout = 15_000 });

        await page.GetByTestId("rule-save").ClickAsync();
        await Expect(page.GetByTestId("rule-errors")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_conversation_clicked_before_the_inbox_watches_its_links_opens_in_the_same_page_which_takes_the_next_click()
    {
        // The inbox watches its links a few round trips after it became interactive (here the watch answers 2 s late). A click
        // in between was Blazor's navigation: the server rendered the address and the inbox was replaced by a new instance a
        // moment after the conversation showed, so the click that followed was lost (ADR 0066).
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var name = $"Early click {suffix}";
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            (await http.PostAsJsonAsync($"/simulator/api/customers/1557{suffix}/messages", new { phoneNumberId = "100000000000001", name, type = "text", text = "Are you there?" })).EnsureSuccessStatusCode();
        }

        var context = await fixture.NewContextAsync();
        await BrowserFixture.AnswerLateAsync(context, "watchPageLinks", 2000);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
        await Expect(page.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.EvaluateAsync("() => { window.inboxBefore = document.querySelector('[data-testid=inbox]'); }");
        (await page.EvaluateAsync<int>("() => window.late.watchPageLinks.answered")).Should().Be(0, "the click comes before the inbox watches its links");

        await page.Locator("[data-testid=conversation-item]", new() { HasText = name }).Locator("a").ClickAsync();
        await Expect(page.GetByTestId("conversation-title")).ToHaveTextAsync(name);
        await fixture.StepAsync(page, "Opening the knowledge base", page.Locator(".composer-actions"), async () =>
        {
            await page.GetByTestId("kb-open").ClickAsync();
            await Expect(page.GetByTestId("kb-query")).ToBeVisibleAsync();
        });
        (await page.EvaluateAsync<bool>("() => document.querySelector('[data-testid=inbox]') === window.inboxBefore")).Should().BeTrue("the conversation opened in the inbox on screen, not in a new one");
        new Uri(page.Url).AbsolutePath.Should().MatchRegex("^/conversations/[0-9a-f-]{36}$");
    }

    [GeneratedRegex(@"^\(\d+\) ")]
    private static partial Regex UnreadTitle();
}

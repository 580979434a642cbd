using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>An admin writes and publishes an article on the knowledge base page; an agent finds it from the composer and sends its link, in real Chromium.</summary>
[Collection(BrowserSuite.Name)]
public sealed class KnowledgeBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";

    [Fact]
    public async Task An_article_written_on_the_knowledge_page_is_found_in_the_composer_and_its_link_sent()
    {
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var title = $"Gift wrapping {suffix}";
        var admin = await (await fixture.NewContextAsync()).NewPageAsync();
        await BrowserFixture.SignInAsync(admin, "admin@demo.test", BrowserFixture.DemoPassword);
        await admin.Locator("[data-testid=nav-knowledge]").ClickAsync();
        await admin.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/knowledge");
        await admin.Locator("[data-testid=kb-new]").ClickAsync();
        await admin.Locator("#kb-title").FillAsync(title);
        await admin.Locator("#kb-category").FillAsync("Orders");
        await admin.Locator("#kb-body").FillAsync($"Every order can be **gift wrapped** for $4. Choose giftwrap{suffix} at checkout.");
        await admin.Locator("[data-testid=kb-preview-button]").ClickAsync();
        await Expect(admin.Locator("[data-testid=kb-preview] strong")).ToHaveTextAsync("gift wrapped");
        await admin.Locator("[data-testid=kb-published]").CheckAsync();
        await admin.Locator("[data-testid=kb-save]").ClickAsync();
        var row = admin.Locator($"[data-testid=kb-row][data-title='{title}']");
        await Expect(row).ToHaveAttributeAsync("data-published", "true");
        await BrowserFixture.ScreenshotAsync(admin, "knowledge-page");

        var waId = "1555" + suffix + "3";
        var name = $"Knowledge {suffix}";
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            (await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", new { type = "text", text = "Can you wrap it as a present?", phoneNumberId = DemoPhoneNumberId, name })).EnsureSuccessStatusCode();
        }

        var agent = await (await fixture.NewContextAsync()).NewPageAsync();
        await BrowserFixture.SignInAsync(agent, "agent@demo.test", BrowserFixture.DemoPassword);
        await agent.GotoAsync("/");
        await Expect(agent.Locator("[data-testid=inbox][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var item = agent.Locator("[data-testid=conversation-item]", new() { HasText = name });
        await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await item.Locator("a").ClickAsync();
        await Expect(agent.Locator("[data-testid=conversation-title]")).ToHaveTextAsync(name);

        await fixture.StepAsync(agent, "Opening the knowledge base from the composer", agent.Locator(".composer-actions"), async () =>
        {
            await agent.Locator("[data-testid=kb-open]").ClickAsync();
            await agent.Locator("[data-testid=kb-query]").PressSequentiallyAsync($"giftwrap{suffix}");
        });
        var hit = agent.Locator($"[data-testid=kb-hit][data-title='{title}']");
        await Expect(hit).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await BrowserFixture.ScreenshotAsync(agent, "knowledge-composer");
        await hit.Locator("[data-testid=kb-insert-link]").ClickAsync();

        var input = agent.Locator("[data-testid=composer-input]");
        await Expect(input).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"^{title}: http.*/kb/{BrowserFixture.DemoTenantId}/[0-9a-f-]+$"));
        var url = System.Text.RegularExpressions.Regex.Match(await input.InputValueAsync(), @"https?://\S+/kb/\S+").Value;
        await agent.Locator("[data-testid=send]").ClickAsync();
        await Expect(agent.Locator("[data-testid=message][data-direction=outbound]", new() { HasText = title })).ToBeVisibleAsync();

        // The link the customer gets (the one sent) opens the article.
        var article = await (await fixture.NewContextAsync()).NewPageAsync();
        await article.GotoAsync(url);
        await Expect(article.Locator("h1")).ToHaveTextAsync(title);
    }
}

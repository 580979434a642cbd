using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The supervisor view in real Chromium: a queue fills live and a manager hands the waiting conversation to an agent.</summary>
[Collection(BrowserSuite.Name)]
public sealed class SupervisorBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";

    [Fact]
    public async Task A_manager_sees_a_queue_fill_when_nobody_is_online_and_reassigns_the_waiting_conversation()
    {
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var admin = fixture.ApiClient(fixture.DemoTenantKey);
        var tenant = $"/api/v1/tenants/{BrowserFixture.DemoTenantId}";
        // The demo number may still be on its way when this test runs first.
        var channelId = await Eventually.PollValueAsync<Guid>(async () =>
            (await admin.GetFromJsonAsync<JsonObject>($"{tenant}/channels"))!["items"]!.AsArray()
                .FirstOrDefault(c => c!["phoneNumberId"]!.GetValue<string>() == DemoPhoneNumberId)?["id"]?.GetValue<Guid>());
        var team = $"Transport {suffix}";
        using var created = await admin.PostAsJsonAsync($"{tenant}/teams", new { name = team, memberIds = Array.Empty<Guid>(), assignment = "round_robin", capacity = 3, channelIds = new[] { channelId } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var teamId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        try
        {
            var email = await fixture.CreateUserAsync(BrowserFixture.DemoTenantId, fixture.DemoTenantKey, "manager", BrowserFixture.DemoPassword);
            var context = await fixture.NewContextAsync();
            var page = await context.NewPageAsync();
            await BrowserFixture.SignInAsync(page, email, BrowserFixture.DemoPassword);
            await page.GetByTestId("nav-supervisor").ClickAsync();
            await Expect(page.Locator("[data-testid=supervisor][data-interactive=true]")).ToBeVisibleAsync();
            var row = page.Locator($"[data-testid=queue-row][data-team-id='{teamId}']");
            var waiting = row.Locator("[data-testid=queue-waiting]");
            await Expect(row.Locator("[data-testid=queue-online]")).ToHaveTextAsync("0");
            var before = int.Parse(await waiting.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

            var waId = $"1555{suffix}3";
            using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
            {
                var sent = await http.PostAsJsonAsync($"/simulator/api/customers/{waId}/messages", new { type = "text", text = "Is the school bus late today?", phoneNumberId = DemoPhoneNumberId, name = $"Queue {suffix}" });
                sent.EnsureSuccessStatusCode();
            }

            var conversationId = await Eventually.PollValueAsync<Guid>(async () =>
                (await admin.GetFromJsonAsync<JsonObject>($"{tenant}/conversations?limit=100"))!["items"]!.AsArray()
                    .FirstOrDefault(c => c!["contact"]?["waId"]?.GetValue<string>() == waId)?["id"]?.GetValue<Guid>());

            // No reload: the page follows the tenant's realtime events (the demo's own customers may add to the queue too).
            await Expect(waiting).Not.ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await row.Locator("[data-testid=queue-show]").ClickAsync();
            var item = page.Locator($"[data-testid=waiting-item][data-conversation-id='{conversationId}']");
            await Expect(item).ToHaveCountAsync(1);
            await BrowserFixture.ScreenshotAsync(page, "supervisor-queue");

            await item.Locator("[data-testid=reassign-target]").SelectOptionAsync(new SelectOptionValue { Label = "Demo Agent" });
            await item.Locator("[data-testid=reassign]").ClickAsync();
            await Expect(item).ToHaveCountAsync(0);
            await Expect(page.Locator("[data-testid=supervisor-error]")).ToHaveCountAsync(0);
            var conversation = (await admin.GetFromJsonAsync<JsonObject>($"{tenant}/conversations/{conversationId}"))!;
            conversation["assigneeId"].Should().NotBeNull();
            conversation["waitingSince"].Should().BeNull();
            await BrowserFixture.ScreenshotAsync(page, "supervisor-reassigned");
            await context.CloseAsync();
        }
        finally
        {
            // The demo number goes back to having no default team, for the other browser tests.
            using var unlinked = await admin.PutAsJsonAsync($"{tenant}/teams/{teamId}", new { name = team, memberIds = Array.Empty<Guid>(), assignment = "round_robin", capacity = 3, channelIds = Array.Empty<Guid>() });
            unlinked.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }
}

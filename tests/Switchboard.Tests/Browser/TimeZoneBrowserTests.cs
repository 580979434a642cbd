using System.Globalization;
using Switchboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>Times are shown in the viewer's time zone (the browser's), not the server's.</summary>
[Collection(BrowserSuite.Name)]
public sealed class TimeZoneBrowserTests(BrowserFixture fixture)
{
    private const string DemoPhoneNumberId = "100000000000001";
    private const string DemoAppSecret = "demo-app-secret";

    [Fact]
    public async Task A_message_shows_its_time_in_the_browsers_time_zone()
    {
        // Two hours ago (inside the reply window), to the minute: Tokyo and New York read it 13 or 14 hours apart.
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds() / 60 * 60);
        var suffix = Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        var name = $"Zone {suffix}";
        var body = WebhookPayloads.Messages(DemoPhoneNumberId, new WebhookPayloads.Inbound("wamid." + Guid.NewGuid().ToString("N"), "1555" + suffix, "What time is it there?", sentAt.ToUnixTimeSeconds(), name));
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            // The demo seeds its number in the background at start-up: until then the signature has no channel (401).
            await Eventually.PollValueAsync<bool>(async () =>
                (await http.PostWebhookAsync(BrowserFixture.DemoTenantId, body, WebhookSender.Sign(body, DemoAppSecret))).IsSuccessStatusCode ? true : null);
        }

        var shown = new Dictionary<string, string>();
        foreach (var zone in new[] { "Asia/Tokyo", "America/New_York" })
        {
            var local = TimeZoneInfo.ConvertTime(sentAt, TimeZoneInfo.FindSystemTimeZoneById(zone));
            var page = await (await fixture.NewContextAsync(zone)).NewPageAsync();
            await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);
            await Expect(page.Locator($"[data-testid=inbox][data-interactive=true][data-time-zone='{zone}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            var item = page.Locator("[data-testid=conversation-item]", new() { HasText = name });
            await Expect(item).ToBeVisibleAsync(new() { Timeout = 15_000 });
            var nowThere = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone));
            var listTime = local.Date == nowThere.Date ? local.ToString("HH:mm", CultureInfo.InvariantCulture) : local.ToString("d MMM", CultureInfo.InvariantCulture);
            await Expect(item.Locator("[data-testid=conversation-time]")).ToHaveTextAsync(listTime);

            await item.Locator("a").ClickAsync();
            var time = page.Locator("[data-testid=message][data-direction=inbound] [data-testid=message-time]");
            await Expect(time).ToHaveTextAsync(local.ToString("HH:mm", CultureInfo.InvariantCulture));
            shown[zone] = await time.InnerTextAsync();
            await BrowserFixture.ScreenshotAsync(page, "conversation-time-" + zone.Replace('/', '-'));
            await page.Context.CloseAsync();
        }

        shown["Asia/Tokyo"].Should().NotBe(shown["America/New_York"]);
    }

    [Fact]
    public async Task A_server_rendered_admin_page_shows_times_in_the_browsers_time_zone()
    {
        var page = await (await fixture.NewContextAsync("Asia/Tokyo")).NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);

        await page.GotoAsync("/admin/users");
        var lastSignIn = await page.Locator("[data-testid=user-row][data-email='admin@demo.test'] td").Nth(5).InnerTextAsync();

        // Just signed in: the stamp, read as Tokyo time, is within minutes of now (read as UTC it would be 9 hours off).
        lastSignIn.Should().NotEndWith("UTC");
        var local = DateTime.ParseExact(lastSignIn.Trim(), "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var utc = TimeZoneInfo.ConvertTimeToUtc(local, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        (DateTime.UtcNow - utc).Duration().Should().BeLessThan(TimeSpan.FromMinutes(10));
        await page.Context.CloseAsync();
    }
}

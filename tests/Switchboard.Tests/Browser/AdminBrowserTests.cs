using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Browser;

/// <summary>The admin's and the operator's screens render in Chromium (and are kept as screenshots).</summary>
[Collection(BrowserSuite.Name)]
public sealed class AdminBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_admin_pages_render_for_the_tenant_admin()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin@demo.test", BrowserFixture.DemoPassword);

        foreach (var (path, testId, shot) in new[]
        {
            ("/admin/channels", "channels-table", "admin-channels"),
            ("/admin/users", "users-table", "admin-users"),
            ("/admin/settings", "tokens-table", "admin-settings"),
            ("/admin/audit", "audit-table", "admin-audit"),
        })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByTestId(testId)).ToBeVisibleAsync();
            await BrowserFixture.ScreenshotAsync(page, shot);
        }

        await Expect(page.GetByTestId("audit-table")).ToContainTextAsync("login.succeeded");
    }

    [Fact]
    public async Task The_operator_pages_render_for_the_platform_operator()
    {
        var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SubmitLoginAsync(page, "operator@demo.test", BrowserFixture.DemoPassword);

        await page.GotoAsync("/operator/tenants");
        await Expect(page.GetByTestId("tenants-table")).ToContainTextAsync("Demo Business");
        await BrowserFixture.ScreenshotAsync(page, "operator-tenants");
        await page.GotoAsync("/operator/quarantine");
        await Expect(page.GetByTestId("quarantine-table").Or(page.GetByTestId("quarantine-empty"))).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "operator-quarantine");
    }
}

using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Switchboard.Tests.Browser;

/// <summary>Changing one's password from the dashboard in real Chromium: this session goes on, another browser's ends.</summary>
[Collection(BrowserSuite.Name)]
public sealed class PasswordChangeBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";
    private const string NewPassword = "another long passphrase in chromium";

    [Fact]
    public async Task A_user_changes_their_password_on_the_security_pages_and_their_other_browser_is_signed_out()
    {
        var email = await fixture.CreateUserAsync(BrowserFixture.DemoTenantId, fixture.DemoTenantKey, "agent", Password);
        await using var other = await fixture.NewContextAsync();
        var otherPage = await other.NewPageAsync();
        await BrowserFixture.SignInAsync(otherPage, email, Password);

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await BrowserFixture.SignInAsync(page, email, Password);
            await page.GotoAsync("/account/security");
            await page.GetByTestId("change-password").ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/password");

            await page.Locator("#current-password").FillAsync("not my password at all");
            await page.Locator("#new-password").FillAsync(NewPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("password-error")).ToContainTextAsync("not your current password");

            await page.Locator("#current-password").FillAsync(Password);
            await page.Locator("#new-password").FillAsync(NewPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("password-changed")).ToBeVisibleAsync();
            output.WriteLine($"screenshot: {await BrowserFixture.ScreenshotAsync(page, "password-changed.png")}");

            await page.GotoAsync("/account/security");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
            await Assertions.Expect(page.GetByTestId("session")).ToBeVisibleAsync();

            // The other browser's session ended with the old stamp (within the validator's cache interval at most).
            await otherPage.GotoAsync("/account/security");
            await otherPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");

            await BrowserFixture.SignInAsync(otherPage, email, NewPassword);
        }
        catch
        {
            output.WriteLine($"failed at {page.Url}");
            output.WriteLine($"screenshot: {await BrowserFixture.ScreenshotAsync(page, "failure-password.png")}");
            throw;
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Switchboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchboard.Tests.Browser;

/// <summary>Sign-in, MFA and access checks in real Chromium against the real demo server over HTTP.</summary>
[Collection(BrowserSuite.Name)]
public sealed class SignInBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task An_anonymous_visit_lands_on_the_login_form()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await WithScreenshotOnFailureAsync(page, "anonymous", async () =>
        {
            await page.GotoAsync("/");

            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
            await Assertions.Expect(page.Locator("input[type=email]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("input[type=password]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("button[type=submit]")).ToBeVisibleAsync();
            await ScreenshotAsync(page, "login.png");
        });
    }

    [Fact]
    public async Task A_user_turns_on_MFA_signs_out_and_signs_in_again_with_password_and_authenticator_code()
    {
        // A fresh admin of the demo tenant: the demo users stay without MFA for the other tests.
        var email = await fixture.CreateUserAsync(BrowserFixture.DemoTenantId, fixture.DemoTenantKey, "admin", Password);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await WithScreenshotOnFailureAsync(page, "mfa", async () =>
        {
            await BrowserFixture.SignInAsync(page, email, Password);

            await page.GotoAsync("/account/mfa/setup");
            var qr = page.GetByTestId("authenticator-qr");
            await Assertions.Expect(qr).ToBeVisibleAsync();
            (await qr.EvaluateAsync<int>("img => img.naturalWidth")).Should().BeGreaterThan(0, "the page's CSP lets the server-drawn QR code load");
            await ScreenshotAsync(page, "mfa-setup.png");
            var key = (await page.GetByTestId("shared-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            key.Should().MatchRegex("^[A-Z2-7]{16,}$");
            await page.Locator("#code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow));
            await page.Locator("button[type=submit]").ClickAsync();

            var recoveryCodes = page.GetByTestId("recovery-codes").Locator("li code");
            await Assertions.Expect(recoveryCodes).ToHaveCountAsync(10);
            (await recoveryCodes.AllInnerTextsAsync()).Should().OnlyHaveUniqueItems().And.AllSatisfy(c => c.Should().NotBeNullOrWhiteSpace());
            await ScreenshotAsync(page, "mfa-recovery-codes.png");

            await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
            await page.GetByTestId("sign-out").ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");

            await BrowserFixture.SubmitLoginAsync(page, email, Password);
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/mfa");
            (await context.CookiesAsync()).Should().NotContain(c => c.Name == "switchboard", "a password alone is not a session");

            // The code used at enrolment is spent (replay protection): an authenticator shows the next one.
            await page.Locator("#code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)));
            await page.Locator("button[type=submit]").ClickAsync();

            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=inbox]")).ToBeVisibleAsync();
            await ScreenshotAsync(page, "home.png");
        });
    }

    [Fact]
    public async Task An_agent_cannot_open_admin_or_operator_pages()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await WithScreenshotOnFailureAsync(page, "agent-admin-pages", async () =>
        {
            await BrowserFixture.SignInAsync(page, "agent@demo.test", BrowserFixture.DemoPassword);

            // An agent holds channels.read (Permissions.cs): Channels stays in its navigation, read-only.
            foreach (var link in new[] { "nav-users", "nav-settings", "nav-audit", "nav-operator" })
            {
                await Assertions.Expect(page.GetByTestId(link)).ToHaveCountAsync(0);
            }

            foreach (var path in new[] { "/admin/users", "/admin/settings", "/admin/audit", "/operator/tenants" })
            {
                var response = await page.GotoAsync(path);

                new Uri(page.Url).AbsolutePath.Should().Be("/account/denied", $"{path} is not for agents (status {response?.Status})");
                await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");

                foreach (var admin in new[] { "users-table", "tokens-table", "audit-table", "tenants-table" })
                {
                    await Assertions.Expect(page.GetByTestId(admin)).ToHaveCountAsync(0);
                }
            }

            await ScreenshotAsync(page, "agent-denied.png");

            await page.GotoAsync("/admin/channels");
            await Assertions.Expect(page.GetByTestId("channels-table")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("form[data-testid=add-channel-form], [data-testid=add-channel]")).ToHaveCountAsync(0);
        });
    }

    [Fact]
    public async Task A_user_of_another_tenant_cannot_open_a_conversation_of_the_demo_tenant()
    {
        // Tenant A is the demo tenant; its simulated customers write in on start.
        using var tenantA = fixture.ApiClient(fixture.DemoTenantKey);
        var conversations = await Eventually.PollAsync(async () =>
        {
            var page = await tenantA.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/conversations");
            return page!["items"]!.AsArray().FirstOrDefault(c => c!["contact"]!["name"]?.GetValue<string>() == "Sheena Nelson");
        });
        var conversationId = conversations!["id"]!.GetValue<Guid>();
        var messages = await tenantA.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{BrowserFixture.DemoTenantId}/conversations/{conversationId}/messages");
        var texts = messages!["items"]!.AsArray().Select(m => m!["text"]?.GetValue<string>()).OfType<string>().Where(t => t.Length >= 4).ToList();
        texts.Should().NotBeEmpty();

        // Tenant B, made by the operator, with one person in it.
        using var operatorClient = fixture.ApiClient(fixture.OperatorKey);
        using var created = await operatorClient.PostAsJsonAsync("/api/v1/tenants", new { name = "Tenant B " + Guid.NewGuid().ToString("N")[..8] });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var tenantB = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var email = await fixture.CreateUserAsync(tenantB["id"]!.GetValue<Guid>(), tenantB["apiKey"]!.GetValue<string>(), "admin", Password);

        await using var context = await fixture.NewContextAsync();
        var browserPage = await context.NewPageAsync();
        await WithScreenshotOnFailureAsync(browserPage, "cross-tenant", async () =>
        {
            await BrowserFixture.SignInAsync(browserPage, email, Password);

            var response = await browserPage.GotoAsync($"/conversations/{conversationId}");

            var content = await browserPage.ContentAsync();
            content.Should().NotContain("Sheena Nelson", "tenant A's customer must not reach tenant B's browser");
            foreach (var text in texts)
            {
                content.Should().NotContain(text, "tenant A's messages must not reach tenant B's browser");
            }

            // The conversation view (when there) answers "Not found" for another tenant's id; without it, the server's 404.
            var notFound = response?.Status == (int)HttpStatusCode.NotFound || content.Contains("Not found", StringComparison.OrdinalIgnoreCase);
            notFound.Should().BeTrue($"another tenant's conversation reads as not found (status {response?.Status})");
            await ScreenshotAsync(browserPage, "cross-tenant-not-found.png");
        });
    }

    private async Task ScreenshotAsync(IPage page, string name) =>
        output.WriteLine($"screenshot: {await BrowserFixture.ScreenshotAsync(page, name)}");

    /// <summary>Runs the test's steps; when one fails, keeps a screenshot of where the browser was.</summary>
    private async Task WithScreenshotOnFailureAsync(IPage page, string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            output.WriteLine($"failed at {page.Url}");
            await ScreenshotAsync(page, $"failure-{name}.png");
            throw;
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Browser;

/// <summary>
/// Browser tests share one headless Chromium and one demo server, and run on their own (not next to the
/// parallel collections): a browser and a server process are heavy on a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserSuite : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser (Chromium)";
}

/// <summary>
/// Debian's Chromium driven by Playwright's bundled driver (no browser download: <c>ExecutablePath</c>),
/// against the real built server started in demo mode as a separate process on SQLite, a temporary data
/// directory and a free port, over real HTTP.
/// </summary>
public sealed partial class BrowserFixture : IAsyncLifetime
{
    /// <summary>The demo tenant's fixed id (<c>Switchboard:Demo:TenantId</c>).</summary>
    public static readonly Guid DemoTenantId = Guid.Parse("0197a3c2-0000-7000-8000-00000000b10e");

    public const string DemoPassword = "switchboard-demo";

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "browser-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? playwright;
    private IBrowser? browser;
    private SwitchboardProcess? server;

    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>What the server process wrote (warnings and errors): a failing test prints it.</summary>
    public string ServerOutput => Server.Output;

    /// <summary>The demo tenant's admin API key (<c>demo-tenant.key</c> in the data directory).</summary>
    public string DemoTenantKey { get; private set; } = "";

    /// <summary>The operator API key (<c>operator.key</c> in the data directory).</summary>
    public string OperatorKey { get; private set; } = "";

    /// <summary>Where screenshots go: <c>$SWITCHBOARD_ARTIFACTS/screenshots</c>, or <c>artifacts/screenshots</c> next to the test build.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("SWITCHBOARD_ARTIFACTS") is { Length: > 0 } artifacts ? artifacts : Path.Combine(AppContext.BaseDirectory, "artifacts"),
        "screenshots");

    private SwitchboardProcess Server => server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("SWITCHBOARD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium not found at {chromium}: install Debian's chromium package (scripts/test.sh does when missing).");
        }

        var serverStart = SwitchboardProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Switchboard:Demo"] = "true",
                ["Switchboard:Demo:TenantId"] = DemoTenantId.ToString(),
                ["Switchboard:Demo:Password"] = DemoPassword,
                ["Switchboard:DataDirectory"] = dataDirectory,
                ["Switchboard:Database:Provider"] = "sqlite",

                // These tests open conversations and expect them to wait for a person: no welcome flow (ADR 0045).
                ["Switchboard:Demo:WelcomeFlow"] = "false",

                // Every browser test signs in from 127.0.0.1: keep the per-address sign-in limit out of their way.
                ["Switchboard:RateLimits:Login:PermitLimit"] = "100000",

                // The demo accounts sign in dozens of times in one run, more than the per-account limit allows.
                ["Switchboard:RateLimits:LoginPerAccount:PermitLimit"] = "100000",
            },
            SwitchboardProcess.FreePort());

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Chromium's sandbox cannot run as root; /dev/shm is small in containers.
            Args = Environment.UserName == "root" ? ["--no-sandbox", "--disable-dev-shm-usage"] : ["--disable-dev-shm-usage"],
        });
        server = await serverStart;
        DemoTenantKey = await ReadKeyFileAsync("demo-tenant.key");
        OperatorKey = await ReadKeyFileAsync("operator.key");
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// A fresh browser context (a separate cookie jar: one person) with the server as base URL, in the
    /// IANA time zone <paramref name="timeZoneId"/> (the machine's when null), with the given window size and preferred colour scheme.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(string? timeZoneId = null, int width = 1280, int height = 800, ColorScheme colorScheme = ColorScheme.Light, Uri? baseAddress = null)
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseAddress ?? BaseAddress).ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timeZoneId,
            ColorScheme = colorScheme,
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(15_000);

        // Expectations wait as long as actions do: 5 s (Playwright's default) is short for a page that a loaded two-core runner
        // renders while a hundred other tests run beside it.
        Assertions.SetDefaultExpectTimeout(15_000);
        return context;
    }

    /// <summary>
    /// Makes every page of <paramref name="context"/> answer the server's calls of <c>switchboard.{function}</c> in dashboard.js
    /// <paramref name="milliseconds"/> late: the function itself runs only then. <c>window.late[function]</c> counts the calls
    /// asked for and answered, so a test can act in between.
    /// </summary>
    public static Task AnswerLateAsync(IBrowserContext context, string function, int milliseconds) => context.AddInitScriptAsync($$"""
        window.late = window.late || {};
        window.late['{{function}}'] = { asked: 0, answered: 0 };
        const wrap = setInterval(() => {
          const sb = window.switchboard;
          if (!sb || !sb['{{function}}']) return;
          clearInterval(wrap);
          const original = sb['{{function}}'];
          const calls = window.late['{{function}}'];
          sb['{{function}}'] = (...args) => {
            calls.asked++;
            return new Promise(done => setTimeout(() => { done(original(...args)); calls.answered++; }, {{milliseconds}}));
          };
        }, 1);
        """);

    /// <summary>
    /// Runs one step of a test; when it fails, the failure also carries what explains a page that stopped answering: the
    /// browser's console errors and warnings (Blazor reports an ended circuit there), the server's last 40 lines of output, and
    /// <paramref name="probe"/>'s markup on the page.
    /// </summary>
    public async Task StepAsync(IPage page, string step, ILocator probe, Func<Task> act)
    {
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Record(object? sender, IConsoleMessage message)
        {
            if (message.Type is "error" or "warning")
            {
                console.Enqueue($"{message.Type}: {message.Text}");
            }
        }

        page.Console += Record;
        try
        {
            await act();
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException or Xunit.Sdk.XunitException)
        {
            var markup = await probe.EvaluateAllAsync<string>("els => els.map(e => e.outerHTML).join('\\n')").WaitAsync(TimeSpan.FromSeconds(5));
            var server = string.Join(Environment.NewLine, ServerOutput.Split('\n').TakeLast(40));
            throw new InvalidOperationException(
                $"{step} failed ({ex.GetType().Name}: {ex.Message.Split('\n')[0]}).{Environment.NewLine}Browser console: {string.Join(" | ", console)}"
                + $"{Environment.NewLine}Markup: {(markup.Length > 1500 ? markup[..1500] : markup)}{Environment.NewLine}The server's last lines:{Environment.NewLine}{server}", ex);
        }
        finally
        {
            page.Console -= Record;
        }
    }

    /// <summary>Writes a full-page PNG to <see cref="ScreenshotDirectory"/> and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name.EndsWith(".png", StringComparison.Ordinal) ? name : name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Fills in and submits the login form (CONTRACT: email field, password field, submit button) and waits to leave it.</summary>
    public static async Task SubmitLoginAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("input[type=email]").FillAsync(email);
        await page.Locator("input[type=password]").FillAsync(password);
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/account/login");
    }

    /// <summary>Signs in with a password only (no MFA) and waits for the dashboard.</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await SubmitLoginAsync(page, email, password);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.GetByTestId("signed-in-as").WaitForAsync();
    }

    public HttpClient ApiClient(string key)
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>Invites a person to a tenant with its admin key and accepts the invite through the API; returns the email.</summary>
    public async Task<string> CreateUserAsync(Guid tenantId, string tenantKey, string role, string password)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        using var admin = ApiClient(tenantKey);
        using var invite = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/invites", new { email, role });
        invite.StatusCode.Should().Be(HttpStatusCode.Created, await invite.Content.ReadAsStringAsync());
        var url = (await invite.Content.ReadFromJsonAsync<JsonObject>())!["inviteUrl"]!.GetValue<string>();
        var code = Uri.UnescapeDataString(InviteCode().Match(url).Groups[1].Value);

        using var anonymous = Server.CreateClient();
        using var accepted = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, displayName = "Browser " + role, password });
        accepted.StatusCode.Should().Be(HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        return email;
    }

    private async Task<string> ReadKeyFileAsync(string name)
    {
        var file = Path.Combine(dataDirectory, name);
        return await Eventually.PollAsync(async () => File.Exists(file) && (await File.ReadAllTextAsync(file)).Trim() is { Length: > 0 } key ? key : null);
    }

    [GeneratedRegex("code=([^&\"]+)")]
    private static partial Regex InviteCode();
}

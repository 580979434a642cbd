using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchboard.Features.Audit;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Identity;

public sealed record TestUser(Guid Id, string Email, string Password);

public static partial class IdentityTestHelpers
{
    public const string Password = "correct horse battery staple";

    /// <summary>Invites a new person to the tenant with a role (admin key) and accepts the invite through the API.</summary>
    public static async Task<TestUser> CreateUserAsync(this SwitchboardApp app, TestTenant tenant, string role, string? email = null, string password = Password)
    {
        email ??= $"{role}-{Guid.NewGuid():N}@example.test";
        var code = await app.InviteAsync(tenant, email, role);
        using var anonymous = app.CreateClient();
        var accepted = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, displayName = "Test " + role, password });
        accepted.StatusCode.Should().Be(HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        var body = await accepted.ReadJsonAsync();
        return new TestUser(body["userId"]!.GetValue<Guid>(), email, password);
    }

    /// <summary>Creates an invite with the tenant's admin key and returns the code from its link.</summary>
    public static async Task<string> InviteAsync(this SwitchboardApp app, TestTenant tenant, string email, string role)
    {
        using var admin = app.ClientWithKey(tenant.ApiKey);
        var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email, role });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var url = (await response.ReadJsonAsync())["inviteUrl"]!.GetValue<string>();
        return Uri.UnescapeDataString(InviteCode().Match(url).Groups[1].Value);
    }

    /// <summary>A browser session signed in as <paramref name="user"/> (password only: no MFA).</summary>
    public static async Task<DashboardClient> SignInAsync(this SwitchboardApp app, TestUser user)
    {
        var browser = new DashboardClient(app);
        var response = await browser.LoginAsync(user.Email, user.Password);
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().Should().EndWith("/");
        return browser;
    }

    /// <summary>Turns MFA on from the security page of a signed-in browser; returns the shared key and the recovery codes.</summary>
    public static async Task<(string Key, List<string> RecoveryCodes)> EnrolMfaAsync(this DashboardClient browser, string setupPath = "/account/mfa/setup")
    {
        var page = await browser.Http.GetStringAsync(setupPath);
        var key = SharedKey().Match(page).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        key.Should().NotBeEmpty(page);
        var response = await browser.SubmitAsync(setupPath, "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, html);
        var codes = RecoveryCode().Matches(html).Select(m => m.Groups[1].Value).ToList();
        codes.Should().HaveCount(10, html);
        return (key, codes);
    }

    public static async Task<JsonObject> AuditAsync(this SwitchboardApp app, TestTenant tenant)
    {
        await using var db = app.NewDbContext();
        var entries = db.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.Sequence).Select(e => new { e.Action, e.Actor, e.Target, e.Detail }).ToList();
        return new JsonObject { ["actions"] = new JsonArray([.. entries.Select(e => JsonValue.Create(e.Action))]) };
    }

    [GeneratedRegex("code=([^&\"]+)")]
    private static partial Regex InviteCode();

    [GeneratedRegex("data-testid=\"shared-key\">([a-z0-9 ]+)<")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();
}

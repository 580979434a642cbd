using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Identity;

/// <summary>
/// Accepting an invite to an existing account's email is a sign-in: the inviter, who holds the link,
/// cannot use it to guess that account's password, nor to learn whether the email has an account.
/// </summary>
public abstract partial class InviteAcceptanceTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Repeated_wrong_passwords_through_an_invite_lock_the_account_and_are_audited_in_the_users_tenant()
    {
        var home = await App.CreateTenantAsync();
        var victim = await App.CreateUserAsync(home, "admin");
        var inviter = await App.CreateTenantAsync();
        var code = await App.InviteAsync(inviter, victim.Email, "agent");
        using var anonymous = App.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            var wrong = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = $"guess number {i} of many" });
            wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await wrong.ReadJsonAsync())["errors"]!["password"]![0]!.GetValue<string>().Should().Be(InviteAcceptance.PasswordRefused);
        }

        var right = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = victim.Password });
        right.StatusCode.Should().Be(HttpStatusCode.BadRequest, "the account is locked, so even its right password does not accept the invite");

        await using var db = App.NewDbContext();
        (await db.Users.SingleAsync(u => u.Id == victim.Id)).LockoutEnd.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(10));
        (await db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.TenantId == inviter.Id && m.UserId == victim.Id)).Should().BeFalse();
        var entries = await db.AuditEntries.Where(e => e.TenantId == home.Id && e.Target == $"user:{victim.Id}").ToListAsync();
        entries.Count(e => e.Action == "login.failed").Should().Be(6, "five wrong passwords and one attempt while locked");
        entries.Should().Contain(e => e.Action == "login.locked_out");
        entries.Where(e => e.Action == "login.failed").Should().AllSatisfy(e =>
            e.Detail.Should().Contain("\"via\":\"invite\"").And.Contain(inviter.Id.ToString()).And.NotContain("guess number"));

        using var browser = new DashboardClient(App);
        using var login = await browser.LoginAsync(victim.Email, victim.Password);
        (await login.Content.ReadAsStringAsync()).Should().Contain("Too many attempts", "the lockout is the account's, whichever door the guesses came through");
    }

    [Fact]
    public async Task An_existing_account_with_MFA_accepts_through_the_API_only_with_its_second_factor()
    {
        var home = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(home, "agent");
        List<string> recoveryCodes;
        using (var browser = await App.SignInAsync(user))
        {
            (_, recoveryCodes) = await browser.EnrolMfaAsync();
        }

        var other = await App.CreateTenantAsync();
        var code = await App.InviteAsync(other, user.Email, "manager");
        using var anonymous = App.CreateClient();

        var passwordOnly = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = user.Password });
        passwordOnly.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await passwordOnly.ReadJsonAsync())["errors"]!["authenticatorCode"]![0]!.GetValue<string>().Should().Be(InviteAcceptance.SecondFactorNeeded);

        var wrongCode = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = user.Password, authenticatorCode = "000000" });
        wrongCode.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrongCode.ReadJsonAsync())["errors"]!["authenticatorCode"]![0]!.GetValue<string>().Should().Be(InviteAcceptance.CodeRefused);

        var withRecovery = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = user.Password, recoveryCode = recoveryCodes[0] });
        withRecovery.StatusCode.Should().Be(HttpStatusCode.Created, await withRecovery.Content.ReadAsStringAsync());
        (await withRecovery.ReadJsonAsync())["userId"]!.GetValue<Guid>().Should().Be(user.Id);

        await using var db = App.NewDbContext();
        (await db.Memberships.IgnoreQueryFilters().SingleAsync(m => m.TenantId == other.Id && m.UserId == user.Id)).Role.Should().Be(TenantRole.Manager);
        (await db.Users.SingleAsync(u => u.Id == user.Id)).AccessFailedCount.Should().Be(0, "a completed sign-in clears the failures");
        var actions = await db.AuditEntries.Where(e => e.TenantId == home.Id && e.Target == $"user:{user.Id}").Select(e => e.Action).ToListAsync();
        actions.Should().Contain(["mfa.failed", "mfa.recovery_code_used"]);
    }

    [Fact]
    public async Task The_invite_page_asks_an_existing_account_with_MFA_for_its_code_and_gives_no_session()
    {
        var home = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(home, "agent");
        string key;
        using (var first = await App.SignInAsync(user))
        {
            (key, _) = await first.EnrolMfaAsync();
        }

        var other = await App.CreateTenantAsync();
        var page = "/account/invite?code=" + Uri.EscapeDataString(await App.InviteAsync(other, user.Email, "agent"));
        using var browser = new DashboardClient(App);

        using (var password = await browser.SubmitAsync(page, "accept-invite", new Dictionary<string, string> { ["Input.Password"] = user.Password }))
        {
            var html = await password.Content.ReadAsStringAsync();
            password.StatusCode.Should().Be(HttpStatusCode.OK, html);
            html.Should().Contain(System.Net.WebUtility.HtmlEncode(InviteAcceptance.SecondFactorNeeded)).And.Contain("authenticator-code").And.NotContain(user.Password);
        }

        (await browser.IsSignedInAsync()).Should().BeFalse("a password alone is not a session");
        using (var wrong = await browser.SubmitAsync(page, "accept-invite-code", new Dictionary<string, string> { ["CodeInput.AuthenticatorCode"] = "000000" }))
        {
            (await wrong.Content.ReadAsStringAsync()).Should().Contain("That code is not valid");
        }

        using (var right = await browser.SubmitAsync(page, "accept-invite-code", new Dictionary<string, string> { ["CodeInput.AuthenticatorCode"] = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) }))
        {
            var html = await right.Content.ReadAsStringAsync();
            html.Should().Contain("You're in", html);
        }

        (await browser.IsSignedInAsync()).Should().BeFalse("accepting an invite joins the tenant; signing in is its own step");
        await using var db = App.NewDbContext();
        (await db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.TenantId == other.Id && m.UserId == user.Id)).Should().BeTrue();
    }

    [Fact]
    public async Task The_invite_page_and_the_API_answer_the_same_for_new_and_existing_emails()
    {
        var home = await App.CreateTenantAsync();
        var existing = await App.CreateUserAsync(home, "agent");
        var inviter = await App.CreateTenantAsync();
        var newEmail = $"agent-{Guid.NewGuid():N}@example.test";
        var existingCode = await App.InviteAsync(inviter, existing.Email, "agent");
        var newCode = await App.InviteAsync(inviter, newEmail, "agent");

        var pages = new List<string>();
        foreach (var (email, code) in new[] { (existing.Email, existingCode), (newEmail, newCode) })
        {
            using var browser = new DashboardClient(App);
            var path = "/account/invite?code=" + Uri.EscapeDataString(code);
            pages.Add(Anonymize(await browser.Http.GetStringAsync(path), email, code));
            foreach (var password in new[] { "too short", "aaaaaaaaaaaaaaaa" })
            {
                using var response = await browser.SubmitAsync(path, "accept-invite", new Dictionary<string, string> { ["Input.Password"] = password });
                pages.Add($"{(int)response.StatusCode} {Anonymize(await response.Content.ReadAsStringAsync(), email, code)}");
            }
        }

        pages[0].Should().Contain("If you already have a Switchboard account").And.NotContain("already has an account");
        pages[1].Should().Contain(System.Net.WebUtility.HtmlEncode(InviteAcceptance.PasswordRefused));
        pages.Skip(3).Should().Equal(pages.Take(3), "the page reads the same for an email with an account and one without");

        var answers = new List<string>();
        using var anonymous = App.CreateClient();
        foreach (var code in new[] { existingCode, newCode })
        {
            foreach (var password in new[] { "too short", "aaaaaaaaaaaaaaaa" })
            {
                using var response = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, displayName = "Someone", password });
                var body = await response.ReadJsonAsync();
                body.Remove("traceId");
                answers.Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType} {body.ToJsonString()}");
            }
        }

        answers[0].Should().StartWith("400 application/problem+json").And.Contain("\"password\"");
        answers.Skip(2).Should().Equal(answers.Take(2), "the API answers the same status and body for an email with an account and one without");
    }

    /// <summary>The page without what differs by design: the email and code of each invite, and the per-request antiforgery token.</summary>
    private static string Anonymize(string html, string email, string code)
    {
        html = html.Replace(email, "EMAIL", StringComparison.Ordinal).Replace(code, "CODE", StringComparison.Ordinal);
        html = AntiforgeryValue().Replace(html, "TOKEN");
        return BlazorState().Replace(html, "<!--Blazor-->");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]+\"")]
    private static partial Regex AntiforgeryValue();

    /// <summary>Blazor's markers carry per-request encrypted state (a fresh nonce each time).</summary>
    [GeneratedRegex("<!--Blazor[^>]*-->")]
    private static partial Regex BlazorState();
}

public sealed class InviteAcceptanceTests_Sqlite(SqliteAppFixture fixture) : InviteAcceptanceTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class InviteAcceptanceTests_Postgres(PostgresAppFixture fixture) : InviteAcceptanceTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>A per-account sign-in budget low enough to reach: 4 attempts per account per 15 minutes.</summary>
public abstract class InviteThrottleFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public const int PerAccount = 4;

    protected override Task<IDictionary<string, string?>?> SettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(new Dictionary<string, string?>
    {
        ["Switchboard:RateLimits:LoginPerAccount:PermitLimit"] = PerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:RateLimits:LoginPerAccount:Window"] = "00:15:00",
    });
}

public sealed class SqliteInviteThrottleFixture() : InviteThrottleFixture(DatabaseProvider.Sqlite);

public sealed class PostgresInviteThrottleFixture() : InviteThrottleFixture(DatabaseProvider.Postgres);

public abstract class InviteThrottleTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Invite_attempts_spend_the_accounts_sign_in_budget_and_a_new_email_meets_the_same_limit()
    {
        var home = await App.CreateTenantAsync();
        var existing = await App.CreateUserAsync(home, "agent"); // its own acceptance spent one attempt
        var inviter = await App.CreateTenantAsync();
        var existingCode = await App.InviteAsync(inviter, existing.Email, "agent");
        var newCode = await App.InviteAsync(inviter, $"agent-{Guid.NewGuid():N}@example.test", "agent");
        using var anonymous = App.CreateClient();

        async Task<List<HttpStatusCode>> GuessAsync(string code, int times)
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < times; i++)
            {
                using var response = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = "too short" });
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    response.Headers.RetryAfter!.Delta.Should().BePositive();
                    (await response.ReadJsonAsync())["type"]!.GetValue<string>().Should().Be("https://switchboard.dev/problems/rate-limited");
                }
            }

            return statuses;
        }

        var forExisting = await GuessAsync(existingCode, InviteThrottleFixture.PerAccount);
        forExisting.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, InviteThrottleFixture.PerAccount - 1), HttpStatusCode.TooManyRequests]);
        using var browser = new DashboardClient(App);
        using (var login = await browser.LoginAsync(existing.Email, existing.Password))
        {
            (await login.Content.ReadAsStringAsync()).Should().Contain("Too many attempts", "the login form and the invite share the account's budget");
        }

        await using (var db = App.NewDbContext())
        {
            (await db.Users.SingleAsync(u => u.Id == existing.Id)).LockoutEnd.Should().BeNull("the throttle, not the lockout, refused the last attempts");
        }

        var forNew = await GuessAsync(newCode, InviteThrottleFixture.PerAccount + 1);
        forNew.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, InviteThrottleFixture.PerAccount), HttpStatusCode.TooManyRequests]);
    }
}

public sealed class InviteThrottleTests_Sqlite(SqliteInviteThrottleFixture fixture) : InviteThrottleTests(fixture), IClassFixture<SqliteInviteThrottleFixture>;

public sealed class InviteThrottleTests_Postgres(PostgresInviteThrottleFixture fixture) : InviteThrottleTests(fixture), IClassFixture<PostgresInviteThrottleFixture>;

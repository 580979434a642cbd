using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Identity;

public abstract partial class SignInTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_the_login_form()
    {
        using var browser = new DashboardClient(App);
        using var home = await browser.GetAsync("/");

        home.StatusCode.Should().Be(HttpStatusCode.Redirect);
        home.Headers.Location!.PathAndQuery.Should().Be("/account/login?returnUrl=%2F");
        var form = await browser.Http.GetStringAsync("/account/login");
        form.Should().Contain("type=\"email\"").And.Contain("type=\"password\"").And.Contain("type=\"submit\"").And.Contain("__RequestVerificationToken");
    }

    [Fact]
    public async Task Dashboard_pages_carry_the_full_content_security_policy_and_unknown_pages_are_the_dashboards_not_found()
    {
        using var browser = new DashboardClient(App);
        using var login = await browser.GetAsync("/account/login");
        var csp = string.Join(" ", login.Headers.GetValues("Content-Security-Policy"));
        csp.Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Contain("object-src 'none'");
        login.Headers.GetValues("Content-Security-Policy").Should().ContainSingle("Blazor must not add a second, weaker policy");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html");
        using var missing = await browser.Http.SendAsync(request);
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).Should().Contain("data-testid=\"not-found\"");
        using var api = await browser.GetAsync("/api/v1/no-such-route");
        api.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task An_invited_user_signs_in_with_an_HttpOnly_SameSite_session_cookie_and_works_in_the_inviting_tenant()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = new DashboardClient(App);

        using var login = await browser.LoginAsync(agent.Email, agent.Password);

        login.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var session = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("switchboard=", StringComparison.Ordinal));
        session.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/");
        var home = await browser.Http.GetStringAsync("/account/security");
        home.Should().Contain(tenant.Id.ToString()).And.Contain("agent");
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = new DashboardClient(App);

        using var response = await browser.Http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.Email"] = agent.Email,
            ["Input.Password"] = agent.Password,
        }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await browser.IsSignedInAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Passwords_need_12_characters_and_are_stored_as_PBKDF2_with_at_least_100000_iterations()
    {
        var tenant = await App.CreateTenantAsync();
        var code = await App.InviteAsync(tenant, $"short-{Guid.NewGuid():N}@example.test", "agent");
        using var anonymous = App.CreateClient();

        var tooShort = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = "eleven-char" });
        tooShort.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooShort.ReadJsonAsync())["errors"]!["password"]!.ToString().Should().Contain("12");

        var user = await App.CreateUserAsync(tenant, "agent", password: "twelve-chars");
        await using var db = App.NewDbContext();
        var stored = await db.Users.SingleAsync(u => u.Id == user.Id);
        stored.PasswordHash.Should().NotContain("twelve-chars");
        var hash = Convert.FromBase64String(stored.PasswordHash!);
        hash[0].Should().Be(0x01, "Identity's v3 format: PBKDF2 with a random salt");
        var prf = (hash[1] << 24) | (hash[2] << 16) | (hash[3] << 8) | hash[4];
        var iterations = (hash[5] << 24) | (hash[6] << 16) | (hash[7] << 8) | hash[8];
        prf.Should().Be(2, "HMAC-SHA512");
        iterations.Should().BeGreaterThanOrEqualTo(100_000);
    }

    [Fact]
    public async Task Wrong_passwords_get_one_generic_answer_and_lock_the_account_after_five()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = new DashboardClient(App);

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await browser.LoginAsync(agent.Email, "not the password at all");
            wrong.StatusCode.Should().Be(HttpStatusCode.OK);
            var html = await wrong.Content.ReadAsStringAsync();
            html.Should().Contain(i < 4 ? SignInFlow.GenericFailure : "Too many attempts");
        }

        using var right = await browser.LoginAsync(agent.Email, agent.Password);
        right.StatusCode.Should().Be(HttpStatusCode.OK, "the account is locked, so even the right password does not sign in");
        (await right.Content.ReadAsStringAsync()).Should().Contain("Too many attempts");
        (await browser.IsSignedInAsync()).Should().BeFalse();

        await using var db = App.NewDbContext();
        (await db.Users.SingleAsync(u => u.Id == agent.Id)).LockoutEnd.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(10));
        var actions = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Target == $"user:{agent.Id}").Select(e => e.Action).ToListAsync();
        actions.Count(a => a == "login.failed").Should().Be(6);
        actions.Should().Contain("login.locked_out");
    }

    [Fact]
    public async Task An_unknown_account_gets_the_same_answer_and_is_audited_on_the_platform_chain_without_the_password()
    {
        using var browser = new DashboardClient(App);
        var email = $"nobody-{Guid.NewGuid():N}@example.test";

        using var response = await browser.LoginAsync(email, "some password typed by someone");

        (await response.Content.ReadAsStringAsync()).Should().Contain(SignInFlow.GenericFailure);
        await using var db = App.NewDbContext();
        var entry = await db.AuditEntries.Where(e => e.TenantId == Guid.Empty && e.ActorName == email).SingleAsync();
        entry.Action.Should().Be("login.failed");
        (entry.Detail + entry.ActorName + entry.Target).Should().NotContain("some password");
    }

    [Fact]
    public async Task With_MFA_on_sign_in_needs_an_authenticator_code_each_code_works_once_and_recovery_codes_work_once()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(tenant, "manager");
        string key;
        List<string> recoveryCodes;
        using (var first = await App.SignInAsync(user))
        {
            (key, recoveryCodes) = await first.EnrolMfaAsync();
        }

        using var browser = new DashboardClient(App);
        using (var login = await browser.LoginAsync(user.Email, user.Password))
        {
            login.StatusCode.Should().Be(HttpStatusCode.Redirect);
            login.Headers.Location!.ToString().Should().EndWith("/account/mfa");
        }

        (await browser.IsSignedInAsync()).Should().BeFalse("a password alone is not a session");
        using (var wrong = await browser.SubmitCodeAsync("000000"))
        {
            (await wrong.Content.ReadAsStringAsync()).Should().Contain("not valid");
        }

        var code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30));
        using (var right = await browser.SubmitCodeAsync(code))
        {
            right.StatusCode.Should().Be(HttpStatusCode.Redirect, await right.Content.ReadAsStringAsync());
        }

        (await browser.IsSignedInAsync()).Should().BeTrue();

        using var replay = new DashboardClient(App);
        (await replay.LoginAsync(user.Email, user.Password)).Headers.Location!.ToString().Should().EndWith("/account/mfa");
        using (var again = await replay.SubmitCodeAsync(code))
        {
            again.StatusCode.Should().Be(HttpStatusCode.OK, "a code that was used once is refused");
        }

        using (var recovery = await replay.SubmitAsync("/account/mfa/recovery", "recovery", new Dictionary<string, string> { ["Input.Code"] = recoveryCodes[0] }))
        {
            recovery.StatusCode.Should().Be(HttpStatusCode.Redirect, await recovery.Content.ReadAsStringAsync());
        }

        (await replay.IsSignedInAsync()).Should().BeTrue();

        using var reuse = new DashboardClient(App);
        await reuse.LoginAsync(user.Email, user.Password);
        using (var used = await reuse.SubmitAsync("/account/mfa/recovery", "recovery", new Dictionary<string, string> { ["Input.Code"] = recoveryCodes[0] }))
        {
            used.StatusCode.Should().Be(HttpStatusCode.OK);
            (await used.Content.ReadAsStringAsync()).Should().Contain("not valid");
        }

        await using var db = App.NewDbContext();
        var actions = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Target == $"user:{user.Id}").Select(e => e.Action).ToListAsync();
        actions.Should().Contain(["mfa.enabled", "mfa.recovery_codes_generated", "mfa.failed", "mfa.recovery_code_used", "login.succeeded"]);
        var secrets = await db.Set<Microsoft.AspNetCore.Identity.IdentityUserToken<Guid>>().Where(t => t.UserId == user.Id).Select(t => t.Value).ToListAsync();
        secrets.Should().NotBeEmpty();
        secrets.Should().AllSatisfy(v => v!.Should().NotContain(key).And.NotContain(recoveryCodes[1]), "authenticator keys and recovery codes are sealed at rest");
    }

    [Fact]
    public async Task When_the_tenant_requires_MFA_a_user_without_it_must_enrol_before_getting_a_session()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using (var admin = App.ClientWithKey(tenant.ApiKey))
        {
            var set = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/settings", new { mfaRequired = true });
            set.StatusCode.Should().Be(HttpStatusCode.OK);
            (await set.ReadJsonAsync())["mfaRequired"]!.GetValue<bool>().Should().BeTrue();
        }

        using var browser = new DashboardClient(App);
        using (var login = await browser.LoginAsync(agent.Email, agent.Password))
        {
            login.Headers.Location!.ToString().Should().EndWith("/account/mfa/setup");
        }

        (await browser.IsSignedInAsync()).Should().BeFalse();
        using (var setup = await browser.GetAsync("/account/mfa/setup"))
        {
            setup.StatusCode.Should().Be(HttpStatusCode.OK, setup.Headers.Location?.ToString());
            (await setup.Content.ReadAsStringAsync()).Should().Contain("requires two-factor");
        }

        await browser.EnrolMfaAsync();

        (await browser.IsSignedInAsync()).Should().BeTrue();
        await using var db = App.NewDbContext();
        var actions = await db.AuditEntries.Where(e => e.TenantId == tenant.Id).Select(e => e.Action).ToListAsync();
        actions.Should().Contain(["settings.changed", "mfa.enabled", "login.succeeded"]);
    }

    [Fact]
    public async Task Disabling_a_user_refuses_their_personal_token_at_once_and_ends_their_session_within_a_minute()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(agent);
        var token = await CreatePersonalTokenAsync(browser);
        using var tokenClient = App.ClientWithKey(token);
        (await tokenClient.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{agent.Id}/disable", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await tokenClient.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await Eventually.PollValueAsync<bool>(async () => await browser.IsSignedInAsync() ? null : true, seconds: 60);
        using var again = new DashboardClient(App);
        await again.LoginAsync(agent.Email, agent.Password);
        (await again.Http.GetStringAsync("/account/security")).Should().Contain("not working in a tenant", "a disabled membership gives no tenant session");

        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{agent.Id}/enable", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var back = await App.SignInAsync(agent);
        (await back.Http.GetStringAsync("/account/security")).Should().Contain(tenant.Id.ToString());
    }

    [Fact]
    public async Task An_open_event_stream_ends_within_a_minute_when_its_user_is_disabled()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(agent);
        var token = await CreatePersonalTokenAsync(browser);
        using var client = App.ClientWithKey(token);
        client.Timeout = TimeSpan.FromSeconds(90);
        using var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/events", HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync())!.Should().StartWith("retry:");

        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{agent.Id}/disable", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sawEnd = false;
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            sawEnd |= line == "event: session-ended";
        }

        sawEnd.Should().BeTrue("the server ends the stream, telling the client why, rather than the client timing out");
    }

    [Fact]
    public async Task Changing_a_role_ends_the_session_and_a_personal_token_follows_the_new_role_at_once()
    {
        var tenant = await App.CreateTenantAsync();
        var manager = await App.CreateUserAsync(tenant, "manager");
        using var browser = await App.SignInAsync(manager);
        var token = await CreatePersonalTokenAsync(browser);
        using var tokenClient = App.ClientWithKey(token);
        (await tokenClient.GetAsync($"/api/v1/tenants/{tenant.Id}/users")).StatusCode.Should().Be(HttpStatusCode.OK, "managers see the team");

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var change = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{manager.Id}/role", new { role = "agent" });
        change.StatusCode.Should().Be(HttpStatusCode.OK);
        (await change.ReadJsonAsync())["role"]!.GetValue<string>().Should().Be("agent");

        (await tokenClient.GetAsync($"/api/v1/tenants/{tenant.Id}/users")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "agents do not");
        (await tokenClient.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.PollValueAsync<bool>(async () => await browser.IsSignedInAsync() ? null : true, seconds: 60);

        await using var db = App.NewDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.TenantId == tenant.Id && e.Action == "user.role_changed");
        entry.Detail.Should().Contain("manager").And.Contain("agent");
        entry.Actor.Should().StartWith("token:");
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_demoted_or_disabled()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var client = App.ClientWithKey(tenant.ApiKey);

        var demote = await client.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{admin.Id}/role", new { role = "agent" });
        demote.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/users/{admin.Id}/disable", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var bad = await client.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/users/{admin.Id}/role", new { role = "owner" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["role"].Should().NotBeNull();
    }

    [Fact]
    public async Task Invite_links_work_once_and_not_when_revoked_or_tampered_with()
    {
        var tenant = await App.CreateTenantAsync();
        using var anonymous = App.CreateClient();
        var code = await App.InviteAsync(tenant, $"once-{Guid.NewGuid():N}@example.test", "agent");

        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code = code[..^2] + "xx", password = IdentityTestHelpers.Password })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = IdentityTestHelpers.Password })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = IdentityTestHelpers.Password })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var admin = App.ClientWithKey(tenant.ApiKey);
        var invite = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = $"revoked-{Guid.NewGuid():N}@example.test", role = "agent" });
        var body = await invite.ReadJsonAsync();
        body["inviteUrl"]!.GetValue<string>().Should().Contain("/account/invite?code=", "no mail server: the admin gets the link to pass on");
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/invites/{body["id"]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var revokedCode = Uri.UnescapeDataString(body["inviteUrl"]!.GetValue<string>().Split("code=")[1]);
        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code = revokedCode, password = IdentityTestHelpers.Password })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await new DashboardClient(App).Http.GetStringAsync("/account/invite?code=" + Uri.EscapeDataString(revokedCode))).Should().Contain("Invite not valid");
    }

    [Fact]
    public async Task An_existing_user_joins_a_second_tenant_and_switches_between_them_explicitly()
    {
        var first = await App.CreateTenantAsync("Agency client one");
        var second = await App.CreateTenantAsync("Agency client two");
        var user = await App.CreateUserAsync(first, "agent");
        var code = await App.InviteAsync(second, user.Email, "manager");
        using var anonymous = App.CreateClient();
        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = "wrong password!!" })).StatusCode.Should().Be(HttpStatusCode.BadRequest, "an existing account proves itself with its password");
        (await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, password = user.Password })).StatusCode.Should().Be(HttpStatusCode.Created);

        using var browser = await App.SignInAsync(user);
        var home = await browser.Http.GetStringAsync("/account/security");
        var current = home.Contains(first.Id.ToString(), StringComparison.Ordinal) ? first : second;
        var other = current == first ? second : first;
        (await browser.GetAsync($"/api/v1/tenants/{other.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a session works in one tenant at a time");

        using var switched = await browser.SubmitAsync("/account/tenant", "switch-tenant", new Dictionary<string, string> { ["TenantId"] = other.Id.ToString() });
        switched.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await browser.Http.GetStringAsync("/account/security")).Should().Contain(other.Id.ToString());
        (await browser.GetAsync($"/api/v1/tenants/{other.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync($"/api/v1/tenants/{current.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_session_cookie_reads_the_API_but_cannot_write_through_it()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);

        (await browser.GetAsync($"/api/v1/tenants/{tenant.Id}/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var write = await browser.Http.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email = "x@example.test", role = "agent" });
        write.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "API writes need a token, so a cookie cannot be ridden across sites");
    }

    private static async Task<string> CreatePersonalTokenAsync(DashboardClient browser)
    {
        using var response = await browser.SubmitAsync("/account/security", "create-token", new Dictionary<string, string> { ["Input.Name"] = "cli", ["TokenInput.Name"] = "cli", ["TokenInput.Days"] = "30" });
        var html = await response.Content.ReadAsStringAsync();
        var match = NewToken().Match(html);
        match.Success.Should().BeTrue(html);
        return match.Groups[1].Value;
    }

    [GeneratedRegex("data-testid=\"new-token\"><code>([^<]+)</code>")]
    private static partial Regex NewToken();
}

public sealed class SignInTests_Sqlite(SqliteAppFixture fixture) : SignInTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SignInTests_Postgres(PostgresAppFixture fixture) : SignInTests(fixture), IClassFixture<PostgresAppFixture>;

public sealed class TotpTests
{
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(20000000000L, "65353130")]
    public void The_test_helper_matches_RFC_6238_appendix_B(long unixTime, string expected) =>
        Totp.Code("12345678901234567890"u8.ToArray(), unixTime / 30, 8).Should().Be(expected);
}

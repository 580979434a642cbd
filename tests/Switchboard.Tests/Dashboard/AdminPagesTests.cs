using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Identity;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Dashboard;

/// <summary>The admin and operator pages, driven like a browser: server-rendered forms with antiforgery tokens.</summary>
public abstract partial class AdminPagesTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_admin_invites_someone_from_the_users_page_and_the_link_lets_them_join_with_that_role()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        var email = $"invited-{Guid.NewGuid():N}@example.test";

        using var invited = await browser.SubmitAsync("/admin/users", "invite", new Dictionary<string, string> { ["Invite.Email"] = email, ["Invite.Role"] = "manager" });

        var html = await invited.Content.ReadAsStringAsync();
        invited.StatusCode.Should().Be(HttpStatusCode.OK, html);
        var link = new Uri(WebUtility.HtmlDecode(InviteLink().Match(html).Groups[1].Value));
        link.AbsolutePath.Should().Be("/account/invite");
        html.Should().Contain("data-testid=\"invites-table\"").And.Contain(email);

        var code = Uri.UnescapeDataString(link.Query["?code=".Length..]);
        using var newcomer = new DashboardClient(App);
        using var joined = await newcomer.SubmitAsync(link.PathAndQuery, "accept-invite", new Dictionary<string, string>
        {
            ["Input.Code"] = code,
            ["Input.DisplayName"] = "Invited Manager",
            ["Input.Password"] = IdentityTestHelpers.Password,
        });
        (await joined.Content.ReadAsStringAsync()).Should().Contain("You're in");

        using var manager = await App.SignInAsync(new TestUser(Guid.Empty, email, IdentityTestHelpers.Password));
        var home = await manager.Http.GetStringAsync("/account/security");
        home.Should().Contain(tenant.Id.ToString()).And.Contain("manager");
    }

    [Fact]
    public async Task An_admin_changes_a_role_and_is_told_nicely_that_the_last_admin_must_stay()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(admin);

        using var changed = await browser.SubmitAsync("/admin/users", "change-role", new Dictionary<string, string> { ["Change.UserId"] = agent.Id.ToString(), ["Change.Role"] = "manager" });

        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await changed.Content.ReadAsStringAsync()).Should().Contain("data-testid=\"users-notice\"").And.Contain($"{agent.Email} is now manager");
        (await RoleOfAsync(tenant, agent)).Should().Be(TenantRole.Manager);

        using var demoted = await browser.SubmitAsync("/admin/users", "change-role", new Dictionary<string, string> { ["Change.UserId"] = admin.Id.ToString(), ["Change.Role"] = "agent" });

        var html = await demoted.Content.ReadAsStringAsync();
        demoted.StatusCode.Should().Be(HttpStatusCode.OK);
        html.Should().Contain("data-testid=\"users-error\"").And.Contain("A tenant needs at least one active admin");
        (await RoleOfAsync(tenant, admin)).Should().Be(TenantRole.Admin);
    }

    [Fact]
    public async Task An_admin_disables_and_enables_a_member()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(admin);

        using var disabled = await browser.SubmitAsync("/admin/users", "set-status", new Dictionary<string, string> { ["Status.UserId"] = agent.Id.ToString(), ["Status.Enable"] = "false" });
        (await disabled.Content.ReadAsStringAsync()).Should().Contain($"{agent.Email} is disabled");
        (await StatusOfAsync(tenant, agent)).Should().Be(MembershipStatus.Disabled);

        using var enabled = await browser.SubmitAsync("/admin/users", "set-status", new Dictionary<string, string> { ["Status.UserId"] = agent.Id.ToString(), ["Status.Enable"] = "true" });
        (await enabled.Content.ReadAsStringAsync()).Should().Contain($"{agent.Email} is active");
        (await StatusOfAsync(tenant, agent)).Should().Be(MembershipStatus.Active);
    }

    [Fact]
    public async Task An_admin_requires_two_factor_sign_in_and_the_audit_page_shows_the_change()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        (await browser.Http.GetStringAsync("/admin/settings")).Should().Contain("data-testid=\"mfa-required\">not required<");

        using var toggled = await browser.SubmitAsync("/admin/settings", "mfa-required", new Dictionary<string, string> { ["MfaRequired"] = "true" });

        (await toggled.Content.ReadAsStringAsync()).Should().Contain("data-testid=\"mfa-required\">required<");
        await using (var db = App.NewDbContext())
        {
            (await db.Tenants.SingleAsync(t => t.Id == tenant.Id)).MfaRequired.Should().BeTrue();
        }

        var audit = await browser.Http.GetStringAsync("/admin/audit?action=settings.");
        audit.Should().Contain("data-testid=\"audit-table\"").And.Contain("data-action=\"settings.changed\"").And.Contain(admin.Email);
        audit.Should().NotContain("data-action=\"user.invited\"", "the filter keeps only settings.* entries");
    }

    [Fact]
    public async Task An_admin_creates_an_integration_token_that_is_shown_once_and_revokes_it()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        var page = await browser.Http.GetStringAsync("/admin/settings");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;

        using var created = await browser.Http.PostAsync("/admin/settings", new FormUrlEncodedContent(
        [
            new("_handler", "create-token"),
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token)),
            new("Token.Name", "CRM sync"),
            new("Token.Days", "30"),
            new("scope", Permissions.ConversationsRead),
            new("scope", Permissions.MessagesSend),
        ]));

        var html = await created.Content.ReadAsStringAsync();
        var secret = NewToken().Match(html).Groups[1].Value;
        secret.Should().NotBeEmpty(html);
        using var api = App.ClientWithKey(secret);
        (await api.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.GetAsync($"/api/v1/tenants/{tenant.Id}/users")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var list = await browser.Http.GetStringAsync("/admin/settings");
        list.Should().Contain("CRM sync").And.NotContain(secret);

        await using var db = App.NewDbContext();
        var id = (await db.ApiTokens.SingleAsync(t => t.TenantId == tenant.Id && t.Name == "CRM sync")).Id;
        using var revoked = await browser.SubmitAsync("/admin/settings", "revoke-token", new Dictionary<string, string> { ["RevokeTokenId"] = id.ToString() });
        (await revoked.Content.ReadAsStringAsync()).Should().Contain("Token revoked.");
        (await api.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/admin/settings")]
    [InlineData("/admin/audit")]
    [InlineData("/operator/tenants")]
    [InlineData("/operator/quarantine")]
    public async Task An_agent_is_sent_to_the_denied_page(string path)
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(agent);

        using var response = await browser.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.Should().Be("/account/denied");
    }

    [Fact]
    public async Task An_agent_sees_channels_read_only_and_a_forged_change_is_refused()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(agent);

        var page = await browser.Http.GetStringAsync("/admin/channels");
        page.Should().Contain("data-testid=\"channel-row\"").And.NotContain("add-channel-form").And.NotContain("Rotate credentials");

        using var forged = await browser.SubmitAsync("/admin/channels", "revoke-channel", new Dictionary<string, string> { ["RevokeChannelId"] = channel["id"]!.ToString() });

        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await using var db = App.NewDbContext();
        (await db.Channels.SingleAsync(c => c.TenantId == tenant.Id)).RevokedAt.Should().BeNull();
    }

    [Fact]
    public async Task A_manager_sees_the_users_but_cannot_change_roles()
    {
        var tenant = await App.CreateTenantAsync();
        var manager = await App.CreateUserAsync(tenant, "manager");
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(manager);

        var page = await browser.Http.GetStringAsync("/admin/users");
        page.Should().Contain("data-testid=\"users-table\"").And.Contain(agent.Email);
        page.Should().NotContain("name=\"Change.Role\"").And.NotContain("invite-form").And.NotContain("Disable");

        using var forged = await browser.SubmitAsync("/admin/users", "change-role", new Dictionary<string, string> { ["Change.UserId"] = agent.Id.ToString(), ["Change.Role"] = "admin" });

        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await forged.Content.ReadAsStringAsync()).Should().Contain("Your role does not allow this change.");
        (await RoleOfAsync(tenant, agent)).Should().Be(TenantRole.Agent);
        using var settings = await browser.GetAsync("/admin/settings");
        settings.Headers.Location!.AbsolutePath.Should().Be("/account/denied");
    }

    [Fact]
    public async Task Adding_a_channel_shows_its_webhook_and_only_masked_secrets()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        var request = Builders.ChannelRequest();
        var secrets = new[] { (string)request["appSecret"]!, (string)request["accessToken"]!, (string)request["verifyToken"]! };
        var fields = request.ToDictionary(f => "NewChannel." + char.ToUpperInvariant(f.Key[0]) + f.Key[1..], f => (string)f.Value!);

        using var invalid = await browser.SubmitAsync("/admin/channels", "add-channel", new Dictionary<string, string>(fields) { ["NewChannel.PhoneNumberId"] = "not-a-number" });
        var invalidHtml = WebUtility.HtmlDecode(await invalid.Content.ReadAsStringAsync());
        invalidHtml.Should().Contain("Must be Meta's numeric id").And.NotContain("data-testid=\"channel-row\"");
        invalidHtml.Should().NotContainAny(secrets);

        using var added = await browser.SubmitAsync("/admin/channels", "add-channel", fields);

        var html = WebUtility.HtmlDecode(await added.Content.ReadAsStringAsync());
        added.StatusCode.Should().Be(HttpStatusCode.OK);
        html.Should().Contain("data-testid=\"channel-row\"").And.Contain(fields["NewChannel.PhoneNumberId"]);
        html.Should().Contain("••••" + secrets[0][^4..]).And.Contain("••••" + secrets[1][^4..]);
        html.Should().Contain($"/webhooks/whatsapp/{tenant.Id}");
        html.Should().NotContainAny(secrets);
        WebUtility.HtmlDecode(await browser.Http.GetStringAsync("/admin/channels")).Should().NotContainAny(secrets);
    }

    [Fact]
    public async Task An_admin_rotates_credentials_and_revokes_a_channel_after_confirming()
    {
        var tenant = await App.CreateTenantAsync();
        var channelId = (await App.CreateChannelAsync(tenant))["id"]!.ToString();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        await using (var db = App.NewDbContext())
        {
            await db.Channels.Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.NeedsReauthorization));
        }

        (await browser.Http.GetStringAsync("/admin/channels")).Should().Contain("data-testid=\"channel-status\">needs re-authorisation<");

        using var rotated = await browser.SubmitAsync("/admin/channels", "rotate-channel", new Dictionary<string, string>
        {
            ["Rotate.ChannelId"] = channelId,
            ["Rotate.AccessToken"] = "EAAG-new-access-token-9876",
            ["Rotate.AppSecret"] = "",
        });
        var rotatedHtml = WebUtility.HtmlDecode(await rotated.Content.ReadAsStringAsync());
        rotatedHtml.Should().Contain("Credentials rotated.").And.Contain("••••9876").And.NotContain("EAAG-new-access-token-9876");
        rotatedHtml.Should().Contain("data-testid=\"channel-status\">active<");

        var confirm = await browser.Http.GetStringAsync($"/admin/channels?revoke={channelId}");
        confirm.Should().Contain("data-testid=\"revoke-confirm\"");
        using var revoked = await browser.SubmitAsync("/admin/channels", "revoke-channel", new Dictionary<string, string> { ["RevokeChannelId"] = channelId });

        var html = await revoked.Content.ReadAsStringAsync();
        html.Should().Contain("Channel revoked.").And.Contain("data-testid=\"channel-status\">revoked<").And.NotContain("data-testid=\"revoke-confirm\"");
    }

    [Fact]
    public async Task The_audit_page_verifies_the_chain_and_pages_to_older_entries()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);

        using var verified = await browser.SubmitAsync("/admin/audit", "verify", new Dictionary<string, string>());

        (await verified.Content.ReadAsStringAsync()).Should().MatchRegex("data-testid=\"verify-result\" data-valid=\"true\">Valid: [1-9][0-9]* entries checked");

        for (var i = 0; i < 51; i++)
        {
            await using var db = App.NewDbContext();
            await AuditLog.RecordAsync(db, tenant.Id, AuditActor.System, "test.filler", null, null, DateTimeOffset.UtcNow, default);
        }

        var first = await browser.Http.GetStringAsync("/admin/audit");
        var older = WebUtility.HtmlDecode(OlderLink().Match(first).Groups[1].Value);
        older.Should().Contain("cursor=");
        var second = await browser.Http.GetStringAsync(older);
        second.Should().Contain("data-action=\"user.invited\"");
    }

    [Fact]
    public async Task The_audit_page_names_the_first_broken_entry_of_a_tampered_chain()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.CreateUserAsync(tenant, "admin");
        using var browser = await App.SignInAsync(admin);
        Guid tampered;
        await using (var db = App.NewDbContext())
        {
            tampered = (await db.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.Sequence).FirstAsync()).Id;
            await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Id == tampered).ExecuteUpdateAsync(s => s.SetProperty(e => e.Target, "tenant:someone-else"));
        }

        using var verified = await browser.SubmitAsync("/admin/audit", "verify", new Dictionary<string, string>());

        var html = await verified.Content.ReadAsStringAsync();
        html.Should().Contain("data-testid=\"verify-result\" data-valid=\"false\"").And.Contain(tampered.ToString());
    }

    [Fact]
    public async Task An_operator_creates_a_tenant_and_sees_the_quarantine_but_not_tenant_pages()
    {
        var email = $"operator-{Guid.NewGuid():N}@example.test";
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<SwitchboardUser>>();
            var created = await users.CreateAsync(
                new SwitchboardUser { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Operator", CreatedAt = DateTimeOffset.UtcNow, IsPlatformOperator = true },
                IdentityTestHelpers.Password);
            created.Succeeded.Should().BeTrue(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        using var browser = await App.SignInAsync(new TestUser(Guid.Empty, email, IdentityTestHelpers.Password));
        var name = "Page tenant " + Guid.NewGuid().ToString("N")[..8];

        using var response = await browser.SubmitAsync("/operator/tenants", "create-tenant", new Dictionary<string, string> { ["NewTenant.Name"] = name });

        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("data-testid=\"tenants-table\"").And.Contain(name);
        var key = AdminKey().Match(html).Groups[1].Value;
        await using (var db = App.NewDbContext())
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Name == name);
            using var api = App.ClientWithKey(key);
            (await api.GetAsync($"/api/v1/tenants/{tenant.Id}/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await browser.GetAsync("/operator/quarantine")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var denied = await browser.GetAsync("/admin/users");
        denied.Headers.Location!.AbsolutePath.Should().Be("/account/denied");
    }

    private async Task<TenantRole> RoleOfAsync(TestTenant tenant, TestUser user)
    {
        await using var db = App.NewDbContext();
        return (await db.Memberships.SingleAsync(m => m.TenantId == tenant.Id && m.UserId == user.Id)).Role;
    }

    private async Task<MembershipStatus> StatusOfAsync(TestTenant tenant, TestUser user)
    {
        await using var db = App.NewDbContext();
        return (await db.Memberships.SingleAsync(m => m.TenantId == tenant.Id && m.UserId == user.Id)).Status;
    }

    [GeneratedRegex("value=\"([^\"]+)\" data-testid=\"invite-link\"")]
    private static partial Regex InviteLink();

    [GeneratedRegex("data-testid=\"new-token\"><code>([^<]+)</code>")]
    private static partial Regex NewToken();

    [GeneratedRegex("data-testid=\"tenant-admin-key\"><code>([^<]+)</code>")]
    private static partial Regex AdminKey();

    [GeneratedRegex("href=\"([^\"]+)\" class=\"button\" data-testid=\"audit-older\"")]
    private static partial Regex OlderLink();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

public sealed class AdminPagesTests_Sqlite(SqliteAppFixture fixture) : AdminPagesTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AdminPagesTests_Postgres(PostgresAppFixture fixture) : AdminPagesTests(fixture), IClassFixture<PostgresAppFixture>;

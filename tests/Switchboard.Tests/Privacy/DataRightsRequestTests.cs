using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Privacy;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Mail;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>Data-rights requests: recorded with a 30-day deadline, warned about as it nears, fulfilled by the existing actions (ADR 0032).</summary>
public abstract class DataRightsRequestTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_request_is_recorded_with_its_deadline_moves_on_and_each_type_is_fulfilled_by_its_action()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";
        var received = DateTimeOffset.UtcNow.AddDays(-1);

        var access = await CreateAsync(admin, url, new { type = "access", contactId = s.Ada, requester = new { name = "Ada Lovelace", email = "ada@example.com" }, receivedAt = received });
        access["status"]!.GetValue<string>().Should().Be("received");
        access["dueAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(received.AddDays(30), TimeSpan.FromMilliseconds(1));
        access["requester"]!["email"]!.GetValue<string>().Should().Be("ada@example.com");
        access["warning"].Should().BeNull();
        var id = access["id"]!.GetValue<Guid>();

        (await admin.PutAsJsonAsync($"{url}/{id}", new { status = "in_progress" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var done = await (await admin.PutAsJsonAsync($"{url}/{id}", new { status = "completed" })).ReadJsonAsync();
        done["status"]!.GetValue<string>().Should().Be("completed");
        var exportId = done["exportId"]!.GetValue<Guid>();
        (await PrivacyScenario.WaitForExportAsync(admin, s.Tenant, exportId))["contactId"]!.GetValue<Guid>().Should().Be(s.Ada, "access is answered by an export of the contact");
        (await admin.PutAsJsonAsync($"{url}/{id}", new { status = "in_progress" })).StatusCode.Should().Be(HttpStatusCode.Conflict, "a closed request stays closed");

        var rectification = await CreateAsync(admin, url, new { type = "rectification", contactId = s.Ada, requester = new { name = "Ada Lovelace" } });
        (await (await admin.PutAsJsonAsync($"{url}/{rectification["id"]}", new { status = "completed", rectification = new { name = "Ada King" } })).ReadJsonAsync())["status"]!.GetValue<string>().Should().Be("completed");
        (await admin.GetJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).ToJsonString().Should().Contain("Ada King");

        var restriction = await CreateAsync(admin, url, new { type = "restriction", contactId = s.Bob, requester = new { name = "Bob Builder" } });
        await using (var db = App.NewDbContext())
        {
            (await ContactRestrictions.IsRestrictedAsync(db, s.Tenant.Id, s.Bob, default)).Should().BeFalse("the control");
        }

        (await admin.PutAsJsonAsync($"{url}/{restriction["id"]}", new { status = "completed" })).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var db = App.NewDbContext())
        {
            (await ContactRestrictions.IsRestrictedAsync(db, s.Tenant.Id, s.Bob, default)).Should().BeTrue("a completed restriction stops bots, analytics and automation on the contact");
            (await ContactRestrictions.IsRestrictedAsync(db, s.Tenant.Id, s.Ada, default)).Should().BeFalse();
        }

        (await admin.GetJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Bob}/privacy"))["restricted"]!.GetValue<bool>().Should().BeTrue();

        var erasure = await CreateAsync(admin, url, new { type = "erasure", contactId = s.Ada, requester = new { name = "Ada King", email = "ada@example.com" } });
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync($"{url}/{erasure["id"]}", new { status = "completed" })).StatusCode.Should().Be(HttpStatusCode.Conflict, "a held contact is not erased");
        (await admin.GetJsonAsync($"{url}/{erasure["id"]}"))["status"]!.GetValue<string>().Should().Be("received", "the refused completion changed nothing");
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}/legal-hold", new { held = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync($"{url}/{erasure["id"]}", new { status = "completed" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "erasure is the contact's crypto-erase");

        var evidence = await admin.GetJsonAsync($"{url}/{erasure["id"]}");
        evidence["status"]!.GetValue<string>().Should().Be("completed");
        evidence["contactId"]!.GetValue<Guid>().Should().Be(s.Ada, "the request stays as evidence, with ids only");
        var list = await admin.GetJsonAsync(url);
        list["items"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()).Should().Equal("erasure", "restriction", "rectification", "access");

        await using (var db = App.NewDbContext())
        {
            var rows = await db.DataRightsRequests.Where(r => r.TenantId == s.Tenant.Id).ToListAsync();
            rows.Should().OnlyContain(r => !System.Text.Encoding.UTF8.GetString(r.Requester).Contains("Ada", StringComparison.Ordinal), "the requester is sealed");
            var actions = (await App.AuditAsync(s.Tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            actions.Count(a => a == PrivacyAudit.RequestReceived).Should().Be(4);
            actions.Count(a => a == PrivacyAudit.RequestCompleted).Should().Be(4);
            var details = await db.AuditEntries.Where(e => e.TenantId == s.Tenant.Id && e.Action.StartsWith("privacy.request")).Select(e => e.Detail).ToListAsync();
            details.Should().OnlyContain(d => d == null || (!d.Contains("ada@example.com") && !d.Contains("Lovelace") && !d.Contains("King")), "audit entries hold ids, never the requester");
        }
    }

    [Fact]
    public async Task Bad_requests_are_field_errors_that_record_nothing_and_another_tenants_ids_are_not_found()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";

        var refused = await admin.PostAsJsonAsync(url, new { type = "forget-me", contactId = Guid.NewGuid(), requester = new { name = "", email = "not an address" }, receivedAt = DateTimeOffset.UtcNow.AddDays(3) });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["type", "contactId", "requester.name", "requester.email", "receivedAt"]);
        var request = await CreateAsync(admin, url, new { type = "objection", contactId = s.Bob, requester = new { name = "Bob" } });
        var rejected = await admin.PutAsJsonAsync($"{url}/{request["id"]}", new { status = "rejected" });
        rejected.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await rejected.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal("reason");
        (await admin.PutAsJsonAsync($"{url}/{request["id"]}", new { status = "done" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetJsonAsync($"{url}/{request["id"]}"))["status"]!.GetValue<string>().Should().Be("received");
        await using (var db = App.NewDbContext())
        {
            (await db.DataRightsRequests.CountAsync(r => r.TenantId == s.Tenant.Id)).Should().Be(1);
        }

        var other = await App.CreateTenantAsync();
        using var intruder = App.ClientWithKey(other.ApiKey);
        (await intruder.GetAsync($"{url}/{request["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.GetAsync($"/api/v1/tenants/{other.Id}/privacy/requests/{request["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/privacy/requests/{request["id"]}", new { status = "rejected", reason = "other" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var foreignContact = await intruder.PostAsJsonAsync($"/api/v1/tenants/{other.Id}/privacy/requests", new { type = "access", contactId = s.Ada, requester = new { name = "X" } });
        foreignContact.StatusCode.Should().Be(HttpStatusCode.BadRequest, "another tenant's contact is unknown here");
        (await admin.GetJsonAsync($"{url}/{request["id"]}"))["status"]!.GetValue<string>().Should().Be("received");
    }

    [Fact]
    public async Task The_deadline_warning_is_raised_once_when_the_deadline_nears_and_shown_on_the_request()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";
        var fresh = await CreateAsync(admin, url, new { type = "access", contactId = s.Ada, requester = new { name = "Ada" } });
        var late = await CreateAsync(admin, url, new { type = "erasure", contactId = s.Bob, requester = new { name = "Bob" }, receivedAt = DateTimeOffset.UtcNow.AddDays(-25) });
        late["warning"]!.GetValue<string>().Should().Be("due_soon", "5 days are left of 30");
        fresh["warning"].Should().BeNull();

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var runner = new JobRunner<DataRightsRequest>(
            new RequestDeadlineWarnings(App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SwitchboardDbContext>>(), clock),
            new WorkSignal(), App.Services.GetRequiredService<MigrationState>(), clock, NullLogger.Instance);
        await DrainAsync(runner);
        (await WarnedAsync(s.Tenant.Id)).Should().Equal(late["id"]!.GetValue<Guid>());

        clock.Advance(TimeSpan.FromDays(24));
        await DrainAsync(runner);
        (await WarnedAsync(s.Tenant.Id)).Should().BeEquivalentTo([late["id"]!.GetValue<Guid>(), fresh["id"]!.GetValue<Guid>()], "the fresh one is warned 7 days before its deadline, the late one not again");
        var actions = (await App.AuditAsync(s.Tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        actions.Count(a => a == PrivacyAudit.RequestDueSoon).Should().Be(2);

        (await admin.PutAsJsonAsync($"{url}/{late["id"]}", new { status = "rejected", reason = "identity_not_verified" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetJsonAsync($"{url}/{late["id"]}"))["warning"].Should().BeNull("a closed request warns no more");
    }

    [Fact]
    public async Task Admins_see_the_requests_with_their_deadlines_on_the_privacy_page_and_agents_do_not()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";
        await CreateAsync(admin, url, new { type = "erasure", contactId = s.Bob, requester = new { name = "Bob Builder", email = "bob@example.com" }, receivedAt = DateTimeOffset.UtcNow.AddDays(-26) });
        await CreateAsync(admin, url, new { type = "access", contactId = s.Ada, requester = new { name = "Ada Lovelace" } });

        using var browser = await App.SignInAsync(await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "admin"));
        var page = await browser.Http.GetStringAsync("/admin/privacy");
        page.Should().Contain("data-testid=\"nav-privacy\"").And.Contain("Bob Builder").And.Contain("Ada Lovelace");
        page.Should().Contain("data-warning=\"due_soon\"").And.Contain("data-testid=\"deadline-badge\"").And.Contain("data-testid=\"privacy-deadlines\"");
        page.IndexOf("Bob Builder", StringComparison.Ordinal).Should().BeLessThan(page.IndexOf("Ada Lovelace", StringComparison.Ordinal), "the nearest deadline comes first");

        using var agent = await App.SignInAsync(await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "agent"));
        var refused = await agent.GetAsync("/admin/privacy");
        (await refused.Content.ReadAsStringAsync()).Should().NotContain("Bob Builder");
        (await agent.Http.GetStringAsync("/account/security")).Should().NotContain("nav-privacy");
    }

    private static async Task DrainAsync(JobRunner<DataRightsRequest> runner)
    {
        while (await runner.RunOnceAsync(Guid.NewGuid(), default) > 0)
        {
        }
    }

    private async Task<List<Guid>> WarnedAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        return await db.AuditEntries.Where(e => e.TenantId == tenantId && e.Action == PrivacyAudit.RequestDueSoon)
            .Select(e => e.Target!).ToListAsync() is var targets ? [.. targets.Select(t => Guid.Parse(t["privacy_request:".Length..]))] : [];
    }

    internal static async Task<JsonObject> CreateAsync(HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }
}

public sealed class DataRightsRequestTests_Sqlite(SqliteAppFixture fixture) : DataRightsRequestTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class DataRightsRequestTests_Postgres(PostgresAppFixture fixture) : DataRightsRequestTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>A completed (or declined) request is confirmed to the requester by e-mail through the relay, with no content.</summary>
public abstract class DataRightsMailTests(MailFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_completed_request_is_confirmed_to_the_requester_by_email()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var url = $"/api/v1/tenants/{s.Tenant.Id}/privacy/requests";
        var email = $"bob.{Guid.NewGuid():N}@example.com";
        var request = await DataRightsRequestTests.CreateAsync(admin, url, new { type = "objection", contactId = s.Bob, requester = new { name = "Bob Builder", email } });
        var silent = await DataRightsRequestTests.CreateAsync(admin, url, new { type = "restriction", contactId = s.Bob, requester = new { name = "Bob Builder" } });

        var done = await (await admin.PutAsJsonAsync($"{url}/{request["id"]}", new { status = "completed" })).ReadJsonAsync();
        done["confirmationEmailed"]!.GetValue<bool>().Should().BeTrue();
        (await (await admin.PutAsJsonAsync($"{url}/{silent["id"]}", new { status = "completed" })).ReadJsonAsync())["confirmationEmailed"]!.GetValue<bool>().Should().BeFalse("no address was given");

        var mail = await Eventually.PollAsync(() => Task.FromResult(fixture.Smtp.Received().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == email))));
        mail!.Subject.Should().Be("Your objection request has been completed");
        mail.TextBody.Should().Contain(request["id"]!.GetValue<string>()).And.NotContain(PrivacyScenario.BobText).And.NotContain(PrivacyScenario.BobWaId);
        App.Logs.AllText.Should().NotContain(email);
    }
}

public sealed class DataRightsMailTests_Sqlite(SqliteMailFixture fixture) : DataRightsMailTests(fixture), IClassFixture<SqliteMailFixture>;

public sealed class DataRightsMailTests_Postgres(PostgresMailFixture fixture) : DataRightsMailTests(fixture), IClassFixture<PostgresMailFixture>;

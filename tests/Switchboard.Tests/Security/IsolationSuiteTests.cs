using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Audit;
using Switchboard.Features.Automation;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Flows;
using Switchboard.Features.Identity;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Routing;
using Switchboard.Features.Workspace;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// Every mapped endpoint, enumerated: tenant B's admin key gets 404 on each tenant route of tenant A
/// (with A's real resource ids) and A's data stays as it was; routes that name no tenant are anonymous by
/// design or operator-only; a tenant policy without a tenant in the route denies.
/// </summary>
public abstract class IsolationSuiteTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public void Every_endpoint_is_tenant_scoped_operator_only_or_anonymous_by_design()
    {
        EndpointCatalog.All(App).Where(e => e.Kind == EndpointKind.Unclassified).Select(e => $"{e.Name}: {e.Problem}")
            .Should().BeEmpty("every route is covered by the isolation suite (tenant), refuses tenant keys (operator) or is on the anonymous allow-list");
    }

    [Fact]
    public async Task Another_tenants_admin_key_gets_404_on_every_tenant_route_and_changes_nothing()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var resources = await ResourcesOfAsync(a);
        var before = await SnapshotAsync(a.Id);

        var failures = new List<string>();
        using var intruder = App.ClientWithKey(b.ApiKey);
        foreach (var endpoint in EndpointCatalog.TenantScoped(App))
        {
            var status = await EndpointCatalog.StatusOfAsync(intruder, endpoint, EndpointCatalog.Url(endpoint, resources));
            if (status != HttpStatusCode.NotFound)
            {
                failures.Add($"{endpoint.Name} with tenant A's id: {(int)status}, expected 404");
            }

            // B naming itself but A's resources: the handler's own ownership check must not find them.
            if (endpoint.Route.Replace("{tenantId}", "", StringComparison.Ordinal).Contains('{', StringComparison.Ordinal))
            {
                var own = new Dictionary<string, string>(resources) { ["tenantId"] = b.Id.ToString() };
                status = await EndpointCatalog.StatusOfAsync(intruder, endpoint, EndpointCatalog.Url(endpoint, own));
                if ((int)status is < 400 or 401 or 403 or >= 500)
                {
                    failures.Add($"{endpoint.Name} with tenant B's id and A's resource ids: {(int)status}, expected 404 (or a validation error)");
                }
            }
        }

        failures.Should().BeEmpty();
        (await SnapshotAsync(a.Id)).Should().Be(before, "nothing of tenant A changed");
    }

    [Fact]
    public async Task Operator_only_routes_refuse_tenant_keys_without_saying_whether_a_tenant_exists()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var before = await SnapshotAsync(a.Id);
        var values = new Dictionary<string, string> { ["eventId"] = Guid.NewGuid().ToString() };

        var failures = new List<string>();
        var operatorRoutes = EndpointCatalog.All(App).Where(e => e.Kind == EndpointKind.Operator).ToList();
        operatorRoutes.Should().NotBeEmpty();
        foreach (var endpoint in operatorRoutes)
        {
            // A tenant route of this kind (erase) is tried on the caller's own tenant, another tenant and no tenant.
            foreach (var (key, tenantId) in new[] { (a.ApiKey, a.Id), (b.ApiKey, a.Id), (b.ApiKey, Guid.NewGuid()) })
            {
                using var client = App.ClientWithKey(key);
                var status = await EndpointCatalog.StatusOfAsync(client, endpoint, EndpointCatalog.Url(endpoint, new Dictionary<string, string>(values) { ["tenantId"] = tenantId.ToString() }));
                if (status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{endpoint.Name} with a tenant admin key (tenant in route: {(tenantId == a.Id ? "A" : "unknown")}): {(int)status}, expected 403");
                }
            }
        }

        failures.Should().BeEmpty();
        (await SnapshotAsync(a.Id)).Should().Be(before);
    }

    /// <summary>
    /// With "agents see only their teams' conversations" on (ADR 0022, amendment), an agent gets 404 on every route
    /// that names a conversation of another team or an attachment of one, and changes nothing; routes her role may
    /// not use at all stay 403.
    /// </summary>
    [Fact]
    public async Task An_agent_limited_to_her_teams_gets_404_on_every_route_naming_another_teams_conversation()
    {
        var a = await App.CreateTenantAsync();
        var resources = await ResourcesOfAsync(a);
        using var admin = App.ClientWithKey(a.ApiKey);
        var other = await App.CreateUserAsync(a, "agent");
        var fees = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/teams", new { name = "Fees", memberIds = new[] { other }, assignment = "manual", capacity = 3 })).ReadJsonAsync();
        var moved = await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/conversations/{resources["conversationId"]}/transfer", new { teamId = fees["id"]!.GetValue<Guid>() });
        moved.StatusCode.Should().Be(HttpStatusCode.OK, string.Join('\n', App.Logs.Lines.Where(l => l.Contains("xception", StringComparison.Ordinal)).TakeLast(3)));
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{a.Id}/routing/settings", new { agentsSeeOwnTeamsOnly = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        var agentScopes = Permissions.Of(TenantRole.Agent).ToHashSet();
        var token = await App.PersonalTokenAsync(a.Id, Guid.Parse(resources["userId"]), agentScopes);
        var before = await SnapshotAsync(a.Id);

        var failures = new List<string>();
        using var agent = App.ClientWithKey(token);
        var naming = EndpointCatalog.TenantScoped(App).Where(e => e.Route.Contains("{conversationId}", StringComparison.Ordinal) || e.Route.Contains("{mediaId}", StringComparison.Ordinal)).ToList();
        naming.Should().Contain(e => e.Route.Contains("{mediaId}", StringComparison.Ordinal)).And.HaveCountGreaterThan(10);
        foreach (var endpoint in naming)
        {
            var expected = agentScopes.Contains(endpoint.Permission) ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden;
            var status = await EndpointCatalog.StatusOfAsync(agent, endpoint, EndpointCatalog.Url(endpoint, resources));
            if (status != expected)
            {
                failures.Add($"{endpoint.Name}: {(int)status}, expected {(int)expected}");
            }
        }

        failures.Should().BeEmpty();
        (await SnapshotAsync(a.Id)).Should().Be(before);
    }

    [Fact]
    public async Task A_tenant_policy_on_a_route_without_a_tenant_id_denies()
    {
        var tenant = await App.CreateTenantAsync();
        var handler = App.Services.GetServices<IAuthorizationHandler>().OfType<TenantAccessHandler>().Single();
        var member = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(SwitchboardClaims.TenantId, tenant.Id.ToString()), new Claim(SwitchboardClaims.Scope, SwitchboardClaims.AllScopes)], "test"));
        var @operator = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, SwitchboardClaims.OperatorRole)], "test"));

        async Task<AuthorizationHandlerContext> JudgeAsync(ClaimsPrincipal user, string? tenantInRoute, bool allowOperator)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            if (tenantInRoute is not null)
            {
                http.Request.RouteValues["tenantId"] = tenantInRoute;
            }

            var context = new AuthorizationHandlerContext([new TenantAccessRequirement(allowOperator, Permissions.TenantRead)], user, http);
            await handler.HandleAsync(context);
            return context;
        }

        // The control: the same caller passes when the route names its tenant, so the denials below are the route's doing.
        (await JudgeAsync(member, tenant.Id.ToString(), allowOperator: false)).HasSucceeded.Should().BeTrue();
        (await JudgeAsync(@operator, tenant.Id.ToString(), allowOperator: true)).HasSucceeded.Should().BeTrue();

        foreach (var (user, route, allowOperator) in new[] { (member, (string?)null, false), (member, "not-a-guid", false), (@operator, null, true), (@operator, "", true) })
        {
            var context = await JudgeAsync(user, route, allowOperator);
            context.HasSucceeded.Should().BeFalse();
            context.HasFailed.Should().BeTrue();
            context.FailureReasons.Should().ContainSingle(r => r.Message == "no-tenant-in-route");
        }
    }

    /// <summary>
    /// Tenant A with one of everything a route can name: a channel, a conversation with an image message
    /// (so a contact, a message and a media object) from a signed webhook, a token, an open invite and a user.
    /// Keys are route parameter names; a route with a parameter missing here fails, naming it.
    /// </summary>
    private async Task<Dictionary<string, string>> ResourcesOfAsync(TestTenant a)
    {
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(a, Builders.ChannelRequest(phone));
        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Private Customer" }, wa_id = "16505550999" }],
            messages: [new { from = "16505550999", id = "wamid." + mediaId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), type = "image", image = new { mime_type = "image/png", sha256 = "abc", id = mediaId, caption = "private to A" } }])]]);
        (await App.PostSignedAsync(a.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        var (tokenId, _) = await App.CreateTokenAsync(a, [Permissions.ConversationsRead]);
        var userId = await App.CreateUserAsync(a, "agent");
        var (inviteId, _) = await App.InviteAsync(a, "manager");
        using var admin = App.ClientWithKey(a.ApiKey);
        var team = await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/teams", new { name = "Admissions", memberIds = new[] { userId }, assignment = "manual", capacity = 3 });
        team.StatusCode.Should().Be(HttpStatusCode.Created, await team.Content.ReadAsStringAsync());
        var (labelId, cannedResponseId) = await WorkspaceOfAsync(a);
        var exportId = await Privacy.PrivacyScenario.RequestExportAsync(admin, a, null);
        var archive = await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/archives", new { from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow.AddDays(1) });
        archive.StatusCode.Should().Be(HttpStatusCode.Accepted, await archive.Content.ReadAsStringAsync());
        var conversationOfA = await (await admin.GetAsync($"/api/v1/tenants/{a.Id}/conversations")).ReadJsonAsync();
        var request = await Privacy.DataRightsRequestTests.CreateAsync(admin, $"/api/v1/tenants/{a.Id}/privacy/requests", new
        {
            type = "access",
            contactId = conversationOfA["items"]![0]!["contact"]!["id"]!.GetValue<Guid>(),
            requester = new { name = "Private Requester" },
        });
        var calendar = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/calendars", Routing.SlaApiTests.OfficeCalendar())).ReadJsonAsync();
        var policy = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/sla-policies", new { name = "A's promise", firstResponseMinutes = 30, businessHours = true, calendarId = calendar["id"]!.GetValue<Guid>() })).ReadJsonAsync();

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/contact-attributes", new { key = "school", label = "School", type = "text" })).EnsureSuccessStatusCode();
        var rule = await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/automation/rules", new { name = "A's rule", @event = "conversation_resolved", actions = new[] { new { type = "add_note", text = "Resolved" } } });
        rule.StatusCode.Should().Be(HttpStatusCode.Created, await rule.Content.ReadAsStringAsync());
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{a.Id}/automation/replies", new { greeting = "Hello from A" })).EnsureSuccessStatusCode();
        var article = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/kb/articles", new { title = "A's returns policy", body = "Returns within 30 days.", published = true })).ReadJsonAsync();
        var flow = await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/flows", new { name = "A's welcome", trigger = new { type = "keyword", keywords = new[] { "menu" } }, nodes = new[] { new { id = "hi", type = "text", text = "Hello" } } })).ReadJsonAsync();
        (await admin.PostAsync($"/api/v1/tenants/{a.Id}/flows/{flow["id"]}/publish", null)).EnsureSuccessStatusCode();

        await using var db = App.NewDbContext();
        var conversation = await db.Conversations.SingleAsync(c => c.TenantId == a.Id);
        var message = await db.Messages.SingleAsync(m => m.TenantId == a.Id);
        var media = await db.MediaObjects.SingleAsync(m => m.TenantId == a.Id);
        return new Dictionary<string, string>
        {
            ["tenantId"] = a.Id.ToString(),
            ["channelId"] = channel["id"]!.GetValue<string>(),
            ["conversationId"] = conversation.Id.ToString(),
            ["contactId"] = conversation.ContactId.ToString(),
            ["messageId"] = message.Id.ToString(),
            ["mediaId"] = media.Id.ToString(),
            ["tokenId"] = tokenId.ToString(),
            ["inviteId"] = inviteId.ToString(),
            ["userId"] = userId.ToString(),
            ["teamId"] = (await team.ReadJsonAsync())["id"]!.GetValue<string>(),
            ["labelId"] = labelId,
            ["cannedResponseId"] = cannedResponseId,
            ["exportId"] = exportId.ToString(),
            ["archiveId"] = (await archive.ReadJsonAsync())["id"]!.GetValue<string>(),
            ["requestId"] = request["id"]!.GetValue<string>(),
            ["calendarId"] = calendar["id"]!.GetValue<string>(),
            ["policyId"] = policy["id"]!.GetValue<string>(),
            ["flowId"] = flow["id"]!.GetValue<string>(),
            ["articleId"] = article["id"]!.GetValue<string>(),
            ["version"] = "1",
            ["key"] = "school",
            ["ruleId"] = (await rule.ReadJsonAsync())["id"]!.GetValue<string>(),
        };
    }

    /// <summary>A label (put on the tenant's conversation) and a shared canned response.</summary>
    private async Task<(string LabelId, string CannedResponseId)> WorkspaceOfAsync(TestTenant a)
    {
        using var client = App.ClientWithKey(a.ApiKey);
        var label = await (await client.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/labels", new { name = "vip", color = "#1f883d" })).ReadJsonAsync();
        var conversation = (await App.ConversationsAsync(a)).Single()!["id"]!.GetValue<Guid>();
        (await client.PutAsJsonAsync($"/api/v1/tenants/{a.Id}/conversations/{conversation}/labels", new { labels = new[] { "vip" } })).StatusCode.Should().Be(HttpStatusCode.OK);
        var canned = await (await client.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/canned-responses", new { shortcut = "hello", text = "Hello {{contact.name}}" })).ReadJsonAsync();
        return (label["id"]!.GetValue<string>(), canned["id"]!.GetValue<string>());
    }

    /// <summary>What a route could change of a tenant, as one comparable string.</summary>
    private async Task<string> SnapshotAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        var state = new
        {
            tenant = await db.Tenants.Where(t => t.Id == tenantId).Select(t => new { t.Status, t.MfaRequired }).SingleAsync(),
            keys = await db.TenantKeys.CountAsync(k => k.TenantId == tenantId),
            channels = (await db.Channels.Where(c => c.TenantId == tenantId).ToListAsync()).Select(c => JsonSerializer.Serialize(c)).Order().ToList(),
            conversations = await db.Conversations.Where(c => c.TenantId == tenantId).OrderBy(c => c.Id).Select(c => new { c.Id, c.Status }).ToListAsync(),
            messages = await db.Messages.CountAsync(m => m.TenantId == tenantId),
            outbox = await db.OutboxItems.CountAsync(o => o.TenantId == tenantId),
            media = await db.MediaObjects.CountAsync(m => m.TenantId == tenantId),
            tokens = await db.ApiTokens.Where(t => t.TenantId == tenantId).OrderBy(t => t.Id).Select(t => new { t.Id, t.RevokedAt, t.Scopes }).ToListAsync(),
            invites = await db.Invites.Where(i => i.TenantId == tenantId).OrderBy(i => i.Id).Select(i => new { i.Id, i.RevokedAt, i.AcceptedAt }).ToListAsync(),
            memberships = await db.Memberships.Where(m => m.TenantId == tenantId).OrderBy(m => m.UserId).Select(m => new { m.UserId, m.Role, m.Status }).ToListAsync(),
            audit = await db.AuditEntries.CountAsync(e => e.TenantId == tenantId),
            teams = await db.Teams.Where(t => t.TenantId == tenantId).OrderBy(t => t.Id).Select(t => new { t.Id, t.Name, t.Strategy, t.Capacity }).ToListAsync(),
            teamMembers = await db.TeamMembers.CountAsync(m => m.TenantId == tenantId),
            agentStates = await db.AgentStates.Where(a => a.TenantId == tenantId).OrderBy(a => a.UserId).Select(a => new { a.UserId, a.Status }).ToListAsync(),
            assignments = await db.Assignments.CountAsync(a => a.TenantId == tenantId),
            routingSettings = await db.RoutingSettings.CountAsync(s => s.TenantId == tenantId),
            labels = await db.Labels.Where(l => l.TenantId == tenantId).OrderBy(l => l.Id).Select(l => new { l.Id, l.Name, l.Color }).ToListAsync(),
            conversationLabels = await db.ConversationLabels.CountAsync(l => l.TenantId == tenantId),
            canned = await db.CannedResponses.Where(c => c.TenantId == tenantId).OrderBy(c => c.Id).Select(c => new { c.Id, c.Shortcut, c.Text }).ToListAsync(),
            exports = await db.Set<Switchboard.Features.Privacy.Export>().CountAsync(e => e.TenantId == tenantId),
            archives = await db.Set<Switchboard.Features.Transcripts.TranscriptArchive>().CountAsync(e => e.TenantId == tenantId),
            reviews = await db.Set<Switchboard.Features.Satisfaction.ConversationReview>().CountAsync(e => e.TenantId == tenantId),
            satisfaction = await db.Set<Switchboard.Features.Satisfaction.SatisfactionSettings>().Where(e => e.TenantId == tenantId).Select(e => new { e.Enabled, e.Question }).ToListAsync(),
            calendars = await db.Calendars.Where(c => c.TenantId == tenantId).OrderBy(c => c.Id).Select(c => new { c.Id, c.Name, c.TimeZone, c.UpdatedAt }).ToListAsync(),
            calendarHours = await db.CalendarHours.CountAsync(h => h.TenantId == tenantId),
            holidays = await db.Holidays.CountAsync(h => h.TenantId == tenantId),
            policies = await db.SlaPolicies.Where(p => p.TenantId == tenantId).OrderBy(p => p.Id).Select(p => new { p.Id, p.Name, p.UpdatedAt }).ToListAsync(),
            rules = await db.AutomationRules.Where(r => r.TenantId == tenantId).OrderBy(r => r.Id).Select(r => new { r.Id, r.Name, r.Conditions, r.Actions, r.UpdatedAt }).ToListAsync(),
            replies = await db.AutoReplySettings.Where(r => r.TenantId == tenantId).OrderBy(r => r.ChannelId).Select(r => new { r.ChannelId, r.GreetingText, r.UpdatedAt }).ToListAsync(),
            flows = await db.Flows.Where(f => f.TenantId == tenantId).OrderBy(f => f.Id).Select(f => new { f.Id, f.Draft, f.PublishedVersion, f.UpdatedAt }).ToListAsync(),
            flowVersions = await db.FlowVersions.CountAsync(v => v.TenantId == tenantId),
            assistant = await db.Set<Switchboard.Features.Assistant.AssistantSettings>().Where(e => e.TenantId == tenantId).Select(e => new { e.Enabled, e.Provider, e.BaseUrl, e.UpdatedAt }).ToListAsync(),
            summaries = await db.Set<Switchboard.Features.Assistant.ConversationSummary>().CountAsync(e => e.TenantId == tenantId),
            articles = await db.KnowledgeArticles.Where(k => k.TenantId == tenantId).OrderBy(k => k.Id).Select(k => new { k.Id, k.Title, k.Body, k.Published, k.UpdatedAt }).ToListAsync(),
        };
        return JsonSerializer.Serialize(state);
    }
}

public sealed class IsolationSuiteTests_Sqlite(SqliteAppFixture fixture) : IsolationSuiteTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class IsolationSuiteTests_Postgres(PostgresAppFixture fixture) : IsolationSuiteTests(fixture), IClassFixture<PostgresAppFixture>;

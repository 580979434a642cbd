using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Privacy;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Audit;

/// <summary>
/// The access log (ADR 0039): who opened which conversation, contact and media file (once per person and target within the
/// window, however often they read it), and every assignment, transfer, resolve and send by whom; ids only, never content.
/// </summary>
public abstract class AccessLogTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Opening_is_logged_once_per_person_and_target_and_every_action_by_whom_with_ids_only()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var t = s.Tenant.Id;
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var agent = await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "admin");
        using var person = App.ClientWithKey(await App.PersonalTokenAsync(t, agent.Id, [Permissions.ConversationsRead]));

        for (var i = 0; i < 3; i++)
        {
            (await admin.GetAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/messages")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await admin.GetAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{t}/media/{s.AdaMedia}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{t}/media/{s.AdaMedia}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await person.GetAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/messages")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync($"/api/v1/tenants/{t}/conversations/{Guid.CreateVersion7()}/messages")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var team = await admin.PostAsJsonAsync($"/api/v1/tenants/{t}/teams", new { name = "Access", memberIds = new[] { agent.Id }, assignment = "manual", capacity = 5 });
        team.StatusCode.Should().Be(HttpStatusCode.Created, await team.Content.ReadAsStringAsync());
        var teamId = (await team.ReadJsonAsync())["id"]!.GetValue<Guid>();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/assign", new { userId = agent.Id })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/transfer", new { teamId })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/resolve", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var db = App.NewDbContext();
        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.TenantId == t).OrderBy(e => e.Sequence).ToListAsync();
        var opened = entries.Where(e => e.Action == AuditActions.ConversationOpened).ToList();
        opened.Should().HaveCount(2, "one per person for the same conversation, however often it was read");
        var adminActor = entries.Single(e => e.Action == AuditActions.MessageSent).Actor;
        opened.Select(e => e.Actor).Should().OnlyHaveUniqueItems().And.Contain(adminActor, "the key and the person's token each opened it");
        opened.Should().OnlyContain(e => e.Target == $"conversation:{s.AdaConversation}" && e.Detail == null);
        entries.Where(e => e.Action == AuditActions.ContactOpened).Should().ContainSingle().Which.Target.Should().Be($"contact:{s.Ada}");
        entries.Where(e => e.Action == AuditActions.MediaOpened).Should().ContainSingle().Which.Target.Should().Be($"media:{s.AdaMedia}");

        entries.Should().Contain(e => e.Action == AuditActions.MessageSent && e.Target == $"conversation:{s.AdaConversation}", "the scenario's reply");
        entries.Should().Contain(e => e.Action == AuditActions.ConversationAssigned && e.Actor == adminActor && e.Detail!.Contains(agent.Id.ToString()));
        entries.Should().Contain(e => e.Action == AuditActions.ConversationTransferred && e.Actor == adminActor && e.Detail!.Contains(teamId.ToString()));
        entries.Should().Contain(e => e.Action == AuditActions.ConversationResolved && e.Actor == adminActor);

        var everything = string.Join('\n', entries.Select(e => $"{e.Target} {e.Detail}"));
        everything.Should().NotContain(PrivacyScenario.AdaText).And.NotContain("our reply to ada").And.NotContain(PrivacyScenario.AdaWaId).And.NotContain("Ada Lovelace");
        (await (await admin.PostAsync($"/api/v1/tenants/{t}/audit/verify", null)).ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue();
    }
}

public sealed class AccessLogTests_Sqlite(SqliteAppFixture fixture) : AccessLogTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AccessLogTests_Postgres(PostgresAppFixture fixture) : AccessLogTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Privacy;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Privacy;

/// <summary>Retention schedules per data class, enforced by the retention job; legal holds; minors' shorter schedule (ADR 0032).</summary>
public abstract class RetentionTests(AppFixture fixture)
{
    private static readonly object Schedule = new { messages = 60, media = 30, inactiveContacts = 60, rawEvents = 5, exports = 30, sessions = 90, minors = 10, audit = (int?)null };

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task The_job_removes_exactly_what_is_older_than_each_schedule_skips_held_data_and_gives_minors_their_shorter_schedule()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        long DaysAgo(int days) => now.AddDays(-days).ToUnixTimeSeconds();
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/retention", Schedule)).StatusCode.Should().Be(HttpStatusCode.OK);

        // Ada: a text of 70 days (past the messages' 60), a picture of 40 (its file past the media's 30, the message not), a text of 2.
        await PostAsync(tenant, Messages(phone, Text("ada seventy days", DaysAgo(70), "16505550301")));
        await PostAsync(tenant, Messages(phone, Text("ada two days", DaysAgo(2), "16505550301")));
        await using (var db = App.NewDbContext())
        {
            foreach (var id in await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.Id).ToListAsync())
            {
                await db.WebhookEvents.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ReceivedAt, now.AddDays(-6)));
            }
        }

        var mediaId = await PostPictureAsync(tenant, phone, "16505550301", DaysAgo(40));
        await PostAsync(tenant, Messages(phone, Text("hal seventy days", DaysAgo(70), "16505550302")));
        await PostAsync(tenant, Messages(phone, Text("held seventy days", DaysAgo(70), "16505550303")));
        await PostAsync(tenant, Messages(phone, Text("mia twenty days", DaysAgo(20), "16505550304"), Text("mia yesterday", DaysAgo(1), "16505550304")));
        await PostAsync(tenant, Messages(phone, Text("quinn seventy days", DaysAgo(70), "16505550305")));
        var contacts = await ContactsByWaIdAsync(tenant);
        var (ada, hal, held, mia, quinn) = (contacts["16505550301"], contacts["16505550302"], contacts["16505550303"], contacts["16505550304"], contacts["16505550305"]);
        var heldConversation = (await App.ConversationsAsync(tenant)).Single(c => c!["contact"]!["id"]!.GetValue<Guid>() == held)!["id"]!.GetValue<Guid>();

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/contacts/{hal}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{heldConversation}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/contacts/{mia}/privacy", new { minor = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        // Exports: Ada's two, one made 40 days ago. Sessions: two revoked tokens, one 100 days ago.
        var oldExport = await PrivacyScenario.RequestExportAsync(admin, tenant, ada);
        var newExport = await PrivacyScenario.RequestExportAsync(admin, tenant, ada);
        await PrivacyScenario.WaitForExportAsync(admin, tenant, oldExport);
        await PrivacyScenario.WaitForExportAsync(admin, tenant, newExport);
        var (oldToken, _) = await App.CreateTokenAsync(tenant, ["conversations:read"]);
        var (newToken, _) = await App.CreateTokenAsync(tenant, ["conversations:read"]);
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{oldToken}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/tokens/{newToken}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // Contacts last touched 70 days ago (Ada, Hal, the held one and Quinn); Mia now.
        await using (var db = App.NewDbContext())
        {
            await db.Contacts.Where(c => c.TenantId == tenant.Id && c.Id != mia).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now.AddDays(-70)));
            await db.Exports.Where(e => e.TenantId == tenant.Id && e.Id == oldExport).ExecuteUpdateAsync(s => s.SetProperty(e => e.CreatedAt, now.AddDays(-40)));
            await db.ApiTokens.Where(t => t.TenantId == tenant.Id && t.Id == oldToken).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now.AddDays(-100)));
        }

        (await StoredFiles.OfTenantAsync(fixture, tenant.Id)).Should().Contain([mediaId, oldExport, newExport], "the control: the store holds the picture and both exports");
        var other = await OtherTenantsAsync(tenant.Id);
        var run = await Enforcer(now).RunAsync(tenant.Id, default);

        (run.Messages, run.Media, run.Contacts, run.RawEvents, run.Exports, run.Sessions, run.AuditEntries).Should().Be((3, 1, 1, 2, 1, 1, 0));
        (await App.MessagesAsync(tenant)).Select(m => m["text"]!.GetValue<string>()).Should().BeEquivalentTo(
            ["ada two days", "[Image] ada's picture", "hal seventy days", "held seventy days", "mia yesterday"]);
        (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/media/{mediaId}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the picture's file is past the media schedule");
        (await StoredFiles.OfTenantAsync(fixture, tenant.Id)).Should().NotContain([mediaId, oldExport], "the store no longer holds their files").And.Contain(newExport);
        (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/contacts/{quinn}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "Quinn was inactive past 60 days and is erased");
        foreach (var kept in new[] { ada, hal, held, mia })
        {
            (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/contacts/{kept}")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/exports/{oldExport}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync($"/api/v1/tenants/{tenant.Id}/exports/{newExport}")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var db = App.NewDbContext())
        {
            (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id && e.ReceivedAt < now.AddDays(-5))).Should().Be(0);
            (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().BeGreaterThan(0, "raw events newer than 5 days stay");
            (await db.ApiTokens.Where(t => t.TenantId == tenant.Id && (t.Id == oldToken || t.Id == newToken)).Select(t => t.Id).ToListAsync()).Should().Equal(newToken);
        }

        (await OtherTenantsAsync(tenant.Id)).Should().Be(other, "another tenant's data is not touched");

        var runs = await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/retention/runs");
        var listed = runs["items"]!.AsArray().Single()!;
        (listed["messages"]!.GetValue<int>(), listed["media"]!.GetValue<int>(), listed["contacts"]!.GetValue<int>(), listed["rawEvents"]!.GetValue<int>(), listed["exports"]!.GetValue<int>(), listed["sessions"]!.GetValue<int>())
            .Should().Be((3, 1, 1, 2, 1, 1));
        await using (var db = App.NewDbContext())
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.TenantId == tenant.Id && e.Action == PrivacyAudit.RetentionRun);
            entry.Actor.Should().Be("system");
            entry.Detail.Should().Contain("\"messages\":3").And.NotContain("seventy");
            (await db.AuditEntries.CountAsync(e => e.TenantId == tenant.Id && e.Action == AuditActions.ContactErased && e.Target == $"contact:{quinn}")).Should().Be(1);
        }

        var again = await Enforcer(now).RunAsync(tenant.Id, default);
        (again.Messages, again.Media, again.Contacts, again.RawEvents, again.Exports, again.Sessions).Should().Be((0, 0, 0, 0, 0, 0), "a second run finds nothing more");
        (await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null)).ReadJsonAsync())["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Audit_retention_removes_the_oldest_entries_and_the_rest_of_the_chain_still_verifies_and_still_detects_edits()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/privacy/retention", new { audit = 365 })).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.CreateTokenAsync(tenant, ["conversations:read"]);
        long before;
        await using (var db = App.NewDbContext())
        {
            before = await db.AuditEntries.CountAsync(e => e.TenantId == tenant.Id);
        }

        before.Should().BeGreaterThan(2);
        var run = await Enforcer(DateTimeOffset.UtcNow.AddDays(366)).RunAsync(tenant.Id, default);

        run.AuditEntries.Should().Be((int)before, "every entry is more than 365 days old on the run's clock");
        await using var check = App.NewDbContext();
        var left = await check.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.Sequence).ToListAsync();
        left.Select(e => e.Action).Should().Equal(PrivacyAudit.RetentionRun);
        left[0].Sequence.Should().Be(before + 1, "sequences go on: the checkpoint stands for the removed ones");
        await App.CreateTokenAsync(tenant, ["conversations:read"]);
        var verify = await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null)).ReadJsonAsync();
        verify["valid"]!.GetValue<bool>().Should().BeTrue(verify.ToJsonString());

        await check.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Sequence == before + 1).ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, "{\"messages\":0}"));
        var broken = await (await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null)).ReadJsonAsync();
        broken["valid"]!.GetValue<bool>().Should().BeFalse("an edit of a kept entry is still detected");
        broken["firstBrokenEntryId"]!.GetValue<Guid>().Should().Be(left[0].Id);
    }

    [Fact]
    public async Task Limits_are_checked_per_field_and_a_refused_schedule_changes_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/privacy/retention";
        (await admin.PutAsJsonAsync(url, new { messages = 90, exports = 10 })).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = (await admin.GetJsonAsync(url)).ToJsonString();

        var refused = await admin.PutAsJsonAsync(url, new { messages = 0, rawEvents = 31, audit = 30, inactiveContacts = 7, exports = 400 });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["messages", "rawEvents", "audit", "inactiveContacts", "exports"]);
        var longerForMinors = await admin.PutAsJsonAsync(url, new { messages = 30, minors = 60 });
        longerForMinors.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await longerForMinors.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal("minors");
        (await admin.GetJsonAsync(url)).ToJsonString().Should().Be(before, "a refused schedule changes nothing");

        var current = await admin.GetJsonAsync(url);
        current["settings"]!["messages"]!.GetValue<int>().Should().Be(90);
        current["effective"]!["exports"]!.GetValue<int>().Should().Be(10);
        current["effective"]!["sessions"]!.GetValue<int>().Should().Be(90, "the platform default applies where the tenant chose nothing");
        current["effective"]!["audit"].Should().BeNull("kept forever by default");
        current["limits"]!["audit"]!["minimumDays"]!.GetValue<int>().Should().Be(365);
        var actions = (await App.AuditAsync(tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        actions.Count(a => a == PrivacyAudit.RetentionChanged).Should().Be(1, "only the accepted change is audited");

        var (_, agentScopes) = await App.CreateTokenAsync(tenant, Switchboard.Common.Security.Permissions.Of(Switchboard.Common.Security.TenantRole.Manager));
        using var manager = App.ClientWithKey(agentScopes);
        (await manager.PutAsJsonAsync(url, new { messages = 1 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await admin.GetJsonAsync(url)).ToJsonString().Should().Be(before);
    }

    [Fact]
    public async Task A_legal_hold_on_a_contact_or_conversation_refuses_erasure_and_deletion_until_lifted()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var admin = App.ClientWithKey(s.Tenant.ApiKey);
        var t = s.Tenant.Id;
        await using var db = App.NewDbContext();
        var message = await db.Messages.FirstAsync(m => m.ConversationId == s.AdaConversation);

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.Conflict, "erasing Ada would remove a held conversation");
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/messages/{message.Id}")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}/legal-hold", new { held = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        var placed = await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}/legal-hold", new { held = true });
        (await placed.ReadJsonAsync())["held"]!.GetValue<bool>().Should().BeTrue();
        (await admin.GetJsonAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}/privacy"))["legalHold"]!.GetValue<bool>().Should().BeTrue();
        var refused = await admin.DeleteAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("/conflict");
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await db.Messages.CountAsync(m => m.ContactId == s.Ada)).Should().Be(3, "nothing of a held contact was deleted");
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}/legal-hold", new { })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/contacts/{Guid.NewGuid()}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}/legal-hold", new { held = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.DeleteAsync($"/api/v1/tenants/{t}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var actions = (await App.AuditAsync(s.Tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        actions.Count(a => a == PrivacyAudit.LegalHoldPlaced).Should().Be(2);
        actions.Count(a => a == PrivacyAudit.LegalHoldLifted).Should().Be(2);

        var other = await App.CreateTenantAsync();
        using var intruder = App.ClientWithKey(other.ApiKey);
        (await intruder.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/contacts/{s.Bob}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/conversations/{s.BobConversation}/legal-hold", new { held = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await db.LegalHolds.CountAsync(h => h.TenantId == other.Id)).Should().Be(0);
    }

    private RetentionEnforcer Enforcer(DateTimeOffset at) => new(
        App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<ErasureSteps>(),
        App.Services.GetRequiredService<BlobStore>(), App.Services.GetRequiredService<MinimalMessages>(), App.Services.GetRequiredService<IOptions<RetentionOptions>>(), new FakeTimeProvider(at));

    private async Task PostAsync(TestTenant tenant, byte[] body)
    {
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
    }

    private async Task<Guid> PostPictureAsync(TestTenant tenant, string phone, string from, long timestamp)
    {
        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        byte[] picture = [0x89, .. "PNG\r\n\x1A\n"u8, .. Encoding.ASCII.GetBytes("PIXELS " + Guid.NewGuid())];
        var file = new FakeGraphApi.MediaFile(picture, "image/png");
        FakeGraphApi.Shared.Files[mediaId] = file;
        await PostAsync(tenant, Envelope([[Change(
            phone,
            contacts: [new { profile = new { name = "Customer" }, wa_id = from }],
            messages: [new { from, id = "wamid.img" + mediaId, timestamp = timestamp.ToString(CultureInfo.InvariantCulture), type = "image", image = new { mime_type = "image/png", sha256 = file.Sha256, id = mediaId, caption = "ada's picture" } }])]]));
        var media = await Eventually.PollAsync(async () =>
        {
            await using var db = App.NewDbContext();
            return await db.MediaObjects.SingleOrDefaultAsync(m => m.TenantId == tenant.Id && m.State == MediaState.Stored);
        });
        return media.Id;
    }

    private async Task<Dictionary<string, Guid>> ContactsByWaIdAsync(TestTenant tenant) =>
        (await App.ConversationsAsync(tenant)).ToDictionary(c => c!["contact"]!["waId"]!.GetValue<string>(), c => c!["contact"]!["id"]!.GetValue<Guid>());

    /// <summary>Counts of the rows of every other tenant that the job could delete.</summary>
    private async Task<string> OtherTenantsAsync(Guid tenantId)
    {
        await using var db = App.NewDbContext();
        return string.Join(
            ",",
            await db.Messages.CountAsync(m => m.TenantId != tenantId),
            await db.MediaObjects.CountAsync(m => m.TenantId != tenantId),
            await db.Contacts.CountAsync(c => c.TenantId != tenantId),
            await db.WebhookEvents.CountAsync(e => e.TenantId != tenantId),
            await db.Exports.CountAsync(e => e.TenantId != tenantId),
            await db.ApiTokens.CountAsync(t => t.TenantId != tenantId),
            await db.AuditEntries.CountAsync(e => e.TenantId != tenantId));
    }
}

public sealed class RetentionTests_Sqlite(SqliteAppFixture fixture) : RetentionTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class RetentionTests_Postgres(PostgresAppFixture fixture) : RetentionTests(fixture), IClassFixture<PostgresAppFixture>;

/// <summary>The same schedules with media in a bucket of a real S3-compatible server (ADR 0061).</summary>
public sealed class RetentionTests_S3Media_Sqlite(RetentionTests_S3Media_Sqlite.Fixture fixture) : RetentionTests(fixture), IClassFixture<RetentionTests_S3Media_Sqlite.Fixture>
{
    public sealed class Fixture() : S3MediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Sqlite);
}

public sealed class RetentionTests_S3Media_Postgres(RetentionTests_S3Media_Postgres.Fixture fixture) : RetentionTests(fixture), IClassFixture<RetentionTests_S3Media_Postgres.Fixture>
{
    public sealed class Fixture() : S3MediaFixture(Switchboard.Common.Configuration.DatabaseProvider.Postgres);
}

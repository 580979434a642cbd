using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Transcripts;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Transcripts;

/// <summary>Transcripts (HTML that keeps planted markup inert, JSON, notes only when asked, audited) and archives built in the background, sealed at rest (ADR 0031).</summary>
public abstract class TranscriptTests(AppFixture fixture)
{
    private const string Planted = "<script>alert('owned')</script> & <img src=x onerror=alert(1)>";
    private const string Note = "internal: customer sounded upset";
    private const string Reply = "Thanks, we are on it";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task The_html_transcript_escapes_message_text_loads_nothing_and_leaves_notes_out_unless_asked()
    {
        var (tenant, conversation, _) = await ConversationAsync("16505550501");
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/transcript?format=html");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;");
        html.Should().NotContain("<script").And.NotContain("<img").And.NotContain("onerror=alert(1)>");
        html.Should().Contain(Reply).And.Contain("@media print").And.NotContain(Note);

        var withNotes = await client.GetStringAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/transcript?format=html&notes=true");
        withNotes.Should().Contain(Note);

        await using var db = App.NewDbContext();
        var viewed = await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Action == TranscriptsAudit.TranscriptViewed).ToListAsync();
        viewed.Should().HaveCount(2);
        viewed.Should().OnlyContain(e => e.Target == $"conversation:{conversation}" && !e.Detail!.Contains("owned"));
    }

    [Fact]
    public async Task The_json_transcript_holds_messages_statuses_media_and_assignment_and_notes_when_asked()
    {
        var (tenant, conversation, _) = await ConversationAsync("16505550502");
        using var client = App.ClientWithKey(tenant.ApiKey);

        var json = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/transcript?format=json"))!;
        json["id"]!.GetValue<Guid>().Should().Be(conversation);
        json["contact"]!["waId"]!.GetValue<string>().Should().Be("16505550502");
        json["assignment"].Should().NotBeNull();
        var messages = json["messages"]!.AsArray();
        messages.Select(m => m!["direction"]!.GetValue<string>()).Should().Equal("inbound", "outbound");
        messages[0]!["text"]!.GetValue<string>().Should().Be(Planted, "JSON carries the text as written; only HTML encodes it");
        messages[0]!["media"]!.AsArray().Should().BeEmpty();
        messages[1]!["text"]!.GetValue<string>().Should().Be(Reply);
        messages[1]!["status"].Should().NotBeNull();
        messages[1]!["statuses"]!.AsArray().Should().NotBeNull();

        var withNotes = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/transcript?format=json&notes=true"))!;
        withNotes["messages"]!.AsArray().Should().Contain(m => m!["direction"]!.GetValue<string>() == "note" && m["text"]!.GetValue<string>() == Note);
        withNotes["includesNotes"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Transcripts_need_their_permission_refuse_bad_input_and_another_tenants_conversation_is_not_found()
    {
        var (tenant, conversation, _) = await ConversationAsync("16505550503");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/transcript";

        var bad = await client.GetAsync($"{url}?format=pdf&notes=maybe");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["format", "notes"]);

        var (_, agentToken) = await App.CreateTokenAsync(tenant, [Permissions.ConversationsRead]);
        using var agent = App.ClientWithKey(agentToken);
        (await agent.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var other = await App.CreateTenantAsync();
        using var otherClient = App.ClientWithKey(other.ApiKey);
        (await otherClient.GetAsync($"/api/v1/tenants/{other.Id}/conversations/{conversation}/transcript")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = App.NewDbContext();
        (await db.AuditEntries.CountAsync(e => e.Action == TranscriptsAudit.TranscriptViewed && (e.TenantId == tenant.Id || e.TenantId == other.Id))).Should().Be(0, "nothing was read");
    }

    [Fact]
    public async Task An_archive_is_built_in_the_background_sealed_at_rest_and_downloads_as_json_and_html_transcripts()
    {
        var (tenant, first, phone) = await ConversationAsync("16505550504");
        var second = await WriteAsync(tenant, phone, "16505550505", "second customer's words");
        using var client = App.ClientWithKey(tenant.ApiKey);

        var bad = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/archives", new { from = "soon", to = (string?)null });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["from", "to"]);

        var created = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/archives", new { from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow.AddDays(1) });
        created.StatusCode.Should().Be(HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync())["id"]!.GetValue<Guid>();
        var archive = await Eventually.PollAsync(async () =>
        {
            var a = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/archives/{id}"))!;
            a["status"]!.GetValue<string>().Should().NotBe("failed");
            return a["status"]!.GetValue<string>() == "ready" ? a : null;
        });
        archive["total"]!.GetValue<int>().Should().Be(2);
        archive["processed"]!.GetValue<int>().Should().Be(2);

        var stored = await File.ReadAllBytesAsync(Path.Combine(App.DataDirectory, "media", tenant.Id.ToString("N"), id.ToString("N") + ".bin"));
        Encoding.UTF8.GetString(stored).Should().NotContain("second customer");
        stored.Take(4).Should().NotEqual([(byte)'P', (byte)'K', 3, 4], "the archive is sealed at rest, not a plain ZIP");

        var download = await client.GetAsync(new Uri(archive["downloadUrl"]!.GetValue<string>()).PathAndQuery);
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        names.Should().Contain("index.json");
        names.Should().Contain(n => n.EndsWith($"{first}.json", StringComparison.Ordinal)).And.Contain(n => n.EndsWith($"{first}.html", StringComparison.Ordinal));
        names.Should().Contain(n => n.EndsWith($"{second}.json", StringComparison.Ordinal)).And.Contain(n => n.EndsWith($"{second}.html", StringComparison.Ordinal));
        var html = Read(zip, names.Single(n => n.EndsWith($"{first}.html", StringComparison.Ordinal)));
        html.Should().Contain("&lt;script&gt;").And.NotContain("<script").And.Contain(Note, "an archive keeps the notes");
        var secondJson = JsonNode.Parse(Read(zip, names.Single(n => n.EndsWith($"{second}.json", StringComparison.Ordinal))))!;
        secondJson["messages"]![0]!["text"]!.GetValue<string>().Should().Be("second customer's words");
        JsonNode.Parse(Read(zip, "index.json"))!["conversations"]!.AsArray().Should().HaveCount(2);

        (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/archives/{id}/download?token=forged")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var other = await App.CreateTenantAsync();
        using var otherClient = App.ClientWithKey(other.ApiKey);
        (await otherClient.GetAsync($"/api/v1/tenants/{other.Id}/archives/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = App.NewDbContext();
        (await db.TranscriptArchives.CountAsync(a => a.TenantId == tenant.Id)).Should().Be(1, "the refused request stored nothing");
        var actions = await db.AuditEntries.Where(e => e.TenantId == tenant.Id).Select(e => e.Action).ToListAsync();
        actions.Should().Contain([TranscriptsAudit.ArchiveCreated, TranscriptsAudit.ArchiveDownloaded]);
    }

    /// <summary>A tenant whose customer wrote <see cref="Planted"/>, with our reply and an internal note.</summary>
    private async Task<(TestTenant Tenant, Guid Conversation, string Phone)> ConversationAsync(string waId)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var conversation = await WriteAsync(tenant, phone, waId, Planted);
        using var client = App.ClientWithKey(tenant.ApiKey);
        foreach (var body in new object[] { new { type = "text", text = Reply }, new { type = "note", text = Note } })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        return (tenant, conversation, phone);
    }

    private async Task<Guid> WriteAsync(TestTenant tenant, string phone, string waId, string text)
    {
        (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text(text, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 20, waId)))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        return (await App.ConversationsAsync(tenant)).Single(c => c!["contact"]!["waId"]!.GetValue<string>() == waId)!["id"]!.GetValue<Guid>();
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }
}

public sealed class TranscriptTests_Sqlite(SqliteAppFixture fixture) : TranscriptTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class TranscriptTests_Postgres(PostgresAppFixture fixture) : TranscriptTests(fixture), IClassFixture<PostgresAppFixture>;

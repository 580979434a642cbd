using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Audit;
using Switchboard.Features.Privacy;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Privacy;

/// <summary>Exports per contact and per tenant: built in the background, signed, downloadable for a short time, audited.</summary>
public abstract class ExportTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_contact_export_holds_their_profile_conversations_messages_statuses_and_media_and_nobody_elses()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);

        var id = await PrivacyScenario.RequestExportAsync(client, s.Tenant, s.Ada);
        var export = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, id);
        export["progress"]!.GetValue<int>().Should().Be(100);
        var entries = PrivacyScenario.Entries(await PrivacyScenario.DownloadAsync(client, export));

        var folder = $"contacts/{s.Ada}";
        entries.Keys.Should().BeEquivalentTo(
            [ExportManifest.FileName, $"{folder}/contact.json", $"{folder}/conversations/{s.AdaConversation}.json", $"{folder}/media/{s.AdaMedia}.png"]);
        var contact = JsonNode.Parse(entries[$"{folder}/contact.json"])!;
        contact["waId"]!.GetValue<string>().Should().Be(PrivacyScenario.AdaWaId);
        contact["name"]!.GetValue<string>().Should().Be("Ada Lovelace");
        var messages = JsonNode.Parse(entries[$"{folder}/conversations/{s.AdaConversation}.json"])!["messages"]!.AsArray();
        messages.Select(m => m!["text"]!.GetValue<string>()).Should().BeEquivalentTo([PrivacyScenario.AdaText, "[Image] ada's picture", "our reply to ada"]);
        var reply = messages.Single(m => m!["wamid"]?.GetValue<string>() == s.AdaReplyWamid)!;
        reply["statuses"]!.AsArray().Select(st => st!["status"]!.GetValue<string>()).Should().Contain("delivered");
        messages.Single(m => m!["type"]!.GetValue<string>() == "image")!["media"]![0]!["file"]!.GetValue<string>().Should().Be($"{folder}/media/{s.AdaMedia}.png");
        entries[$"{folder}/media/{s.AdaMedia}.png"].Should().Equal(s.AdaPicture);
        PrivacyScenario.AllText(entries).Should().NotContain(PrivacyScenario.BobText).And.NotContain(PrivacyScenario.BobWaId).And.NotContain("Bob Builder");

        var actions = (await App.AuditAsync(s.Tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        actions.Should().Contain([AuditActions.ExportCreated, AuditActions.ExportDownloaded]);
        await using var db = App.NewDbContext();
        var audited = await db.AuditEntries.Where(e => e.TenantId == s.Tenant.Id && e.Action.StartsWith("privacy.")).ToListAsync();
        audited.Should().OnlyContain(e => e.Detail == null || (!e.Detail.Contains("Lovelace", StringComparison.Ordinal) && !e.Detail.Contains(PrivacyScenario.AdaWaId, StringComparison.Ordinal)));
        audited.Should().Contain(e => e.Action == AuditActions.ExportDownloaded && e.Target == $"export:{id}");
    }

    [Fact]
    public async Task A_tenant_export_holds_every_contact_and_the_tenant_and_verifies_against_the_published_key()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);

        var export = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, null));
        var zip = await PrivacyScenario.DownloadAsync(client, export);
        var entries = PrivacyScenario.Entries(zip);

        entries.Keys.Should().Contain(["tenant.json", $"contacts/{s.Ada}/contact.json", $"contacts/{s.Bob}/contact.json", $"contacts/{s.Bob}/conversations/{s.BobConversation}.json"]);
        PrivacyScenario.AllText(entries).Should().Contain(PrivacyScenario.BobText).And.Contain(PrivacyScenario.AdaText);
        var manifest = JsonNode.Parse(entries[ExportManifest.FileName])!;
        manifest["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).Should().BeEquivalentTo(entries.Keys.Where(k => k != ExportManifest.FileName));
        manifest["files"]!.AsArray().Should().OnlyContain(f => f!["sha256"]!.GetValue<string>().Length == 64);

        var key = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{s.Tenant.Id}/exports/signing-key"))!;
        key["algorithm"]!.GetValue<string>().Should().Be("ECDSA-P256-SHA256");
        manifest["signature"]!["publicKey"]!.GetValue<string>().Should().Be(key["publicKey"]!.GetValue<string>());

        var path = Path.Combine(App.DataDirectory, $"export-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, zip);
        Verify(path, key["publicKey"]!.GetValue<string>()).Should().Be(0);
        Verify(path, null).Should().Be(0);

        var stored = await File.ReadAllBytesAsync(Path.Combine(App.DataDirectory, "media", s.Tenant.Id.ToString("N"), export["id"]!.GetValue<Guid>().ToString("N") + ".bin"));
        Encoding.UTF8.GetString(stored).Should().NotContain(PrivacyScenario.BobText, "the stored export is sealed with the tenant key");
    }

    [Fact]
    public async Task The_verify_command_fails_on_a_changed_an_added_or_a_removed_file_and_on_another_key()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        var other = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        using var otherClient = App.ClientWithKey(other.ApiKey);
        var export = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, s.Ada));
        var zip = await PrivacyScenario.DownloadAsync(client, export);
        var key = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{s.Tenant.Id}/exports/signing-key"))!["publicKey"]!.GetValue<string>();
        var otherKey = (await otherClient.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{other.Id}/exports/signing-key"))!["publicKey"]!.GetValue<string>();
        var contactJson = $"contacts/{s.Ada}/contact.json";

        Verify(Tampered(zip, a => Replace(a, contactJson, "{\"name\": \"Someone Else\"}")), key).Should().Be(1, "a changed file");
        Verify(Tampered(zip, a => Write(a, $"contacts/{s.Ada}/extra.json", "{}")), key).Should().Be(1, "an added file");
        Verify(Tampered(zip, a => a.GetEntry(contactJson)!.Delete()), key).Should().Be(1, "a removed file");
        Verify(Tampered(zip, a => Replace(a, ExportManifest.FileName, Encoding.UTF8.GetString(PrivacyScenario.Entries(zip)[ExportManifest.FileName]).Replace(s.Ada.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal))), key)
            .Should().Be(1, "an edited manifest no longer matches its signature");
        Verify(Tampered(zip, _ => { }), otherKey).Should().Be(1, "signed by another tenant's key");
        Verify(Tampered(zip, _ => { }), key).Should().Be(0, "the control: the untouched export verifies");
        VerifyExportCommand.Run([], TextWriter.Null, TextWriter.Null).Should().Be(2);

        string Tampered(byte[] original, Action<ZipArchive> change)
        {
            var copy = new MemoryStream();
            copy.Write(original);
            using (var archive = new ZipArchive(copy, ZipArchiveMode.Update, leaveOpen: true))
            {
                change(archive);
            }

            var path = Path.Combine(App.DataDirectory, $"tampered-{Guid.NewGuid():N}.zip");
            File.WriteAllBytes(path, copy.ToArray());
            return path;
        }
    }

    [Fact]
    public async Task A_download_needs_an_unexpired_link_for_that_export_and_bad_requests_change_nothing()
    {
        var s = await PrivacyScenario.CreateAsync(App);
        using var client = App.ClientWithKey(s.Tenant.ApiKey);
        var first = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, s.Ada));
        var second = await PrivacyScenario.WaitForExportAsync(client, s.Tenant, await PrivacyScenario.RequestExportAsync(client, s.Tenant, s.Bob));
        var firstUrl = first["downloadUrl"]!.GetValue<string>();
        var token = firstUrl[(firstUrl.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var secondDownload = $"/api/v1/tenants/{s.Tenant.Id}/exports/{second["id"]}/download";

        (await client.GetAsync($"{secondDownload}?token={token}")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a link is for one export");
        (await client.GetAsync(secondDownload)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var expired = App.Services.GetRequiredService<ExportLinks>();
        var bytes = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(token);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
        expired.IsValid(s.Tenant.Id, first["id"]!.GetValue<Guid>(), Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(bytes)).Should().BeFalse();
        (await client.GetAsync(firstUrl.Replace("token=", "token=x", StringComparison.Ordinal))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.GetAsync(firstUrl)).StatusCode.Should().Be(HttpStatusCode.OK, "the control: the link itself works");
        first["downloadExpiresAt"]!.GetValue<DateTimeOffset>().Should().BeBefore(DateTimeOffset.UtcNow.AddMinutes(11));

        await using var db = App.NewDbContext();
        var before = await db.Exports.CountAsync(e => e.TenantId == s.Tenant.Id);
        var invalid = await client.PostAsync($"/api/v1/tenants/{s.Tenant.Id}/exports", new StringContent("{\"contactId\": \"not-a-guid\"}", Encoding.UTF8, "application/json"));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().ContainMatch("*contactId*");
        (await client.PostAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/exports", new { contactId = Guid.NewGuid() })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await db.Exports.CountAsync(e => e.TenantId == s.Tenant.Id)).Should().Be(before);

        var list = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{s.Tenant.Id}/exports"))!["items"]!.AsArray();
        list.Select(e => e!["id"]!.GetValue<Guid>()).Should().Equal(second["id"]!.GetValue<Guid>(), first["id"]!.GetValue<Guid>());
    }

    private static int Verify(string path, string? key) =>
        VerifyExportCommand.Run(key is null ? [path] : [path, "--public-key", key], TextWriter.Null, TextWriter.Null);

    private static void Replace(ZipArchive archive, string path, string content)
    {
        archive.GetEntry(path)!.Delete();
        Write(archive, path, content);
    }

    private static void Write(ZipArchive archive, string path, string content)
    {
        using var stream = archive.CreateEntry(path).Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }
}

public sealed class ExportTests_Sqlite(SqliteAppFixture fixture) : ExportTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ExportTests_Postgres(PostgresAppFixture fixture) : ExportTests(fixture), IClassFixture<PostgresAppFixture>;

using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Privacy;

/// <summary>
/// A tenant with two customers built through the webhook and the API: Ada (a text, a picture fetched from
/// the Graph API fake, and a reply of ours that Meta marked delivered) and Bob (one text).
/// </summary>
internal sealed record PrivacyScenario(
    TestTenant Tenant, string Phone, Guid Ada, Guid AdaConversation, Guid AdaMedia, byte[] AdaPicture, string AdaReplyWamid, Guid Bob, Guid BobConversation)
{
    public const string AdaWaId = "16505550101";
    public const string BobWaId = "16505550202";
    public const string AdaText = "ada's private words";
    public const string BobText = "bob's private words";

    public static async Task<PrivacyScenario> CreateAsync(SwitchboardApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));

        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        byte[] picture = [0x89, .. "PNG\r\n\x1A\n"u8, .. Encoding.ASCII.GetBytes("ADA-PIXELS " + Guid.NewGuid())];
        var file = new FakeGraphApi.MediaFile(picture, "image/png");
        FakeGraphApi.Shared.Files[mediaId] = file;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await PostAsync(app, tenant, WebhookPayloads.Messages(phone, WebhookPayloads.Text(AdaText, now - 10, AdaWaId) with { Name = "Ada Lovelace" }));
        await PostAsync(app, tenant, WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Ada Lovelace" }, wa_id = AdaWaId }],
            messages: [new { from = AdaWaId, id = "wamid.img" + mediaId, timestamp = (now - 5).ToString(CultureInfo.InvariantCulture), type = "image", image = new { mime_type = "image/png", sha256 = file.Sha256, id = mediaId, caption = "ada's picture" } }])]]));
        await PostAsync(app, tenant, WebhookPayloads.Messages(phone, WebhookPayloads.Text(BobText, now - 8, BobWaId) with { Name = "Bob Builder" }));

        await using var db = app.NewDbContext();
        var ada = await db.Conversations.SingleAsync(c => c.TenantId == tenant.Id && db.Set<Message>().Any(m => m.ConversationId == c.Id && m.Type == "image"));
        var bob = await db.Conversations.SingleAsync(c => c.TenantId == tenant.Id && c.Id != ada.Id);
        var media = await Eventually.PollAsync(async () =>
        {
            await using var check = app.NewDbContext();
            return await check.MediaObjects.SingleOrDefaultAsync(m => m.TenantId == tenant.Id && m.State == MediaState.Stored);
        });

        using var client = app.ClientWithKey(tenant.ApiKey);
        using var reply = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant.Id}/conversations/{ada.Id}/messages") { Content = JsonContent.Create(new { type = "text", text = "our reply to ada" }) };
        reply.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        (await client.SendAsync(reply)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var wamid = await Eventually.PollAsync(async () =>
        {
            await using var check = app.NewDbContext();
            return await check.Messages.Where(m => m.TenantId == tenant.Id && m.Direction == MessageDirection.Outbound).Select(m => m.Wamid).SingleOrDefaultAsync();
        });
        await PostAsync(app, tenant, WebhookPayloads.Statuses(phone, new WebhookPayloads.Status(wamid, "delivered", now)));

        return new PrivacyScenario(tenant, phone, ada.ContactId, ada.Id, media.Id, picture, wamid, bob.ContactId, bob.Id);
    }

    public static async Task<JsonObject> WaitForExportAsync(HttpClient client, TestTenant tenant, Guid exportId) =>
        await Eventually.PollAsync(async () =>
        {
            var export = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/exports/{exportId}"))!;
            export["status"]!.GetValue<string>().Should().NotBe("failed", export.ToJsonString());
            return export["status"]!.GetValue<string>() == "ready" ? export : null;
        });

    public static async Task<Guid> RequestExportAsync(HttpClient client, TestTenant tenant, Guid? contactId)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/exports", new { contactId });
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        return (await response.ReadJsonAsync())["id"]!.GetValue<Guid>();
    }

    public static async Task<byte[]> DownloadAsync(HttpClient client, JsonObject export)
    {
        var response = await client.GetAsync(export["downloadUrl"]!.GetValue<string>());
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static Dictionary<string, byte[]> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }

    public static string AllText(Dictionary<string, byte[]> entries) =>
        string.Join("\n", entries.Values.Select(v => Encoding.UTF8.GetString(v)));

    private static async Task PostAsync(SwitchboardApp app, TestTenant tenant, byte[] body)
    {
        (await app.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
    }
}

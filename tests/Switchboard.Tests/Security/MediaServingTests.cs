using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Webhooks;

namespace Switchboard.Tests.Security;

/// <summary>
/// A customer's attachment is served from the dashboard's origin with the agent's cookie, so the customer
/// must not decide how a browser treats it: only bytes that are a JPEG, PNG or WebP picture, audio or video
/// are shown inline (with the type their magic numbers name); everything else downloads, HTML, SVG and
/// script as application/octet-stream; every media answer is sandboxed and unsniffable.
/// </summary>
public abstract class MediaServingTests(MediaFetchTests.Fixture fixture)
{
    private const string Sandbox = "sandbox; default-src 'none'";

    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    public static TheoryData<string, string, string, string, string> Attachments => new()
    {
        // kind, announced mime type, bytes (name), served content type, disposition
        { "document", "text/html", "html", "application/octet-stream", "attachment" },
        { "document", "text/html; charset=utf-8", "html", "application/octet-stream", "attachment" },
        { "image", "image/png", "html", "application/octet-stream", "attachment" },
        { "image", "image/svg+xml", "svg", "application/octet-stream", "attachment" },
        { "document", "application/xhtml+xml", "html", "application/octet-stream", "attachment" },
        { "document", "text/javascript", "script", "application/octet-stream", "attachment" },
        { "document", "application/pdf", "pdf", "application/pdf", "attachment" },
        { "image", "text/html", "png", "image/png", "inline" },
        { "image", "image/jpeg", "jpeg", "image/jpeg", "inline" },
        { "sticker", "image/webp", "webp", "image/webp", "inline" },
        { "audio", "audio/ogg; codecs=opus", "ogg", "audio/ogg", "inline" },
        { "audio", "audio/mpeg", "mp3", "audio/mpeg", "inline" },
        { "video", "video/mp4", "mp4", "video/mp4", "inline" },
    };

    [Theory]
    [MemberData(nameof(Attachments))]
    public async Task An_attachment_is_inline_only_when_its_bytes_are_a_picture_audio_or_video(string kind, string announced, string content, string servedType, string disposition)
    {
        var (tenant, media) = await StoredAttachmentAsync(kind, announced, Bytes(content));
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/media/{media.Id}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be(servedType);
        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be(disposition);
        Header(response, "X-Content-Type-Options").Should().Be("nosniff");
        Header(response, "Content-Security-Policy").Should().Be(Sandbox);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(Bytes(content));
    }

    [Fact]
    public async Task Every_media_answer_is_sandboxed_errors_included()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var missing = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/media/{Guid.CreateVersion7()}");
        var anonymous = await App.CreateClient().GetAsync($"/api/v1/tenants/{tenant.Id}/media/{Guid.CreateVersion7()}");

        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        foreach (var response in new[] { missing, anonymous })
        {
            Header(response, "Content-Security-Policy").Should().Be(Sandbox);
            Header(response, "X-Content-Type-Options").Should().Be("nosniff");
        }
    }

    [Theory]
    [InlineData("image/svg+xml")]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/xml")]
    [InlineData("application/javascript")]
    [InlineData("image/svg+xml; charset=utf-8")]
    [InlineData("video/vnd.something+xml")]
    [InlineData("image/png")]
    [InlineData("audio/ogg")]
    [InlineData("not a mime type")]
    [InlineData(null)]
    public void Active_or_unknown_announced_types_download_as_octet_stream(string? announced)
    {
        var served = MediaServing.For("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"u8, announced);

        served.Should().Be(new MediaServing.Served("application/octet-stream", Inline: false));
    }

    private static byte[] Bytes(string name) => name switch
    {
        "html" => Encoding.UTF8.GetBytes("<!doctype html><html><body><script>fetch('/api/v1/tenants').then(r => r.text()).then(alert)</script></body></html>"),
        "svg" => Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.cookie)\"></svg>"),
        "script" => Encoding.UTF8.GetBytes("alert(document.cookie)"),
        "pdf" => Encoding.ASCII.GetBytes("%PDF-1.4\n%fake pdf\n"),
        "png" => Png,
        "jpeg" => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0x00, 0x01],
        "webp" => [.. "RIFF"u8, 0x1A, 0x00, 0x00, 0x00, .. "WEBPVP8L"u8, 0x0D, 0x00, 0x00, 0x00],
        "ogg" => [.. "OggS"u8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, .. "OpusHead"u8],
        "mp3" => [.. "ID3"u8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        "mp4" => [0x00, 0x00, 0x00, 0x18, .. "ftypmp42"u8, 0x00, 0x00, 0x00, 0x00, .. "mp42isom"u8],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private async Task<(TestTenant Tenant, MediaObject Media)> StoredAttachmentAsync(string kind, string announced, byte[] bytes)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile(bytes, announced);
        var message = new Dictionary<string, object>
        {
            ["from"] = "16505550888",
            ["id"] = "wamid." + mediaId,
            ["timestamp"] = "1750000000",
            ["type"] = kind,
            [kind] = new { mime_type = announced, sha256 = Graph.Files[mediaId].Sha256, id = mediaId },
        };
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone, contacts: [new { profile = new { name = "Sender" }, wa_id = "16505550888" }], messages: [message])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();

        for (var i = 0; i < 200; i++)
        {
            await using var db = App.NewDbContext();
            var media = await db.MediaObjects.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenant.Id && m.MetaMediaId == mediaId);
            if (media?.State == MediaState.Stored)
            {
                return (tenant, media);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Media {mediaId} was never stored.");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : "(missing)";
}

public sealed class MediaServingTests_Sqlite(MediaFetchTests.SqliteFixture fixture) : MediaServingTests(fixture), IClassFixture<MediaFetchTests.SqliteFixture>;

public sealed class MediaServingTests_Postgres(MediaFetchTests.PostgresFixture fixture) : MediaServingTests(fixture), IClassFixture<MediaFetchTests.PostgresFixture>;

using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>Inbound attachments fetched from a Graph API (a local fake on a real port), sealed and served back.</summary>
public abstract class MediaFetchTests(MediaFetchTests.Fixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Fact]
    public async Task An_image_is_fetched_with_the_channels_token_sealed_at_rest_and_served_decrypted()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        byte[] bytes = [0x89, .. "PNG\r\n\x1A\n"u8, .. Encoding.ASCII.GetBytes(" fake image CANARY-PIXELS " + Guid.NewGuid())];
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile(bytes, "image/png");

        await PostImageAsync(tenant, phone, mediaId, Graph.Files[mediaId].Sha256);
        var media = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Stored);

        Graph.Requests.Where(r => r.Contains(mediaId, StringComparison.Ordinal)).Should().OnlyContain(r => r.EndsWith("Bearer EAAG-access-token-0123456789", StringComparison.Ordinal));
        var blob = await File.ReadAllBytesAsync(Path.Combine(App.DataDirectory, "media", tenant.Id.ToString("N"), media.Id.ToString("N") + ".bin"));
        Encoding.ASCII.GetString(blob).Should().NotContain("CANARY-PIXELS");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var download = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/media/{media.Id}");
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        (await download.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        var message = (await App.MessagesAsync(tenant)).Single();
        message["media"]!["state"]!.GetValue<string>().Should().Be("stored");
    }

    [Fact]
    public async Task Transient_failures_are_retried_until_the_attachment_arrives()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile("voice note bytes"u8.ToArray(), "audio/ogg") { FailuresLeft = 2 };

        await PostImageAsync(tenant, phone, mediaId, Graph.Files[mediaId].Sha256);
        var media = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Stored);

        media.Attempts.Should().Be(3);
        Graph.Files[mediaId].Downloads.Should().Be(3);
    }

    [Fact]
    public async Task A_fetch_that_keeps_failing_is_shown_as_failed_and_can_be_retried()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile("the real bytes"u8.ToArray(), "image/jpeg");

        await PostImageAsync(tenant, phone, mediaId, "bm90IHRoZSByaWdodCBoYXNo");
        var failed = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Failed);

        failed.LastError.Should().Be("sha256-mismatch");
        failed.Attempts.Should().Be(3);
        var message = (await App.MessagesAsync(tenant)).Single();
        message["media"]!["state"]!.GetValue<string>().Should().Be("failed");
        message["media"]!["lastError"]!.GetValue<string>().Should().Be("sha256-mismatch");

        await using (var db = App.NewDbContext())
        {
            await db.MediaObjects.Where(m => m.Id == failed.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Sha256, Graph.Files[mediaId].Sha256));
        }

        using var client = App.ClientWithKey(tenant.ApiKey);
        (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/media/{failed.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Stored)).LastError.Should().BeNull();
    }

    [Fact]
    public async Task An_attachment_over_its_size_cap_fails_at_once()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile(new byte[(5 * 1024 * 1024) + 1], "image/jpeg");

        await PostImageAsync(tenant, phone, mediaId, Graph.Files[mediaId].Sha256);
        var failed = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Failed);

        failed.LastError.Should().Be("too-large");
        failed.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Another_tenant_gets_404_on_media_routes()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var other = await App.CreateTenantAsync();
        var mediaId = NewMediaId();
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile("x"u8.ToArray(), "image/png");
        await PostImageAsync(tenant, phone, mediaId, Graph.Files[mediaId].Sha256);
        var media = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Stored);
        using var client = App.ClientWithKey(other.ApiKey);

        (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/media/{media.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/api/v1/tenants/{other.Id}/media/{media.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsync($"/api/v1/tenants/{other.Id}/media/{media.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task PostImageAsync(TestTenant tenant, string phone, string mediaId, string sha256)
    {
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Photographer" }, wa_id = "16505550777" }],
            messages: [new { from = "16505550777", id = "wamid." + mediaId, timestamp = "1750000000", type = "image", image = new { mime_type = "image/png", sha256, id = mediaId, caption = "look" } }])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
    }

    private async Task<MediaObject> WaitForMediaAsync(Guid tenantId, string mediaId, MediaState state)
    {
        for (var i = 0; i < 200; i++)
        {
            await using var db = App.NewDbContext();
            var media = await db.MediaObjects.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.MetaMediaId == mediaId);
            if (media?.State == state)
            {
                return media;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Media {mediaId} never reached {state}.");
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }

    private static string NewMediaId() => Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public abstract class Fixture(DatabaseProvider provider) : AppFixture(provider)
    {
        public FakeGraphApi Graph { get; private set; } = null!;

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Graph.DisposeAsync();
        }

        protected override async Task<IDictionary<string, string?>?> SettingsAsync()
        {
            Graph = await FakeGraphApi.StartAsync();
            return new Dictionary<string, string?>
            {
                ["Switchboard:WhatsApp:GraphApiBaseUrl"] = Graph.GraphApiBaseUrl,
                ["Switchboard:Media:RetryBaseDelay"] = "00:00:00.050",
                ["Switchboard:Media:MaxAttempts"] = "3",
            };
        }
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class MediaFetchTests_Sqlite(MediaFetchTests.SqliteFixture fixture) : MediaFetchTests(fixture), IClassFixture<MediaFetchTests.SqliteFixture>;

public sealed class MediaFetchTests_Postgres(MediaFetchTests.PostgresFixture fixture) : MediaFetchTests(fixture), IClassFixture<MediaFetchTests.PostgresFixture>;

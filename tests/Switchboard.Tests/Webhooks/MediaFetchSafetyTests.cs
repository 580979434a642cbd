using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// Inbound media fetches go only where Meta keeps media: the id from the webhook must be Meta's numeric id,
/// the download URL from Graph must be https on Meta's CDN (or the configured Graph origin), redirects stay on
/// the same origin, and nothing else (another host, a private address) ever receives the channel's token.
/// </summary>
public abstract class MediaFetchSafetyTests(MediaFetchTests.Fixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Theory]
    [InlineData("../../me")]
    [InlineData("123?fields=access_token")]
    [InlineData("123/messages")]
    [InlineData("me")]
    public async Task A_media_id_that_is_not_metas_numeric_id_is_refused_before_any_request(string mediaId)
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var before = Graph.Requests.Count;

        await PostImageAsync(tenant, phone, mediaId, "wamid." + Guid.NewGuid().ToString("N"));
        var failed = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Failed);

        failed.LastError.Should().Be("bad-media-id");
        failed.Attempts.Should().Be(1, "a refused id is not retried");
        Graph.Requests.Skip(before).Should().BeEmpty();
    }

    [Fact]
    public async Task A_download_url_on_another_host_is_not_followed_and_that_host_never_sees_the_token()
    {
        await using var elsewhere = await FakeGraphApi.StartAsync();
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        var bytes = "stolen?"u8.ToArray();
        elsewhere.Files[mediaId] = new FakeGraphApi.MediaFile(bytes, "image/png");
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile(bytes, "image/png") { Url = $"{elsewhere.BaseUrl}/download/{mediaId}" };

        await PostImageAsync(tenant, phone, mediaId);
        var failed = await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Failed);

        failed.LastError.Should().Be("url-not-allowed");
        elsewhere.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")]
    [InlineData("https://lookaside.fbsbx.com.attacker.example/x")]
    [InlineData("https://lookaside.fbsbx.com:8443/x")]
    [InlineData("file:///etc/passwd")]
    public async Task A_download_url_outside_metas_media_hosts_is_refused(string url)
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var mediaId = NewMediaId();
        Graph.Files[mediaId] = new FakeGraphApi.MediaFile("x"u8.ToArray(), "image/png") { Url = url };

        await PostImageAsync(tenant, phone, mediaId);

        (await WaitForMediaAsync(tenant.Id, mediaId, MediaState.Failed)).LastError.Should().Be("url-not-allowed");
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_not_followed_but_one_on_the_same_origin_is()
    {
        await using var elsewhere = await FakeGraphApi.StartAsync();
        var (tenant, phone) = await TenantWithChannelAsync();
        var away = NewMediaId();
        var bytes = "the real bytes"u8.ToArray();
        elsewhere.Files[away] = new FakeGraphApi.MediaFile(bytes, "image/png");
        Graph.Files[away] = new FakeGraphApi.MediaFile(bytes, "image/png") { RedirectTo = $"{elsewhere.BaseUrl}/download/{away}" };
        var home = NewMediaId();
        var moved = NewMediaId();
        Graph.Files[moved] = new FakeGraphApi.MediaFile(bytes, "image/png");
        Graph.Files[home] = new FakeGraphApi.MediaFile(bytes, "image/png") { RedirectTo = $"/download/{moved}" };

        await PostImageAsync(tenant, phone, away);
        await PostImageAsync(tenant, phone, home);

        (await WaitForMediaAsync(tenant.Id, away, MediaState.Failed)).LastError.Should().Be("redirect-not-allowed");
        elsewhere.Requests.Should().BeEmpty();
        await WaitForMediaAsync(tenant.Id, home, MediaState.Stored);
        Graph.Files[moved].Downloads.Should().Be(1);
    }

    private async Task PostImageAsync(TestTenant tenant, string phone, string mediaId, string? wamid = null)
    {
        var sha256 = Graph.Files.TryGetValue(mediaId, out var file) ? file.Sha256 : null;
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Photographer" }, wa_id = "16505550777" }],
            messages: [new { from = "16505550777", id = wamid ?? "wamid." + mediaId, timestamp = "1750000000", type = "image", image = new { mime_type = "image/png", sha256, id = mediaId } }])]]);
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
}

public sealed class MediaFetchSafetyTests_Sqlite(MediaFetchTests.SqliteFixture fixture) : MediaFetchSafetyTests(fixture), IClassFixture<MediaFetchTests.SqliteFixture>;

public sealed class MediaFetchSafetyTests_Postgres(MediaFetchTests.PostgresFixture fixture) : MediaFetchSafetyTests(fixture), IClassFixture<MediaFetchTests.PostgresFixture>;

/// <summary>The media hosts rule and the connect-time address check, without a database.</summary>
public sealed class MediaHostsTests
{
    [Theory]
    [InlineData("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3", true)]
    [InlineData("https://scontent.xx.fbcdn.net/v/t45.1/abc.jpg", true)]
    [InlineData("https://mmg.whatsapp.net/d/f/abc.enc", true)]
    [InlineData("https://LOOKASIDE.FBSBX.COM/x", true)]
    [InlineData("http://127.0.0.1:5099/download/1", true)]
    [InlineData("http://127.0.0.1:5098/download/1", false)]
    [InlineData("https://127.0.0.1:5099/download/1", false)]
    [InlineData("http://lookaside.fbsbx.com/x", false)]
    [InlineData("https://fbcdn.net/x", false)]
    [InlineData("https://evilfbcdn.net/x", false)]
    [InlineData("https://whatsapp.net.attacker.example/x", false)]
    [InlineData("https://user:pass@lookaside.fbsbx.com/x", false)]
    [InlineData("https://lookaside.fbsbx.com:444/x", false)]
    [InlineData("https://graph.facebook.com/v25.0/123", false)]
    public void Only_metas_cdn_over_https_and_the_graph_origin_are_allowed(string url, bool allowed)
    {
        var hosts = new MediaHosts(new Uri("http://127.0.0.1:5099/v25.0"), Dns.GetHostAddressesAsync);

        hosts.IsAllowed(new Uri(url)).Should().Be(allowed);
    }

    [Theory]
    [InlineData("157.240.1.1", true)]
    [InlineData("31.13.64.52", true)]
    [InlineData("2a03:2880:f12f:83:face:b00c:0:25de", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("2002:a00:1::", false)]
    public void Private_loopback_and_link_local_addresses_are_not_public(string address, bool isPublic)
    {
        MediaHosts.IsPublic(IPAddress.Parse(address)).Should().Be(isPublic);
    }

    [Fact]
    public async Task A_cdn_name_that_resolves_to_a_private_address_is_refused_when_connecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // DNS rebinding: the name passed the URL check, its address is decided at connect time.
        var hosts = new MediaHosts(new Uri("https://graph.facebook.com/v25.0"), (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var client = new HttpClient(hosts.CreateHandler());

        var attempt = () => client.GetAsync($"https://lookaside.fbsbx.com:{port}/x");

        (await attempt.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<MediaAddressRefusedException>();
        listener.Pending().Should().BeFalse("no connection was made");
    }

    [Fact]
    public async Task The_graph_origin_may_be_on_a_private_address_and_nothing_else_there_may()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var other = await FakeGraphApi.StartAsync();
        graph.Files["42"] = new FakeGraphApi.MediaFile("bytes"u8.ToArray(), "image/png");
        other.Files["42"] = new FakeGraphApi.MediaFile("bytes"u8.ToArray(), "image/png");
        var hosts = new MediaHosts(new Uri(graph.GraphApiBaseUrl), Dns.GetHostAddressesAsync);
        using var client = new HttpClient(hosts.CreateHandler());

        (await client.GetAsync($"{graph.BaseUrl}/download/42")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "reached: the fake wants a token");
        var toOther = () => client.GetAsync($"{other.BaseUrl}/download/42");

        (await toOther.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<MediaAddressRefusedException>();
        other.Requests.Should().BeEmpty();
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Cluster;

/// <summary>
/// Two real server processes on their own ports and one PostgreSQL (ADR 0056): a webhook taken by node A reaches an event
/// stream held on node B, woken by NOTIFY rather than found by its keep-alive poll; and media that node A fetched into the
/// database store, or into a bucket of a real S3-compatible server (s3rver, ADR 0061), is served by node B.
/// </summary>
[Collection(Serial.Name)]
public sealed class TwoProcessTests
{
    [Theory]
    [InlineData("database")]
    [InlineData("s3")]
    public async Task A_webhook_on_one_process_reaches_a_stream_on_the_other_and_its_media_is_served_there(string store)
    {
        await using var database = new PostgresTestDatabase();
        await database.CreateAsync();
        await using var bucket = store == "s3" ? await S3rver.StartAsync() : null;
        var operatorKey = "op_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var settingsA = SwitchboardProcess.Settings(database, "node-a", operatorKey);
        var settingsB = SwitchboardProcess.Settings(database, "node-b", operatorKey);
        foreach (var (key, value) in bucket?.Settings() ?? new() { ["Switchboard:Media:Store"] = "database" })
        {
            settingsA[key] = settingsB[key] = value;
        }

        settingsB["Switchboard:MasterKey"] = settingsA["Switchboard:MasterKey"];
        await using var nodeA = await SwitchboardProcess.StartAsync(settingsA, SwitchboardProcess.FreePort());
        await using var nodeB = await SwitchboardProcess.StartAsync(settingsB, SwitchboardProcess.FreePort());

        using var operatorClient = nodeA.CreateClient();
        operatorClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        var tenant = await (await operatorClient.PostAsJsonAsync("/api/v1/tenants", new { name = "Two nodes" })).ReadJsonAsync();
        var tenantId = tenant["id"]!.GetValue<Guid>();
        using var onA = ClientOf(nodeA, tenant["apiKey"]!.GetValue<string>());
        using var onB = ClientOf(nodeB, tenant["apiKey"]!.GetValue<string>());
        var phone = Builders.NewPhoneNumberId();
        (await onA.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest(phone))).StatusCode.Should().Be(HttpStatusCode.Created);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenantId}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var stream = await onB.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancel.Token));
        (await reader.ReadLineAsync(cancel.Token)).Should().StartWith("retry:");

        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        byte[] picture = [0x89, .. "PNG\r\n\x1A\n"u8, .. Encoding.ASCII.GetBytes("NODE-A-PIXELS " + Guid.NewGuid())];
        var file = new FakeGraphApi.MediaFile(picture, "image/png");
        FakeGraphApi.Shared.Files[mediaId] = file;
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Grace" }, wa_id = "16505550101" }],
            messages: [new { from = "16505550101", id = "wamid.img" + mediaId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), type = "image", image = new { mime_type = "image/png", sha256 = file.Sha256, id = mediaId } }])]]);
        (await onA.PostWebhookAsync(tenantId, body, WebhookSender.Sign(body))).StatusCode.Should().Be(HttpStatusCode.OK);

        var lines = new List<string>();
        while (!lines.Any(l => l.StartsWith("data: ", StringComparison.Ordinal)) && await reader.ReadLineAsync(cancel.Token) is { } line)
        {
            lines.Add(line);
        }

        lines.Should().Contain("event: message.received");
        lines.Should().NotContain(": keep-alive", "node B's stream was woken by node A's NOTIFY, not by its own 10 s keep-alive");

        await using var db = database.NewDbContext();
        var media = await Eventually.PollAsync(() => db.MediaObjects.AsNoTracking().SingleOrDefaultAsync(m => m.TenantId == tenantId && m.State == MediaState.Stored));
        if (bucket is null)
        {
            (await db.MediaBlobs.AnyAsync(b => b.TenantId == tenantId && b.Id == media.Id)).Should().BeTrue("the sealed file is a row every node reads");
        }
        else
        {
            (await bucket.KeysAsync("")).Should().Equal($"{tenantId:N}/{media.Id:N}");
            var stored = await bucket.ReadAsync($"{tenantId:N}/{media.Id:N}");
            stored.Length.Should().BeGreaterThan(picture.Length, "the object is the sealed file");
            Encoding.ASCII.GetString(stored).Should().NotContain("NODE-A-PIXELS", "the bucket never sees the plain bytes");
            (await db.MediaBlobs.AnyAsync()).Should().BeFalse("the database holds no file");
        }

        var served = await onB.GetAsync($"/api/v1/tenants/{tenantId}/media/{media.Id}");
        served.StatusCode.Should().Be(HttpStatusCode.OK);
        (await served.Content.ReadAsByteArrayAsync()).Should().Equal(picture);
    }

    private static HttpClient ClientOf(SwitchboardProcess node, string key)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

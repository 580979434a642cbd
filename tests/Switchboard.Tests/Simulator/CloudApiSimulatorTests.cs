using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CloudApiSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Simulator;

/// <summary>The simulator behaves like Meta where Switchboard depends on it: limits, errors, auth, media, statuses.</summary>
public sealed class CloudApiSimulatorTests : IAsyncLifetime
{
    private const string Number = "100000000000001";
    private const string Token = "sim-token";
    private const string Secret = "sim-app-secret";
    private readonly ConcurrentQueue<(string Body, string? Signature)> webhooks = new();
    private WebApplication simulator = null!;
    private WebApplication receiver = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        receiver = StartApp(app => app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            webhooks.Enqueue((await reader.ReadToEndAsync(), http.Request.Headers["X-Hub-Signature-256"]));
            return Results.Ok();
        }));
        await receiver.StartAsync();
        var receiverUrl = Address(receiver);
        simulator = StartApp(
            app => app.MapCloudApiSimulator("/"),
            (builder, services) => services.AddCloudApiSimulator(builder.Configuration.GetSection("Simulator"), "/"),
            new Dictionary<string, string?>
            {
                ["Simulator:Numbers:0:PhoneNumberId"] = Number,
                ["Simulator:Numbers:0:WabaId"] = "100000000000002",
                ["Simulator:Numbers:0:DisplayPhoneNumber"] = "+1 555 010 0001",
                ["Simulator:Numbers:0:AppSecret"] = Secret,
                ["Simulator:Numbers:0:AccessToken"] = Token,
                ["Simulator:Numbers:0:WebhookUrl"] = receiverUrl + "/hook",
                ["Simulator:MessagesPerSecond"] = "20",
                ["Simulator:PairBurst"] = "5",
                ["Simulator:Statuses:DuplicateRate"] = "0",
                ["Simulator:Statuses:ReorderRate"] = "0",
                ["Simulator:Statuses:SentAfterMilliseconds"] = "10",
                ["Simulator:Statuses:DeliveredAfterMilliseconds"] = "50",
                ["Simulator:Statuses:ReadAfterMilliseconds"] = "100",
            });
        await simulator.StartAsync();
        client = new HttpClient { BaseAddress = new Uri(Address(simulator)) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await simulator.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_send_is_accepted_like_meta_and_the_phone_answers_with_signed_sent_delivered_read()
    {
        var response = await client.PostAsJsonAsync($"/graph/v25.0/{Number}/messages", Text("+16505550001"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        body["messaging_product"]!.GetValue<string>().Should().Be("whatsapp");
        body["contacts"]![0]!["wa_id"]!.GetValue<string>().Should().Be("16505550001");
        var wamid = body["messages"]![0]!["id"]!.GetValue<string>();
        await WaitUntilAsync(() => webhooks.Count >= 3);
        var statuses = webhooks.Select(w => JsonNode.Parse(w.Body)!["entry"]![0]!["changes"]![0]!["value"]!["statuses"]![0]!).ToList();
        statuses.Select(s => s["status"]!.GetValue<string>()).Should().Equal("sent", "delivered", "read");
        statuses.Should().OnlyContain(s => s["id"]!.GetValue<string>() == wamid);
        webhooks.Should().OnlyContain(w => w.Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(w.Body))));
    }

    [Fact]
    public async Task Over_the_numbers_throughput_meta_answers_130429_and_over_the_pair_limit_131056()
    {
        var answers = new List<JsonObject>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add((await (await client.PostAsJsonAsync($"/graph/v25.0/{Number}/messages", Text("+16505550002"))).Content.ReadFromJsonAsync<JsonObject>())!);
        }

        answers.Last()["error"]!["code"]!.GetValue<int>().Should().Be(131056, "six messages to one customer within 6 s is over the pair burst of 5");

        var codes = new List<int>();
        for (var i = 0; i < 25; i++)
        {
            var answer = (await (await client.PostAsJsonAsync($"/graph/v25.0/{Number}/messages", Text($"+1650555{i:D4}"))).Content.ReadFromJsonAsync<JsonObject>())!;
            codes.Add(answer["error"]?["code"]?.GetValue<int>() ?? 0);
        }

        codes.Should().Contain(130429, "more than 20 messages within a second is over the number's throughput");

        // Load tests read when each send was accepted and when each was refused for throughput.
        var stats = (await client.GetFromJsonAsync<JsonObject>($"/api/stats/{Number}"))!;
        stats["throttledAtMicroseconds"]!.AsArray().Should().HaveCount(codes.Count(c => c == 130429));
        stats["acceptedAtMicroseconds"]!.AsArray().Should().HaveCount(5 + codes.Count(c => c == 0));
    }

    [Fact]
    public async Task A_wrong_token_gets_metas_190_error_shape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/graph/v25.0/{Number}/messages") { Content = JsonContent.Create(Text("+16505550003")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "expired");

        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        error["code"]!.GetValue<int>().Should().Be(190);
        error["error_subcode"]!.GetValue<int>().Should().Be(463);
        error["type"]!.GetValue<string>().Should().Be("OAuthException");
    }

    [Fact]
    public async Task Uploaded_media_has_a_url_whose_download_needs_the_bearer_token()
    {
        using var form = new MultipartFormDataContent { { new StringContent("whatsapp"), "messaging_product" } };
        var file = new ByteArrayContent([1, 2, 3, 4]);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "x.png");

        var id = (await (await client.PostAsync($"/graph/v25.0/{Number}/media", form)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var info = (await client.GetFromJsonAsync<JsonObject>($"/graph/v25.0/{id}?phone_number_id={Number}"))!;
        var url = info["url"]!.GetValue<string>();

        info["sha256"]!.GetValue<string>().Should().Be(Convert.ToBase64String(SHA256.HashData(new byte[] { 1, 2, 3, 4 })));
        (await client.GetByteArrayAsync(url)).Should().Equal(1, 2, 3, 4);
        using var anonymous = new HttpClient();
        (await anonymous.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_simulated_customer_sends_a_signed_inbound_webhook_with_real_media()
    {
        var response = await client.PostAsJsonAsync("/api/customers/16505559999/messages", new { phoneNumberId = Number, name = "Pat", type = "image", text = "look" });

        response.EnsureSuccessStatusCode();
        await WaitUntilAsync(() => webhooks.Any(w => w.Body.Contains("\"image\"", StringComparison.Ordinal)));
        var message = JsonNode.Parse(webhooks.Last(w => w.Body.Contains("\"image\"", StringComparison.Ordinal)).Body)!["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!;
        message["from"]!.GetValue<string>().Should().Be("16505559999");
        var mediaId = message["image"]!["id"]!.GetValue<string>();
        var info = (await client.GetFromJsonAsync<JsonObject>($"/graph/v25.0/{mediaId}"))!;
        var bytes = await client.GetByteArrayAsync(info["url"]!.GetValue<string>());
        Convert.ToBase64String(SHA256.HashData(bytes)).Should().Be(message["image"]!["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_customers_phone_page_shows_pictures_both_ways_and_the_default_photo_is_a_real_picture()
    {
        await client.PostAsJsonAsync("/api/customers/16505559998/messages", new { phoneNumberId = Number, name = "Pat", type = "image", text = "damaged" });
        await WaitUntilAsync(() => webhooks.Any(w => w.Body.Contains("damaged", StringComparison.Ordinal)));
        var inbound = JsonNode.Parse(webhooks.Last(w => w.Body.Contains("damaged", StringComparison.Ordinal)).Body)!["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!["image"]!["id"]!.GetValue<string>();

        using var form = new MultipartFormDataContent { { new StringContent("whatsapp"), "messaging_product" } };
        var file = new ByteArrayContent([9, 8, 7]);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "reply.jpg");
        var outbound = (await (await client.PostAsync($"/graph/v25.0/{Number}/media", form)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // The page is the customer's phone: it reads both pictures without the business's token.
        using var page = new HttpClient { BaseAddress = client.BaseAddress };
        var picture = await page.GetAsync($"/api/media/{inbound}");
        picture.StatusCode.Should().Be(HttpStatusCode.OK);
        picture.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        var png = await picture.Content.ReadAsByteArrayAsync();
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).Should().Be(SamplePicture.Width, "a real picture, not a 1×1 pixel");
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).Should().Be(SamplePicture.Height);
        using (var decoded = new MemoryStream())
        {
            await using (var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(png, 41, png.Length - 41 - 12 - 4), System.IO.Compression.CompressionMode.Decompress))
            {
                await zlib.CopyToAsync(decoded);
            }

            decoded.Length.Should().Be(SamplePicture.Height * ((SamplePicture.Width * 3) + 1), "the image data inflates to every scanline");
            decoded.ToArray().Distinct().Count().Should().BeGreaterThan(20, "it is a picture, not a flat colour");
        }

        (await page.GetByteArrayAsync($"/api/media/{outbound}")).Should().Equal(9, 8, 7);
        (await page.GetAsync("/api/media/404404404")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static object Text(string to) => new { messaging_product = "whatsapp", recipient_type = "individual", to, type = "text", text = new { preview_url = false, body = "hello" } };

    private static WebApplication StartApp(Action<WebApplication> map, Action<WebApplicationBuilder, IServiceCollection>? services = null, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        services?.Invoke(builder, builder.Services);
        var app = builder.Build();
        map(app);
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().Should().BeTrue();
    }
}

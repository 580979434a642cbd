using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A stand-in for Meta's Graph API on a real local port: media URL + download (bearer checked), message
/// sends and media uploads with scripted answers (accept, Meta error, dropped connection, hang), an
/// optional per-number throughput limit answering 130429 like Meta, and the phone number lookup that
/// connecting a number makes (every number and token is good unless listed as unknown or refused).
/// </summary>
public sealed class FakeGraphApi : IAsyncDisposable
{
    private static readonly Lazy<FakeGraphApi> SharedInstance = new(() => Task.Run(StartAsync).GetAwaiter().GetResult());
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Queue<long>> recentSends = new();
    private int throughputErrors;

    private FakeGraphApi(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public string GraphApiBaseUrl => BaseUrl + "/v25.0";

    public ConcurrentDictionary<string, MediaFile> Files { get; } = new();

    public ConcurrentQueue<string> Requests { get; } = new();

    public string ExpectedToken { get; set; } = "EAAG-access-token-0123456789";

    /// <summary>Every POST …/messages that reached the fake, in arrival order.</summary>
    public ConcurrentQueue<SentRequest> Sends { get; } = new();

    public ConcurrentQueue<SentRequest> Uploads { get; } = new();

    /// <summary>Decides the answer to each send (default: accept with a fresh wamid).</summary>
    public Func<SentRequest, SendAnswer> Answer { get; set; } = _ => SendAnswer.Accept();

    public Func<SentRequest, SendAnswer> UploadAnswer { get; set; } = _ => SendAnswer.Uploaded("1479537139650973");

    /// <summary>Meta's per-number throughput: more sends than this within one second answer 130429.</summary>
    public int? MessagesPerSecondLimit { get; set; }

    public int ThroughputErrors => throughputErrors;

    /// <summary>
    /// One fake for the whole test run, the Graph API of every app that does not bring its own: connecting a
    /// number asks Meta about it, and tests must never reach the real graph.facebook.com. Never disposed.
    /// </summary>
    public static FakeGraphApi Shared => SharedInstance.Value;

    /// <summary>Every phone number lookup (GET /{phone-number-id}?fields=…) that reached the fake.</summary>
    public ConcurrentQueue<SentRequest> NumberLookups { get; } = new();

    /// <summary>Access tokens Meta refuses (error 190) for number lookups.</summary>
    public ConcurrentDictionary<string, bool> RefusedTokens { get; } = new();

    /// <summary>Phone number ids no token can see (error 100).</summary>
    public ConcurrentDictionary<string, bool> UnknownNumbers { get; } = new();

    /// <summary>Overrides the answer to a number lookup (for example a hang or a 5xx); null: the rules above.</summary>
    public Func<SentRequest, SendAnswer?> NumberAnswer { get; set; } = _ => null;

    public static string VerifiedNameOf(string phoneNumberId) => "Test Business " + phoneNumberId[^4..];

    public sealed class MediaFile(byte[] bytes, string mimeType)
    {
        public byte[] Bytes { get; set; } = bytes;

        public string MimeType { get; } = mimeType;

        public string Sha256 => Convert.ToBase64String(SHA256.HashData(Bytes));

        /// <summary>How many more download requests answer 500 before one succeeds.</summary>
        public int FailuresLeft { get; set; }

        public int Downloads { get; set; }

        /// <summary>The download URL Graph hands out for this file (default: the fake's own /download/{id}).</summary>
        public string? Url { get; set; }

        /// <summary>When set, downloading answers 302 to this location instead of the bytes.</summary>
        public string? RedirectTo { get; set; }
    }

    public sealed record SentRequest(string PhoneNumberId, string Body, string? Authorization, long AtTicks);

    public sealed record SendAnswer(int Status, string? Json, bool Drop = false, TimeSpan Delay = default)
    {
        public static SendAnswer Accept(string? wamid = null) => new(200,
            "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+16505551234\",\"wa_id\":\"16505551234\"}],\"messages\":[{\"id\":\""
            + (wamid ?? "wamid.fake-" + Guid.NewGuid().ToString("N")) + "\"}]}");

        public static SendAnswer Uploaded(string mediaId) => new(200, "{\"id\":\"" + mediaId + "\"}");

        public static SendAnswer Error(int status, int code, string title, int? subcode = null) => new(status,
            "{\"error\":{\"message\":\"" + title + "\",\"type\":\"OAuthException\",\"code\":" + code
            + (subcode is null ? "" : ",\"error_subcode\":" + subcode)
            + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"" + title + "\"},\"fbtrace_id\":\"AbCdEf\"}}");

        /// <summary>Reads the whole request, then drops the connection without answering.</summary>
        public static SendAnswer DropConnection() => new(0, null, Drop: true);

        public static SendAnswer Hang(TimeSpan delay) => new(200, null, Delay: delay);
    }

    public static async Task<FakeGraphApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGraphApi(app);
        app.MapGet("/v25.0/{mediaId}", async (string mediaId, HttpContext http) =>
        {
            if (!fake.Files.ContainsKey(mediaId) && http.Request.Query.ContainsKey("fields"))
            {
                return await fake.LookUpNumberAsync(mediaId, http);
            }

            fake.Requests.Enqueue($"info {mediaId} {http.Request.Headers.Authorization}");
            if (http.Request.Headers.Authorization != $"Bearer {fake.ExpectedToken}")
            {
                return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
            }

            return fake.Files.TryGetValue(mediaId, out var file)
                ? Results.Json(new { messaging_product = "whatsapp", url = file.Url ?? $"{fake.BaseUrl}/download/{mediaId}", mime_type = file.MimeType, sha256 = file.Sha256, file_size = file.Bytes.Length, id = mediaId })
                : Results.Json(new { error = new { message = "Unsupported get request.", code = 100 } }, statusCode: 404);
        });
        app.MapGet("/download/{mediaId}", (string mediaId, HttpContext http) =>
        {
            fake.Requests.Enqueue($"download {mediaId} {http.Request.Headers.Authorization}");
            if (http.Request.Headers.Authorization != $"Bearer {fake.ExpectedToken}")
            {
                return Results.StatusCode(401);
            }

            if (!fake.Files.TryGetValue(mediaId, out var file))
            {
                return Results.NotFound();
            }

            if (file.RedirectTo is { } location)
            {
                return Results.Redirect(location);
            }

            lock (file)
            {
                file.Downloads++;
                if (file.FailuresLeft > 0)
                {
                    file.FailuresLeft--;
                    return Results.StatusCode(500);
                }
            }

            return Results.Bytes(file.Bytes, file.MimeType);
        });
        app.MapPost("/v25.0/{phoneNumberId}/messages", async (string phoneNumberId, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var sent = new SentRequest(phoneNumberId, await reader.ReadToEndAsync(), http.Request.Headers.Authorization, Environment.TickCount64);
            fake.Sends.Enqueue(sent);
            if (fake.MessagesPerSecondLimit is { } limit && !fake.WithinThroughput(phoneNumberId, limit))
            {
                Interlocked.Increment(ref fake.throughputErrors);
                return await RespondAsync(SendAnswer.Error(400, 130429, "Rate limit hit"), http);
            }

            return await RespondAsync(fake.Answer(sent), http);
        });
        app.MapPost("/v25.0/{phoneNumberId}/media", async (string phoneNumberId, HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var file = form.Files["file"];
            var sent = new SentRequest(phoneNumberId, $"messaging_product={form["messaging_product"]};file={file?.FileName};type={file?.ContentType};length={file?.Length}", http.Request.Headers.Authorization, Environment.TickCount64);
            fake.Uploads.Enqueue(sent);
            return await RespondAsync(fake.UploadAnswer(sent), http);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task<IResult> LookUpNumberAsync(string phoneNumberId, HttpContext http)
    {
        var lookup = new SentRequest(phoneNumberId, http.Request.QueryString.Value ?? "", http.Request.Headers.Authorization, Environment.TickCount64);
        NumberLookups.Enqueue(lookup);
        if (NumberAnswer(lookup) is { } scripted)
        {
            return await RespondAsync(scripted, http);
        }

        var token = lookup.Authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? lookup.Authorization["Bearer ".Length..] : "";
        if (token.Length == 0 || RefusedTokens.ContainsKey(token))
        {
            return await RespondAsync(SendAnswer.Error(401, 190, "Error validating access token: Session has expired.", 463), http);
        }

        if (UnknownNumbers.ContainsKey(phoneNumberId))
        {
            return await RespondAsync(SendAnswer.Error(400, 100, "Unsupported get request. Object with ID does not exist, cannot be loaded due to missing permissions, or does not support this operation.", 33), http);
        }

        return Results.Json(new { verified_name = VerifiedNameOf(phoneNumberId), display_phone_number = "+1 555 078 3881", quality_rating = "GREEN", id = phoneNumberId });
    }

    private static async Task<IResult> RespondAsync(SendAnswer answer, HttpContext http)
    {
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }
        }

        if (answer.Drop)
        {
            http.Abort();
            return Results.Empty;
        }

        return Results.Content(answer.Json ?? "{}", "application/json", null, answer.Status);
    }

    /// <summary>A sliding one-second window per number, like Meta's throughput check.</summary>
    private bool WithinThroughput(string phoneNumberId, int limit)
    {
        var window = recentSends.GetOrAdd(phoneNumberId, _ => new Queue<long>());
        lock (window)
        {
            var now = Environment.TickCount64;
            while (window.TryPeek(out var oldest) && now - oldest >= 1000)
            {
                window.Dequeue();
            }

            if (window.Count >= limit)
            {
                return false;
            }

            window.Enqueue(now);
            return true;
        }
    }
}

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
/// A small stand-in for Meta's Graph media endpoints on a real local port: GET /v25.0/{media-id} gives a
/// download URL, GET /download/{media-id} the bytes; both require the channel's bearer token. Tests set
/// the files and the faults.
/// </summary>
public sealed class FakeGraphApi : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeGraphApi(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentDictionary<string, MediaFile> Files { get; } = new();

    public ConcurrentQueue<string> Requests { get; } = new();

    public string ExpectedToken { get; set; } = "EAAG-access-token-0123456789";

    public sealed class MediaFile(byte[] bytes, string mimeType)
    {
        public byte[] Bytes { get; set; } = bytes;

        public string MimeType { get; } = mimeType;

        public string Sha256 => Convert.ToBase64String(SHA256.HashData(Bytes));

        /// <summary>How many more download requests answer 500 before one succeeds.</summary>
        public int FailuresLeft { get; set; }

        public int Downloads { get; set; }
    }

    public static async Task<FakeGraphApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGraphApi(app);
        app.MapGet("/v25.0/{mediaId}", (string mediaId, HttpContext http) =>
        {
            fake.Requests.Enqueue($"info {mediaId} {http.Request.Headers.Authorization}");
            if (http.Request.Headers.Authorization != $"Bearer {fake.ExpectedToken}")
            {
                return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
            }

            return fake.Files.TryGetValue(mediaId, out var file)
                ? Results.Json(new { messaging_product = "whatsapp", url = $"{fake.BaseUrl}/download/{mediaId}", mime_type = file.MimeType, sha256 = file.Sha256, file_size = file.Bytes.Length, id = mediaId })
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
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    public string GraphApiBaseUrl => BaseUrl + "/v25.0";

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

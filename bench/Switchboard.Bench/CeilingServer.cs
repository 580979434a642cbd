using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Bench;

/// <summary>
/// The ceiling: a bare ASP.NET Core endpoint in this process (Kestrel on 127.0.0.1, a random port, no
/// logging) that reads the body, checks the signature like Switchboard does (HMAC-SHA256, constant-time
/// comparison) and answers 200 — what receiving a webhook costs on this machine before anything durable.
/// </summary>
internal sealed class CeilingServer : IAsyncDisposable
{
    private const string Prefix = "sha256=";

    private readonly WebApplication app;

    private CeilingServer(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The same path shape as Switchboard's, so both runs post the same requests.</summary>
    public Uri WebhookUrl(Guid tenantId) => new(BaseUrl, $"webhooks/whatsapp/{tenantId}");

    public static async Task<CeilingServer> StartAsync(string appSecret, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var secret = Encoding.UTF8.GetBytes(appSecret);
        app.MapPost("/webhooks/whatsapp/{tenantId}", async (HttpRequest request) =>
            IsSigned(await ReadBodyAsync(request), request.Headers[Webhooks.SignatureHeader], secret)
                ? Results.Ok()
                : Results.Unauthorized());
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CeilingServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream(request.ContentLength is { } length and <= int.MaxValue ? (int)length : 4096);
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    private static bool IsSigned(byte[] body, string? header, byte[] secret)
    {
        if (header is null || header.Length != Prefix.Length + 64 || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(secret, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}

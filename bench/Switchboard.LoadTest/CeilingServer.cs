using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.LoadTest;

/// <summary>
/// The ceiling: a bare ASP.NET Core endpoint on this machine that reads the body, checks the signature
/// in constant time and answers 200 — what any webhook receiver costs before it does anything durable.
/// </summary>
internal sealed class CeilingServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private CeilingServer(WebApplication app, Uri endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<CeilingServer> StartAsync(string appSecret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var secret = Encoding.UTF8.GetBytes(appSecret);
        app.MapPost("/webhook", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var header = http.Request.Headers["X-Hub-Signature-256"].ToString();
            var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body.ToArray())));
            return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header)) ? Results.Ok() : Results.Unauthorized();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CeilingServer(app, new Uri(address.TrimEnd('/') + "/webhook"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

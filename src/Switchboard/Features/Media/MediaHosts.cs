using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;

namespace Switchboard.Features.Media;

/// <summary>
/// Where an inbound media download may go. The URL comes from Graph's answer, so it is checked like any
/// outside input: https on Meta's CDN (lookaside.fbsbx.com, *.fbcdn.net, *.whatsapp.net), or the configured
/// Graph API origin (tests and the simulator serve media there). The connection itself re-checks the resolved
/// addresses, so a CDN-looking name that resolves (or re-resolves) to a private, loopback or link-local
/// address is refused; only the Graph origin may be anywhere.
/// </summary>
internal sealed class MediaHosts
{
    private static readonly string[] MetaCdnSuffixes = [".fbcdn.net", ".whatsapp.net"];
    private readonly Uri graphOrigin;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve;

    public MediaHosts(IOptions<SwitchboardOptions> options)
        : this(options.Value.WhatsApp.GraphApiBaseUrl, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>With a resolver of one's own (tests: a name that resolves to a private address).</summary>
    internal MediaHosts(Uri graphApiBaseUrl, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        graphOrigin = new Uri(graphApiBaseUrl.GetLeftPart(UriPartial.Authority));
        this.resolve = resolve;
    }

    public bool IsAllowed(Uri url) =>
        url.IsAbsoluteUri && string.IsNullOrEmpty(url.UserInfo) && (IsGraphOrigin(url) || (url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort && IsMetaCdnHost(url.IdnHost)));

    public static bool IsMetaCdnHost(string host) =>
        string.Equals(host, "lookaside.fbsbx.com", StringComparison.OrdinalIgnoreCase)
        || MetaCdnSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && host.Length > suffix.Length);

    /// <summary>The handler of the media client: no redirects followed for us, no proxy, and the address check at connect time.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = ConnectAsync,
    };

    /// <summary>Whether an address is on the public internet (not private, loopback, link-local, CGNAT, multicast or reserved).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and < 32)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();

        // Global unicast only (2000::/3), without documentation (2001:db8::/32), Teredo (2001::/32) and 6to4 (2002::/16),
        // which tunnel to IPv4 addresses this check would not see.
        return (v6[0] & 0xE0) == 0x20
            && !(v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0D && v6[3] == 0xB8)
            && !(v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x00 && v6[3] == 0x00)
            && !(v6[0] == 0x20 && v6[1] == 0x02);
    }

    private bool IsGraphOrigin(Uri url) =>
        url.Scheme == graphOrigin.Scheme && string.Equals(url.IdnHost, graphOrigin.IdnHost, StringComparison.OrdinalIgnoreCase) && url.Port == graphOrigin.Port;

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await resolve(endpoint.Host, ct);
        var toGraph = string.Equals(endpoint.Host, graphOrigin.IdnHost, StringComparison.OrdinalIgnoreCase) && endpoint.Port == graphOrigin.Port;
        if (addresses.Length == 0 || (!toGraph && !addresses.All(IsPublic)))
        {
            throw new MediaAddressRefusedException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Connect to the addresses checked above, never to a fresh resolution of the name.
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A media download was about to connect to an address that is not on the public internet.</summary>
internal sealed class MediaAddressRefusedException() : Exception("address-not-allowed");

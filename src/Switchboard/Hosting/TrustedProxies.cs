using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Switchboard.Common.Configuration;

namespace Switchboard.Hosting;

/// <summary>
/// Behind a reverse proxy the connection's peer is the proxy. <c>X-Forwarded-For</c>, <c>-Proto</c> and
/// <c>-Host</c> are applied only when the peer is a configured proxy (<see cref="TrustedProxyOptions"/>), so
/// rate limits key on the real client and HSTS and cookies see https; from any other peer they are
/// ignored, and nothing is trusted by default (not even loopback).
/// </summary>
internal static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, TrustedProxyOptions trusted)
    {
        var proxies = trusted.KnownProxies.Select((value, i) => IPAddress.TryParse(value?.Trim(), out var address)
            ? address
            : throw Invalid($"KnownProxies:{i}", "an IP address such as 10.0.0.5")).ToList();
        var networks = trusted.KnownNetworks.Select((value, i) => System.Net.IPNetwork.TryParse(value?.Trim(), out var network)
            ? network
            : throw Invalid($"KnownNetworks:{i}", "a network in CIDR notation such as 10.0.0.0/8")).ToList();

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }

            // Walk back through the chain as long as each hop is a known proxy (a CDN in front of a load
            // balancer): the first address that is not one is the client.
            o.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>First in the pipeline: everything after it (HSTS, rate limits, cookies) sees the client's request.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    private static InvalidOperationException Invalid(string key, string expected) =>
        new($"Switchboard:ForwardedHeaders:{key} (env Switchboard__ForwardedHeaders__{key.Replace(":", "__", StringComparison.Ordinal)}) must be {expected}.");
}

using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Hosting;

namespace Switchboard.Features.Channels;

/// <summary>The callback URL a tenant pastes into Meta's App Dashboard.</summary>
internal sealed class WebhookUrls(IOptions<SwitchboardOptions> options)
{
    public string For(Guid tenantId, HttpRequest request) => $"{BaseOf(options.Value, request)}/webhooks/whatsapp/{tenantId}";

    /// <summary>
    /// The configured public base URL (webhook and invite links). Production refuses to start without one
    /// (<see cref="SwitchboardEnvironment.Validate"/>), so only development and demo mode fall back to the
    /// request's own scheme and host, which a client can choose.
    /// </summary>
    public static string BaseOf(SwitchboardOptions options, HttpRequest request) =>
        string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : options.PublicBaseUrl.Trim().TrimEnd('/');
}

using Microsoft.Extensions.Options;
using Switchboard.Hosting;

namespace Switchboard.Features.Channels;

/// <summary>The callback URL a tenant pastes into Meta's App Dashboard.</summary>
internal sealed class WebhookUrls(IOptions<SwitchboardOptions> options)
{
    public string For(Guid tenantId, HttpRequest request)
    {
        var configured = options.Value.PublicBaseUrl;
        var baseUrl = string.IsNullOrWhiteSpace(configured) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : configured.TrimEnd('/');
        return $"{baseUrl}/webhooks/whatsapp/{tenantId}";
    }
}

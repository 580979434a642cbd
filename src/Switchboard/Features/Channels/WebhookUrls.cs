using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Web;

namespace Switchboard.Features.Channels;

/// <summary>The callback URL a tenant pastes into Meta's App Dashboard.</summary>
internal sealed class WebhookUrls(IOptions<SwitchboardOptions> options)
{
    public string For(Guid tenantId, HttpRequest request) => $"{PublicUrls.BaseOf(options.Value, request)}/webhooks/whatsapp/{tenantId}";
}

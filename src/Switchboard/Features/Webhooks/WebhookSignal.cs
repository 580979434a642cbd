using Switchboard.Common.Jobs;

namespace Switchboard.Features.Webhooks;

/// <summary>New rows in the webhook inbox.</summary>
internal sealed class WebhookSignal
{
    public WorkSignal Signal { get; } = new();
}

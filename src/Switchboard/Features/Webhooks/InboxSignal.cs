using Switchboard.Common.Jobs;

namespace Switchboard.Features.Webhooks;

/// <summary>New rows in the webhook inbox.</summary>
internal sealed class InboxSignal
{
    public WorkSignal Signal { get; } = new();
}

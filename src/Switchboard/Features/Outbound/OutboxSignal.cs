using Switchboard.Common.Jobs;

namespace Switchboard.Features.Outbound;

/// <summary>New replies waiting to be sent.</summary>
internal sealed class OutboxSignal
{
    public WorkSignal Signal { get; } = new();
}

using Switchboard.Common.Jobs;

namespace Switchboard.Features.Media;

/// <summary>New attachments waiting to be fetched.</summary>
internal sealed class MediaSignal
{
    public WorkSignal Signal { get; } = new();
}

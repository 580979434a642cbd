using System.Collections.Concurrent;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Paces sends per business number: evenly spaced slots at the number's messages-per-second rate, so a
/// burst of a thousand replies leaves at 80/s instead of tripping Meta's 130429.
/// </summary>
internal sealed class Pacer(TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Lane> lanes = new();

    /// <summary>Reserves the next slot of the channel and returns how long to wait for it.</summary>
    public TimeSpan Reserve(Guid channelId, int messagesPerSecond)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / Math.Clamp(messagesPerSecond, 1, 1000));
        var now = clock.GetTimestamp();
        lock (lane)
        {
            var slot = Math.Max(now, lane.NextSlot);
            lane.NextSlot = slot + (long)(spacing.TotalSeconds * clock.TimestampFrequency);
            return TimeSpan.FromSeconds((slot - now) / (double)clock.TimestampFrequency);
        }
    }

    /// <summary>Meta said the number is over its throughput (130429): hold the lane back a little.</summary>
    public void Slow(Guid channelId, TimeSpan pause)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var until = clock.GetTimestamp() + (long)(pause.TotalSeconds * clock.TimestampFrequency);
        lock (lane)
        {
            lane.NextSlot = Math.Max(lane.NextSlot, until);
        }
    }

    private sealed class Lane
    {
        public long NextSlot { get; set; }
    }
}

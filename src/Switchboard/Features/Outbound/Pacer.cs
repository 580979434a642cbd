using System.Collections.Concurrent;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Paces sends per business number at its messages-per-second rate (with a 4% margin, so that timing jitter
/// never pushes a one-second window over Meta's limit and into 130429). Two steps: the dispatcher reserves
/// evenly spaced slots when it claims work, and right before each call a gate makes sure calls really
/// start at least one spacing apart, whatever delays happened in between.
/// </summary>
internal sealed class Pacer(TimeProvider clock)
{
    private const double Margin = 0.96;
    private readonly ConcurrentDictionary<Guid, Lane> lanes = new();

    /// <summary>Reserves the next slot of the channel and returns how long to wait for it.</summary>
    public TimeSpan Reserve(Guid channelId, int messagesPerSecond)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        var now = clock.GetTimestamp();
        lock (lane)
        {
            var slot = Math.Max(now, lane.NextSlot);
            lane.NextSlot = slot + spacing;
            return Duration(slot - now);
        }
    }

    /// <summary>How long the next reservation on this channel would have to wait.</summary>
    public TimeSpan Backlog(Guid channelId)
    {
        if (!lanes.TryGetValue(channelId, out var lane))
        {
            return TimeSpan.Zero;
        }

        lock (lane)
        {
            return Duration(Math.Max(0, lane.NextSlot - clock.GetTimestamp()));
        }
    }

    /// <summary>Waits until at least one spacing has passed since the channel's previous call started.</summary>
    public async Task GateAsync(Guid channelId, int messagesPerSecond, CancellationToken ct)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        TimeSpan wait;
        lock (lane)
        {
            var now = clock.GetTimestamp();
            var start = Math.Max(now, lane.LastStart + spacing);
            lane.LastStart = start;
            wait = Duration(start - now);
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
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
            lane.LastStart = Math.Max(lane.LastStart, until);
        }
    }

    private long Spacing(int messagesPerSecond) =>
        (long)(clock.TimestampFrequency / (Math.Clamp(messagesPerSecond, 1, 1000) * Margin));

    private TimeSpan Duration(long ticks) => TimeSpan.FromSeconds(ticks / (double)clock.TimestampFrequency);

    private sealed class Lane
    {
        public long NextSlot { get; set; }

        public long LastStart { get; set; } = long.MinValue / 2;
    }
}

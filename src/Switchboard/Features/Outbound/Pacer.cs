using System.Collections.Concurrent;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Paces sends per business number at its messages-per-second rate with a 4% margin, so that timing jitter
/// never pushes a one-second window over Meta's limit and into 130429. Two steps: the dispatcher reserves
/// evenly spaced slots when it claims work, and right before each call a gate decides when the call may
/// really start. The gate keeps calls in their slots, lets a call that is late for its slot catch up
/// (at most 4/3 of the paced rate, never more than the rate in any paced second), and holds a call until
/// the call one rate's worth earlier was answered a full second ago — Meta counts a call when it receives
/// it, which is no later than its answer, so however calls bunch on the way, no second at Meta's end
/// holds more than the rate.
/// </summary>
internal sealed class Pacer(TimeProvider clock)
{
    private const double Margin = 0.96;
    private const int MaxRate = 1000;
    private readonly ConcurrentDictionary<Guid, Lane> lanes = new();

    /// <summary>Reserves the next slot of the channel (a timestamp of the pacer's clock).</summary>
    public long Reserve(Guid channelId, int messagesPerSecond)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        var now = clock.GetTimestamp();
        lock (lane)
        {
            var slot = Math.Max(now, lane.NextSlot);
            lane.NextSlot = slot + spacing;
            return slot;
        }
    }

    /// <summary>How long until the given timestamp (zero once it has passed).</summary>
    public TimeSpan Until(long timestamp) => Duration(Math.Max(0, timestamp - clock.GetTimestamp()));

    /// <summary>How long the next reservation on this channel would have to wait.</summary>
    public TimeSpan Backlog(Guid channelId)
    {
        if (!lanes.TryGetValue(channelId, out var lane))
        {
            return TimeSpan.Zero;
        }

        lock (lane)
        {
            return Until(lane.NextSlot);
        }
    }

    /// <summary>
    /// How many more slots fit before the channel's reserved queue reaches <paramref name="horizon"/>; at
    /// least one while it is short of it, so that a slow number (a slot longer than the horizon) still gets work.
    /// </summary>
    public int Room(Guid channelId, int messagesPerSecond, TimeSpan horizon)
    {
        var free = horizon - Backlog(channelId);
        return free <= TimeSpan.Zero ? 0 : Math.Max(1, (int)(free.TotalSeconds * clock.TimestampFrequency / Spacing(messagesPerSecond)));
    }

    /// <summary>The channels whose reserved queue reaches at least <paramref name="backlog"/> ahead (still well fed).</summary>
    public List<Guid> ChannelsAhead(TimeSpan backlog) =>
        [.. lanes.Keys.Where(channelId => Backlog(channelId) >= backlog)];

    /// <summary>
    /// Waits until the call reserved for <paramref name="slot"/> may start: not before its slot, at least
    /// three quarters of a spacing after the previous call, only once the call a rate's worth earlier
    /// started a paced second ago (rate × spacing) and was answered a second ago. Returns the call's
    /// number for <see cref="Answered"/>.
    /// </summary>
    public async Task<long> GateAsync(Guid channelId, int messagesPerSecond, long slot, CancellationToken ct)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        var perWindow = Math.Clamp(messagesPerSecond, 1, MaxRate);
        long start;
        long call;
        TimeSpan wait;
        lock (lane)
        {
            var now = clock.GetTimestamp();
            start = Math.Max(Math.Max(now, slot), lane.LastStart + (spacing * 3 / 4));
            call = lane.Calls++;
            if (call >= perWindow)
            {
                var earlier = (call - perWindow) % Lane.Remembered;
                start = Math.Max(start, lane.Starts[earlier] + (perWindow * spacing));
                if (lane.Answers[earlier] != 0)
                {
                    start = Math.Max(start, lane.Answers[earlier] + clock.TimestampFrequency);
                }
            }

            lane.LastStart = start;
            lane.Starts[call % Lane.Remembered] = start;
            lane.Answers[call % Lane.Remembered] = 0;
            wait = Duration(start - now);
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
        }

        lock (lane)
        {
            // When the call really starts: a late timer must not let the calls after it crowd closer.
            var now = clock.GetTimestamp();
            lane.Starts[call % Lane.Remembered] = Math.Max(start, now);
            lane.LastStart = Math.Max(lane.LastStart, now);
        }

        return call;
    }

    /// <summary>The call has its answer (or gave up waiting): Meta cannot receive it any later.</summary>
    public void Answered(Guid channelId, long call)
    {
        if (lanes.TryGetValue(channelId, out var lane))
        {
            lock (lane)
            {
                lane.Answers[call % Lane.Remembered] = clock.GetTimestamp();
            }
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
        (long)(clock.TimestampFrequency / (Math.Clamp(messagesPerSecond, 1, MaxRate) * Margin));

    private TimeSpan Duration(long ticks) => TimeSpan.FromSeconds(ticks / (double)clock.TimestampFrequency);

    private sealed class Lane
    {
        /// <summary>At least the highest rate: when each of the last calls started.</summary>
        public const int Remembered = 1024;

        public long NextSlot { get; set; }

        public long LastStart { get; set; } = long.MinValue / 2;

        public long Calls { get; set; }

        public long[] Starts { get; } = new long[Remembered];

        /// <summary>When each of the last calls was answered; 0 while it is still out.</summary>
        public long[] Answers { get; } = new long[Remembered];
    }
}

using System.Collections.Concurrent;

namespace Switchboard.Features.Outbound;

/// <summary>
/// Paces sends per business number at its messages-per-second rate with a 2% margin, so that timing jitter
/// never pushes a one-second window over Meta's limit and into 130429. Two steps: the dispatcher reserves
/// evenly spaced slots when it claims work, and right before each call a gate decides when the call may
/// really start. The gate keeps calls in their slots, lets a call that is late for its slot catch up
/// (at most 4/3 of the paced rate, never more than the rate in any paced second), and holds a call until
/// the call one rate's worth earlier reached Meta a full second ago, judged from when that call was
/// answered — so calls that bunch on the way (by up to 250 ms) cannot put more than the rate into one
/// second at Meta's end (<see cref="EarliestStart"/>).
/// </summary>
internal sealed class Pacer : IDisposable
{
    private const double Margin = 0.98;
    private const int MaxRate = 1000;

    /// <summary>How late on the way to Meta a call may be and still be covered by the gate's guarantee.</summary>
    internal static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the stall watch ticks, and how late a tick must be for the process to count as stalled (ADR 0059).</summary>
    private static readonly TimeSpan WatchTick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StallAfter = TimeSpan.FromMilliseconds(150);

    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<Guid, Lane> lanes = new();
    private readonly ITimer watch;
    private long lastTick;
    private long stallEnd = long.MinValue;

    public Pacer(TimeProvider clock)
    {
        this.clock = clock;
        lastTick = clock.GetTimestamp();
        watch = clock.CreateTimer(_ => Watch(), null, WatchTick, WatchTick);
    }

    public void Dispose() => watch.Dispose();

    /// <summary>
    /// A tick much later than due means the process got no CPU (a long GC pause, a starved container): calls it had started just
    /// before may have left it only now, so their way to Meta is taken to start at the stall's end (ADR 0059).
    /// </summary>
    private void Watch()
    {
        var now = clock.GetTimestamp();
        if (now - Interlocked.Exchange(ref lastTick, now) > Ticks(StallAfter))
        {
            Interlocked.Exchange(ref stallEnd, now);
        }
    }

    /// <summary>When the last stall ended: now, while the watch itself is late (its tick has not run since the stall).</summary>
    private long StallEnd(long now) => now - Interlocked.Read(ref lastTick) > Ticks(StallAfter) ? now : Interlocked.Read(ref stallEnd);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);

    /// <summary>Reserves the next slot of the channel (a timestamp of the pacer's clock).</summary>
    public long Reserve(Guid channelId, int messagesPerSecond)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        var now = clock.GetTimestamp();
        lock (lane)
        {
            lane.Spacing = spacing;
            var slot = Math.Max(now, lane.NextSlot);
            lane.NextSlot = slot + spacing;
            return slot;
        }
    }

    /// <summary>How long until the given timestamp (zero once it has passed).</summary>
    public TimeSpan Until(long timestamp) => Duration(Math.Max(0, timestamp - clock.GetTimestamp()));

    /// <summary>
    /// How long the next reservation on this channel would have to wait: the slots reserved ahead, plus the
    /// calls already past their slot that the gate still holds (a late answer holds the calls behind it),
    /// so that a held lane takes no more work while it cannot send it.
    /// </summary>
    public TimeSpan Backlog(Guid channelId)
    {
        if (!lanes.TryGetValue(channelId, out var lane))
        {
            return TimeSpan.Zero;
        }

        lock (lane)
        {
            return Until(lane.NextSlot) + Duration(lane.Held * lane.Spacing);
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
    /// Waits until the call reserved for <paramref name="slot"/> may start, and decides that at the moment
    /// it starts, from the calls that really started and were really answered before it (a decision taken
    /// when the call arrives would rest on guesses about the calls still waiting ahead of it, and a stall
    /// that delays those would let the calls behind them bunch). Returns the call's number for <see cref="Answered"/>.
    /// </summary>
    public async Task<long> GateAsync(Guid channelId, int messagesPerSecond, long slot, CancellationToken ct)
    {
        var lane = lanes.GetOrAdd(channelId, _ => new Lane());
        var spacing = Spacing(messagesPerSecond);
        var perWindow = Math.Clamp(messagesPerSecond, 1, MaxRate);
        long call;
        lock (lane)
        {
            call = lane.Calls++;
            lane.Held++;
            lane.Starts[call % Lane.Remembered] = Lane.Pending;
            lane.Answers[call % Lane.Remembered] = Lane.Pending;
        }

        try
        {
            while (true)
            {
                var wait = TimeSpan.Zero;
                Task? changed;
                lock (lane)
                {
                    var now = clock.GetTimestamp();
                    var start = EarliestStart(lane, call, slot, spacing, perWindow);
                    if (start <= now)
                    {
                        lane.Started(call, now);
                        return call;
                    }

                    if (start == Lane.Pending)
                    {
                        changed = lane.Changed.Task;
                    }
                    else
                    {
                        // Timers count whole milliseconds: a shorter wait would return at once and spin.
                        changed = null;
                        wait = TimeSpan.FromMilliseconds(Math.Ceiling(Duration(start - now).TotalMilliseconds));
                    }
                }

                await (changed is null ? Task.Delay(wait, clock, ct) : changed.WaitAsync(ct));
            }
        }
        catch (OperationCanceledException)
        {
            lock (lane)
            {
                // It never started; counting it as started and answered now only holds the calls behind it back a little.
                var now = clock.GetTimestamp();
                lane.Answers[call % Lane.Remembered] = now;
                lane.Started(call, now);
            }

            throw;
        }
    }

    /// <summary>The call has its answer (or gave up waiting): Meta cannot receive it any later.</summary>
    public void Answered(Guid channelId, long call)
    {
        if (lanes.TryGetValue(channelId, out var lane))
        {
            lock (lane)
            {
                var now = clock.GetTimestamp();
                var index = call % Lane.Remembered;
                lane.Answers[index] = now;
                if (lane.Starts[index] != Lane.Pending)
                {
                    lane.RecordRoundTrip(call, now - lane.Starts[index]);
                }
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

    /// <summary>
    /// The earliest moment the call may start, or <see cref="Lane.Pending"/> while the call ahead of it has
    /// not started:
    /// 1. calls start in order, not before their slot, and at least ¾ of a spacing after the previous call
    ///    (so a call late for its slot catches up at up to 4/3 of the paced rate instead of shifting the lane);
    /// 2. no more than the rate in any paced second of starts (rate × spacing, 1.02 s at 80/s);
    /// 3. a second after Meta received the call a rate's worth earlier. Meta counted that call before its
    ///    answer left, and counts this one after it starts; the earlier call's way back and this call's
    ///    way there together take about what a whole call spends outside Meta's counter, so 7/8 of the
    ///    quickest round trip seen lately is credited (for calls a little quicker than any seen), and calls
    ///    that bunch on the way cannot put more than the rate into one second at Meta's end. A call is taken
    ///    as received at most <see cref="MaxHold"/> after it started, though: an answer that is slow
    ///    because Meta is slow to reply, after counting the call, must not stall the lane, so the guarantee
    ///    covers calls delayed on the way by up to that much — counted from the end of any stall of this
    ///    process after the call started, since the call may not have left the process before then.
    /// </summary>
    private long EarliestStart(Lane lane, long call, long slot, long spacing, int perWindow)
    {
        if (call > 0 && lane.Starts[(call - 1) % Lane.Remembered] == Lane.Pending)
        {
            return Lane.Pending;
        }

        var start = Math.Max(slot, lane.LastStart + (spacing * 3 / 4));
        if (call < perWindow)
        {
            return start;
        }

        var earlier = (call - perWindow) % Lane.Remembered;
        var earlierStart = lane.Starts[earlier];

        // A call started before a stall of the process may have left it only at the stall's end.
        var stalled = StallEnd(clock.GetTimestamp());
        var received = Math.Max(earlierStart, stalled) + Ticks(MaxHold);
        var answered = lane.Answers[earlier];
        if (answered != Lane.Pending)
        {
            received = Math.Min(received, Math.Max(earlierStart, answered - (lane.QuickestRoundTrip * 7 / 8)));
        }

        start = Math.Max(start, earlierStart + (perWindow * spacing));
        return Math.Max(start, received + clock.TimestampFrequency);
    }

    private long Spacing(int messagesPerSecond) =>
        (long)(clock.TimestampFrequency / (Math.Clamp(messagesPerSecond, 1, MaxRate) * Margin));

    private TimeSpan Duration(long ticks) => TimeSpan.FromSeconds(ticks / (double)clock.TimestampFrequency);

    private sealed class Lane
    {
        /// <summary>At least the highest rate: when each of the last calls started.</summary>
        public const int Remembered = 1024;

        /// <summary>A call that has not started, or not been answered, yet.</summary>
        public const long Pending = long.MaxValue;

        /// <summary>Round trips are remembered in epochs of this many calls; the quickest of this epoch and the last one counts.</summary>
        private const int Epoch = 512;

        private long epoch = -1;
        private long quickestThisEpoch = long.MaxValue;
        private long quickestLastEpoch = long.MaxValue;

        public long NextSlot { get; set; }

        /// <summary>The spacing of the lane's last reservation.</summary>
        public long Spacing { get; set; }

        /// <summary>Calls in the gate: past their slot, not started yet.</summary>
        public int Held { get; set; }

        public long LastStart { get; set; } = long.MinValue / 2;

        public long Calls { get; set; }

        public long[] Starts { get; } = new long[Remembered];

        /// <summary>When each of the last calls was answered; <see cref="Pending"/> while it is still out.</summary>
        public long[] Answers { get; } = new long[Remembered];

        /// <summary>Completed (and replaced) whenever a call starts, for the call waiting behind it.</summary>
        public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The quickest round trip of the last 512–1,024 calls (zero before the first answer: no credit).</summary>
        public long QuickestRoundTrip => Math.Min(quickestThisEpoch, quickestLastEpoch) is var quickest && quickest != long.MaxValue ? quickest : 0;

        public void RecordRoundTrip(long call, long ticks)
        {
            if (call / Epoch != epoch)
            {
                epoch = call / Epoch;
                quickestLastEpoch = quickestThisEpoch;
                quickestThisEpoch = long.MaxValue;
            }

            quickestThisEpoch = Math.Min(quickestThisEpoch, Math.Max(0, ticks));
        }

        /// <summary>The call leaves the gate at <paramref name="now"/>; the call waiting behind it is woken.</summary>
        public void Started(long call, long now)
        {
            Starts[call % Remembered] = now;
            LastStart = Math.Max(LastStart, now);
            Held--;
            var waiting = Changed;
            Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.TrySetResult();
        }
    }
}

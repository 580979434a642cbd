using Microsoft.Extensions.Time.Testing;
using Switchboard.Features.Outbound;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// The pacer on a simulated clock, driven the way the sender drives it (a round every 40 ms tops the lane
/// up to 0.4 s of reserved slots; each reply passes the gate, reaches Meta after some network delay, and
/// its answer comes back). Meta counts a call when it receives it, in a sliding one-second window, as the
/// simulator does: 81 receives less than a second apart would be a 130429.
/// </summary>
public sealed class PacerTests
{
    private const int Rate = 80;
    private static readonly TimeSpan Horizon = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void On_a_quiet_path_a_number_is_paced_within_3_percent_of_its_rate_and_never_over_it()
    {
        var run = Simulate(seconds: 30, seed: 1, network: (_, _) => (TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(15)));

        run.BusiestSecond.Should().BeLessThanOrEqualTo(Rate);
        run.RatePerSecond.Should().BeInRange(Rate * 0.97, Rate);
    }

    [Fact]
    public void Calls_that_reach_Meta_in_bunches_never_put_more_than_the_rate_into_one_second()
    {
        // 20–90 ms on the way, and every 3 s the path stalls for 200 ms, so that everything sent in that
        // time arrives together at its end (the gate covers calls up to 250 ms late on the way).
        var run = Simulate(seconds: 60, seed: 2, network: (start, random) =>
        {
            var stallEnd = TimeSpan.FromSeconds(Math.Ceiling(start.TotalSeconds / 3) * 3);
            var onTheWay = TimeSpan.FromMilliseconds(random.Next(20, 90));
            if (stallEnd - start < TimeSpan.FromMilliseconds(200) && start + onTheWay < stallEnd)
            {
                onTheWay = stallEnd - start;
            }

            return (onTheWay, TimeSpan.FromMilliseconds(15));
        });

        run.BusiestSecond.Should().BeLessThanOrEqualTo(Rate);
        run.RatePerSecond.Should().BeGreaterThan(Rate * 0.9);
    }

    [Fact]
    public void Answers_that_are_slow_after_Meta_counted_the_call_do_not_stall_the_number()
    {
        // One answer in twenty takes 0.3–0.9 s (Meta slow to reply, not slow to receive).
        var run = Simulate(seconds: 60, seed: 4, network: (_, random) => (
            TimeSpan.FromMilliseconds(random.Next(30, 60)),
            random.Next(20) == 0 ? TimeSpan.FromMilliseconds(random.Next(300, 900)) : TimeSpan.FromMilliseconds(15)));

        run.BusiestSecond.Should().BeLessThanOrEqualTo(Rate);
        // A call is held at most 250 ms for a slow answer; were it held until the answer came back, the
        // number would fall to 43/s here.
        run.RatePerSecond.Should().BeGreaterThan(Rate * 0.8);
    }

    [Fact]
    public void Late_timers_let_calls_catch_up_but_never_over_the_rate()
    {
        // Every 2 s the process gets no CPU for 250 ms: the timers due in that time all fire at its end.
        var run = Simulate(seconds: 60, seed: 3, network: (_, random) => (TimeSpan.FromMilliseconds(random.Next(30, 80)), TimeSpan.FromMilliseconds(15)), stallEvery: TimeSpan.FromSeconds(2), stall: TimeSpan.FromMilliseconds(250));

        run.BusiestSecond.Should().BeLessThanOrEqualTo(Rate);
        // Without catching up an eighth of the time would be lost: 78.4 × 7/8 = 68.6/s.
        run.RatePerSecond.Should().BeGreaterThan(72, "the gate lets a call that is late for its slot catch up");
    }

    [Fact]
    public void A_node_that_stalls_for_seconds_with_calls_still_inside_it_never_puts_more_than_the_rate_into_one_second()
    {
        // Every 5 s the process gets no CPU for 1.5 s (a long GC pause, a starved container). The calls it started in the last
        // 100 ms before had not left it yet: they reach Meta only after the stall, beside the calls the gate releases then.
        // A call's answer still out counts as received 250 ms after it started, unless the pacer saw the stall (ADR 0059).
        var stallEvery = TimeSpan.FromSeconds(5);
        var stall = TimeSpan.FromSeconds(1.5);
        var run = Simulate(seconds: 60, seed: 5, network: (start, random) =>
        {
            var onTheWay = TimeSpan.FromMilliseconds(random.Next(30, 80));
            var stallStart = TimeSpan.FromSeconds(Math.Ceiling(start.TotalSeconds / stallEvery.TotalSeconds) * stallEvery.TotalSeconds);
            if (stallStart > TimeSpan.Zero && stallStart - start < TimeSpan.FromMilliseconds(100))
            {
                onTheWay += stallStart + stall - start;
            }

            return (onTheWay, TimeSpan.FromMilliseconds(15));
        }, stallEvery: stallEvery, stall: stall);

        run.BusiestSecond.Should().BeLessThanOrEqualTo(Rate);
        // 1.5 s of every 5 s without CPU: at most 70 % of the time to send in.
        run.RatePerSecond.Should().BeGreaterThan(Rate * 0.6);
    }

    private static Run Simulate(int seconds, int seed, Func<TimeSpan, Random, (TimeSpan OnTheWay, TimeSpan Answer)> network, TimeSpan? stallEvery = null, TimeSpan? stall = null)
    {
        // Single-threaded: every continuation runs on this thread, between two steps of the clock.
        var steps = new StepContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(steps);
        try
        {
            return Simulate(steps, seconds, seed, network, stallEvery, stall);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private static Run Simulate(StepContext steps, int seconds, int seed, Func<TimeSpan, Random, (TimeSpan OnTheWay, TimeSpan Answer)> network, TimeSpan? stallEvery, TimeSpan? stall)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var origin = clock.GetUtcNow();
        var pacer = new Pacer(clock);
        var channel = Guid.NewGuid();
        var random = new Random(seed);
        var received = new List<TimeSpan>();
        var answers = new PriorityQueue<long, TimeSpan>();
        var gates = new List<Task>();
        var end = TimeSpan.FromSeconds(seconds);

        async Task SendAsync(long slot)
        {
            // As the sender does: wait for the slot (its Sending mark is committed meanwhile), then pass the gate.
            if (pacer.Until(slot) > TimeSpan.Zero)
            {
                await Task.Delay(pacer.Until(slot), clock);
            }

            var call = await pacer.GateAsync(channel, Rate, slot, CancellationToken.None);
            var start = clock.GetUtcNow() - origin;
            if (start >= end)
            {
                pacer.Answered(channel, call);
                return;
            }

            var (onTheWay, answer) = network(start, random);
            received.Add(start + onTheWay);
            answers.Enqueue(call, start + onTheWay + answer);
        }

        var nextRound = TimeSpan.Zero;
        var nextStall = stallEvery ?? TimeSpan.MaxValue;
        while (clock.GetUtcNow() - origin < end)
        {
            var now = clock.GetUtcNow() - origin;
            while (answers.TryPeek(out var call, out var at) && at <= now)
            {
                answers.Dequeue();
                pacer.Answered(channel, call);
            }

            steps.RunPending();

            if (now >= nextRound)
            {
                for (var room = pacer.Room(channel, Rate, Horizon); room > 0; room--)
                {
                    gates.Add(SendAsync(pacer.Reserve(channel, Rate)));
                }

                nextRound = now + TimeSpan.FromMilliseconds(40);
            }

            steps.RunPending();
            if (now >= nextStall)
            {
                clock.Advance(stall!.Value);
                nextStall += stallEvery!.Value;
            }
            else
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }

            steps.RunPending();
        }

        // Let the last gated calls through so that none is left waiting on the simulated clock.
        for (var i = 0; i < 120_000 && gates.Any(g => !g.IsCompleted); i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            while (answers.TryDequeue(out var call, out _))
            {
                pacer.Answered(channel, call);
            }

            steps.RunPending();
        }

        gates.Should().OnlyContain(g => g.IsCompletedSuccessfully);
        received.Sort();
        var busiest = 0;
        for (int first = 0, last = 0; last < received.Count; last++)
        {
            while (received[last] - received[first] >= TimeSpan.FromSeconds(1))
            {
                first++;
            }

            busiest = Math.Max(busiest, last - first + 1);
        }

        var measured = received.Count(r => r >= TimeSpan.FromSeconds(1) && r < end - TimeSpan.FromSeconds(1));
        return new Run(busiest, measured / (seconds - 2.0));
    }

    private sealed record Run(int BusiestSecond, double RatePerSecond);

    /// <summary>Queues continuations and runs them when the simulation says so, on its own thread.</summary>
    private sealed class StepContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> queue = new();

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (queue)
            {
                queue.Enqueue((d, state));
            }
        }

        public void RunPending()
        {
            while (true)
            {

                (SendOrPostCallback Callback, object? State) next;
                lock (queue)
                {
                    if (!queue.TryDequeue(out next))
                    {
                        return;
                    }
                }

                next.Callback(next.State);
            }
        }
    }
}

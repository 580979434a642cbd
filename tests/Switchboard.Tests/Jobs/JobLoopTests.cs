using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Jobs;

/// <summary>A worker's loop outlives the failures of its rounds, whatever they throw, until the process stops it.</summary>
public sealed class JobLoopTests
{
    [Fact]
    public async Task A_round_cancelled_by_something_other_than_the_stop_fails_that_round_and_the_loop_goes_on()
    {
        using var signal = new WorkSignal();
        var migrations = new MigrationState();
        migrations.MarkCurrent();
        var loop = new Rounds(signal, migrations);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.PollValueAsync(() => Task.FromResult(loop.Count >= 3 ? true : (bool?)null), seconds: 10);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        loop.Count.Should().BeGreaterThanOrEqualTo(3, "the rounds after the cancelled one still ran");
    }

    /// <summary>Its first round throws a cancellation of its own (as a timed-out call inside a round would); later rounds count.</summary>
    private sealed class Rounds(WorkSignal signal, MigrationState migrations)
        : JobLoop(new JobSchedule("Test rounds", TimeSpan.FromMilliseconds(20)), signal, migrations, TimeProvider.System, NullLogger.Instance)
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        protected override Task<int> RunRoundAsync(Guid owner, CancellationToken ct) =>
            Interlocked.Increment(ref count) == 1 ? throw new TaskCanceledException("a call inside the round timed out") : Task.FromResult(0);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Jobs;

/// <summary>
/// The job runner over a real table on each database: a signal wakes it at once, a failing job is retried
/// with backoff and quarantined after its last attempt, and a lease that runs out lets another owner
/// claim the job (ADR 0021).
/// </summary>
public abstract class JobRunnerTests(JobDatabaseFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_signal_wakes_the_runner_at_once_instead_of_at_its_next_poll()
    {
        var ran = new List<long>();
        var jobs = await TableAsync(TimeProvider.System, (job, _) =>
        {
            lock (ran)
            {
                ran.Add(job.Id);
            }

            return Task.CompletedTask;
        });
        var signal = new WorkSignal();
        using var runner = Runner(jobs, TimeProvider.System, signal);
        await runner.StartAsync(CancellationToken.None);
        try
        {
            // The first round finds nothing and sleeps for the poll interval (a minute); a job added
            // without a signal waits for it.
            await Eventually.PollValueAsync<int>(() => Task.FromResult<int?>(jobs.Sleeps > 0 ? jobs.Sleeps : null), seconds: 10);
            await jobs.AddAsync(1, TimeProvider.System.GetUtcNow());
            await Task.Delay(700);
            (await jobs.ReadAsync(1)).State.Should().Be("pending", "nothing woke the runner");

            signal.Notify();
            var done = await Eventually.PollAsync(async () => await jobs.ReadAsync(1) is { State: "done" } row ? row : null, seconds: 5);
            done.Attempts.Should().Be(1);
            ran.Should().Equal(1);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_failing_job_is_retried_after_its_backoff_and_quarantined_after_the_last_attempt()
    {
        var clock = new FakeTimeProvider(Start);
        var jobs = await TableAsync(clock, (_, _) => throw new InvalidOperationException("a value the customer sent"));
        using var runner = Runner(jobs, clock);
        var owner = Guid.NewGuid();
        await jobs.AddAsync(1, Start);

        (await runner.RunOnceAsync(owner, CancellationToken.None)).Should().Be(1);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "pending", Attempts = 1, DueAt = Start.AddSeconds(1), LeaseOwner = (string?)null, LastError = "InvalidOperationException" });
        (await runner.RunOnceAsync(owner, CancellationToken.None)).Should().Be(0, "the retry is not due yet");

        clock.Advance(TimeSpan.FromSeconds(1));
        (await runner.RunOnceAsync(owner, CancellationToken.None)).Should().Be(1);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "pending", Attempts = 2, DueAt = Start.AddSeconds(1 + 4) });

        clock.Advance(TimeSpan.FromSeconds(4));
        (await runner.RunOnceAsync(owner, CancellationToken.None)).Should().Be(1);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "quarantined", Attempts = 3, LeaseOwner = (string?)null });

        clock.Advance(TimeSpan.FromHours(1));
        (await runner.RunOnceAsync(owner, CancellationToken.None)).Should().Be(0, "a quarantined job is not run again");
    }

    [Fact]
    public async Task A_permanent_error_is_quarantined_at_the_first_attempt()
    {
        var clock = new FakeTimeProvider(Start);
        var jobs = await TableAsync(clock, (_, _) => throw new FormatException());
        using var runner = Runner(jobs, clock);
        await jobs.AddAsync(1, Start);

        (await runner.RunOnceAsync(Guid.NewGuid(), CancellationToken.None)).Should().Be(1);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "quarantined", Attempts = 1, LastError = "FormatException" });
    }

    [Fact]
    public async Task A_lease_that_runs_out_lets_another_owner_claim_the_job()
    {
        var clock = new FakeTimeProvider(Start);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var jobs = await TableAsync(clock, async (job, ct) =>
        {
            if (job.Owner == first)
            {
                // The first owner's node goes quiet in the middle of the job.
                await Task.Delay(Timeout.Infinite, ct);
            }
        });
        using var runner = Runner(jobs, clock);
        await jobs.AddAsync(1, Start);

        using var quiet = new CancellationTokenSource();
        var stuck = runner.RunOnceAsync(first, quiet.Token);
        await Eventually.PollAsync(async () => await jobs.ReadAsync(1) is { LeaseOwner: var holder } row && holder == first.ToString() ? row : null, seconds: 10);

        (await runner.RunOnceAsync(second, CancellationToken.None)).Should().Be(0, "the first owner's lease holds");
        clock.Advance(jobs.Lease - TimeSpan.FromSeconds(1));
        (await runner.RunOnceAsync(second, CancellationToken.None)).Should().Be(0, "the first owner's lease still holds");

        clock.Advance(TimeSpan.FromSeconds(2));
        (await runner.RunOnceAsync(second, CancellationToken.None)).Should().Be(1);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "done", Attempts = 1, CompletedBy = second.ToString(), LeaseOwner = (string?)null });

        await quiet.CancelAsync();
        await stuck.Invoking(s => s).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_clean_stop_hands_unfinished_claims_back()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var jobs = await TableAsync(TimeProvider.System, async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await jobs.AddAsync(1, TimeProvider.System.GetUtcNow());
        using var runner = Runner(jobs, TimeProvider.System);
        await runner.StartAsync(CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        (await jobs.ReadAsync(1)).LeaseOwner.Should().NotBeNull();

        await runner.StopAsync(CancellationToken.None);
        (await jobs.ReadAsync(1)).Should().BeEquivalentTo(new { State = "pending", Attempts = 0, LeaseOwner = (string?)null });
    }

    [Fact]
    public void Backoff_multiplies_the_first_delay_by_its_factor_per_attempt_up_to_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(30), 4, TimeSpan.FromHours(2));
        Enumerable.Range(0, 7).Select(backoff.After).Should().Equal(
            [30, 30, 120, 480, 1920, 7200, 7200], (delay, seconds) => delay == TimeSpan.FromSeconds(seconds));
    }

    private async Task<JobTable> TableAsync(TimeProvider clock, Func<TableJob, CancellationToken, Task> work)
    {
        var jobs = new JobTable(fixture.Database, clock, work);
        await jobs.CreateAsync();
        return jobs;
    }

    private static JobRunner<TableJob> Runner(JobTable jobs, TimeProvider clock, WorkSignal? signal = null)
    {
        var migrations = new MigrationState();
        migrations.MarkCurrent();
        return new JobRunner<TableJob>(jobs, signal ?? new WorkSignal(), migrations, clock, NullLogger.Instance);
    }
}

public sealed class JobRunnerTests_Sqlite(SqliteJobDatabase fixture) : JobRunnerTests(fixture), IClassFixture<SqliteJobDatabase>;

public sealed class JobRunnerTests_Postgres(PostgresJobDatabase fixture) : JobRunnerTests(fixture), IClassFixture<PostgresJobDatabase>;

using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Common.Jobs;

/// <summary>How a worker's loops wake up.</summary>
/// <param name="Worker">Its name in log lines ("Media fetcher").</param>
/// <param name="PollInterval">The longest a loop sleeps without a signal or a due item.</param>
internal sealed record JobSchedule(string Worker, TimeSpan PollInterval)
{
    /// <summary>Rounds start at most this often, however much work there is (zero: no limit).</summary>
    public TimeSpan RoundInterval { get; init; }
}

/// <summary>
/// Hosts a background worker (ADR 0021): one or more loops, each with its own lease owner id, that run a
/// round whenever the schema is current, go straight on while there is work, and otherwise sleep until
/// the work signal, the next due item or the poll interval. A failed round is logged without content and
/// the loop goes on. A clean stop hands the loops' unfinished claims back.
/// </summary>
internal abstract partial class JobLoop : BackgroundService
{
    // A due time closer than this is waited for this long, so that a row of due times does not spin the loop.
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(20);
    private readonly JobSchedule schedule;
    private readonly WorkSignal signal;
    private readonly MigrationState migrations;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private Guid[] owners = [];

    protected JobLoop(JobSchedule schedule, WorkSignal signal, MigrationState migrations, TimeProvider clock, ILogger logger)
    {
        this.schedule = schedule;
        this.signal = signal;
        this.migrations = migrations;
        this.clock = clock;
        this.logger = logger;
    }

    /// <summary>The loops' lease owner ids, one per loop, so that loops (and nodes) never mistake each other's claims for their own.</summary>
    protected IReadOnlyList<Guid> Owners => Volatile.Read(ref owners);

    /// <summary>Runs one round for this lease owner; returns how much work it found (0: the loop sleeps).</summary>
    protected abstract Task<int> RunRoundAsync(Guid owner, CancellationToken ct);

    /// <summary>How many loops to run (once, at start).</summary>
    protected virtual Task<int> LoopCountAsync(CancellationToken ct) => Task.FromResult(1);

    /// <summary>When the earliest waiting item falls due, so that a short backoff does not wait for the poll; null: unknown or none.</summary>
    protected virtual Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);

    /// <summary>A clean stop hands these owners' unfinished claims back at once instead of letting their leases run out.</summary>
    protected virtual Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Math.Max(1, await LoopCountAsync(stoppingToken));
        Guid[] ids = [.. Enumerable.Range(0, loops).Select(_ => Guid.NewGuid())];
        Volatile.Write(ref owners, ids);
        await Task.WhenAll(ids.Select(id => Task.Run(() => LoopAsync(id, stoppingToken), CancellationToken.None)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await ReleaseAsync(Owners, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLoopFailed(schedule.Worker, SafeError.Describe(ex));
        }
    }

    private async Task LoopAsync(Guid owner, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = schedule.RoundInterval > TimeSpan.Zero ? clock.GetUtcNow() : default;
            var worked = false;
            try
            {
                worked = migrations.IsCurrent && await RunRoundAsync(owner, stoppingToken) > 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A cancellation that is not the stop (a timeout inside the round, a task cancelled elsewhere) fails the round,
                // not the loop: a loop that ended here would leave the worker silently stopped for the life of the process.
                LogLoopFailed(schedule.Worker, SafeError.Describe(ex));
            }

            try
            {
                if (!worked)
                {
                    await signal.WaitAsync(await UntilNextDueAsync(stoppingToken), stoppingToken);
                }

                if (schedule.RoundInterval > TimeSpan.Zero)
                {
                    var rest = schedule.RoundInterval - (clock.GetUtcNow() - started);
                    if (rest > TimeSpan.Zero)
                    {
                        await Task.Delay(rest, clock, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        var poll = schedule.PollInterval;
        try
        {
            var wait = await NextDueAsync(ct) - clock.GetUtcNow();
            return wait is null || wait > poll ? poll : wait < MinimumWait ? MinimumWait : wait.Value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return poll;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker} loop failed ({Error}); retrying")]
    private partial void LogLoopFailed(string worker, string error);
}

using Switchboard.Common.Persistence;
using Switchboard.Common.Telemetry;

namespace Switchboard.Common.Jobs;

/// <summary>
/// Works through a <see cref="IJobSource{TJob}"/> (ADR 0021): each round reads a batch of due items, and
/// for each one claims it, runs it and records the outcome, so an item's lease starts just before its
/// attempt. A failed attempt is due again after the backoff, or quarantined after the last attempt.
/// </summary>
internal sealed class JobRunner<TJob> : JobLoop
{
    private readonly IJobSource<TJob> source;
    private readonly TimeProvider clock;
    private readonly KeyValuePair<string, object?> jobTag;

    public JobRunner(IJobSource<TJob> source, WorkSignal signal, MigrationState migrations, TimeProvider clock, ILogger logger)
        : base(source.Schedule, signal, migrations, clock, logger)
    {
        this.source = source;
        this.clock = clock;
        jobTag = new("job", source.Schedule.Worker.Replace(' ', '-').ToLowerInvariant());
    }

    /// <summary>One round; returns how many items this owner claimed and ran.</summary>
    public Task<int> RunOnceAsync(Guid owner, CancellationToken ct) => RunRoundAsync(owner, ct);

    protected override async Task<int> RunRoundAsync(Guid owner, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await source.FindDueAsync(now, source.BatchSize, ct);
        var handled = 0;
        foreach (var job in due)
        {
            try
            {
                if (await source.ClaimAsync(job, owner, now + source.Lease, ct))
                {
                    await AttemptAsync(job, ct);
                    handled++;
                }
            }
            finally
            {
                if (job is IAsyncDisposable disposable)
                {
                    await disposable.DisposeAsync();
                }
            }
        }

        return handled;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => source.NextDueAsync(ct);

    protected override Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct) => source.ReleaseAsync(owners, ct);

    private async Task AttemptAsync(TJob job, CancellationToken ct)
    {
        var attempt = source.AttemptsOf(job) + 1;
        try
        {
            await source.RunAsync(job, attempt, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var (error, permanent) = source.Classify(ex);
            var failure = source.Retry.Fail(attempt, permanent, clock.GetUtcNow(), error);
            SwitchboardTelemetry.JobRuns.Add(1, jobTag, new KeyValuePair<string, object?>("outcome", failure.GiveUp ? "quarantined" : "failed"));
            await source.FailAsync(job, failure, ct);
            return;
        }

        SwitchboardTelemetry.JobRuns.Add(1, jobTag, new KeyValuePair<string, object?>("outcome", "succeeded"));
        await source.CompleteAsync(job, ct);
    }
}

internal static class JobRunnerSetup
{
    /// <summary>Registers <typeparamref name="TSource"/> and a hosted <see cref="JobRunner{TJob}"/> that works through it, woken by <paramref name="signal"/>.</summary>
    public static IServiceCollection AddJobRunner<TSource, TJob>(this IServiceCollection services, Func<IServiceProvider, WorkSignal> signal)
        where TSource : class, IJobSource<TJob>
    {
        services.AddSingleton<TSource>();
        services.AddSingleton(sp => new JobRunner<TJob>(
            sp.GetRequiredService<TSource>(), signal(sp), sp.GetRequiredService<MigrationState>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TSource>>()));
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner<TJob>>());
        return services;
    }
}

using Switchboard.Common.Web;

namespace Switchboard.Common.Jobs;

/// <summary>
/// A table of due items (due time, attempts, lease) that a <see cref="JobRunner{TJob}"/> works through
/// (ADR 0021). The queries stay here, with the feature that owns the table; the runner decides when to
/// claim, how long to lease, and whether a failure is retried or quarantined.
/// </summary>
/// <typeparam name="TJob">One item; when it is <see cref="IAsyncDisposable"/>, the runner disposes it after its attempt.</typeparam>
internal interface IJobSource<TJob>
{
    JobSchedule Schedule { get; }

    /// <summary>How long a claim holds before another owner may take the item (the attempt must fit in it).</summary>
    TimeSpan Lease { get; }

    /// <summary>Items a round reads at most.</summary>
    int BatchSize { get; }

    RetryPolicy Retry { get; }

    /// <summary>Items due at <paramref name="now"/> and not leased, in the order they should run; nothing is claimed yet.</summary>
    Task<IReadOnlyList<TJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Leases one item found due to <paramref name="owner"/>; false when another owner won it first. Called just before it runs.</summary>
    Task<bool> ClaimAsync(TJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct);

    /// <summary>Attempts made before this one.</summary>
    int AttemptsOf(TJob job);

    /// <summary>The work; an exception is a failed attempt.</summary>
    /// <param name="job">The claimed item.</param>
    /// <param name="attempt">This attempt, counting from 1.</param>
    /// <param name="ct">Stops the work.</param>
    Task RunAsync(TJob job, int attempt, CancellationToken ct);

    /// <summary>Records success and ends the lease.</summary>
    Task CompleteAsync(TJob job, CancellationToken ct);

    /// <summary>Records a failed attempt and ends the lease: due again at its next attempt, or quarantined when it gives up.</summary>
    Task FailAsync(TJob job, JobFailure failure, CancellationToken ct);

    /// <summary>What the error was, without content, and whether every retry would fail the same way.</summary>
    (string Error, bool Permanent) Classify(Exception error) => (SafeError.Describe(error), false);

    /// <summary>When the earliest waiting item falls due (null: none).</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken ct);

    /// <summary>Hands back these owners' unfinished claims (a clean stop).</summary>
    Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct) => Task.CompletedTask;
}

namespace Switchboard.Common.Jobs;

/// <summary>After a failed attempt: try again after the backoff, or quarantine after the last attempt or a permanent error (ADR 0021).</summary>
internal sealed record RetryPolicy(int MaxAttempts, Backoff Backoff)
{
    /// <param name="attempt">The attempt that failed, counting from 1.</param>
    /// <param name="permanent">The error would come back on every attempt (the item's own content, a destroyed key).</param>
    /// <param name="now">When it failed.</param>
    /// <param name="error">What failed, without content (a reason or <see cref="Web.SafeError"/>).</param>
    public JobFailure Fail(int attempt, bool permanent, DateTimeOffset now, string error) =>
        new(attempt, permanent || attempt >= MaxAttempts, now + Backoff.After(attempt), error);
}

/// <summary>A failed attempt: quarantined when <paramref name="GiveUp"/>, otherwise due again at <paramref name="NextAttemptAt"/>.</summary>
internal readonly record struct JobFailure(int Attempt, bool GiveUp, DateTimeOffset NextAttemptAt, string Error);

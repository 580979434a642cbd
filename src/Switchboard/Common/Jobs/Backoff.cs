namespace Switchboard.Common.Jobs;

/// <summary>
/// The one retry delay of every worker: <c>first × factor^(n-1)</c> after the n-th failed attempt, capped
/// (ADR 0021).
/// </summary>
internal readonly record struct Backoff(TimeSpan First, double Factor, TimeSpan Cap)
{
    /// <param name="attempts">Failed attempts so far, counting the one just made.</param>
    public TimeSpan After(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(Cap.TotalSeconds, First.TotalSeconds * Math.Pow(Factor, Math.Max(0, attempts - 1))));
}
